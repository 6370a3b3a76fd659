/**
 * The Mail tree: a thin adapter from src/views/treeModel.ts to VS Code's TreeDataProvider.
 * Changes refresh only the account they concern; folders show a page at a time.
 */
import * as vscode from 'vscode';
import { accountChildren, describe, folderChildren, PAGE_SIZE, type TreeNode } from '../views/treeModel';
import type { MessageEntry } from '../store/accountStore';
import type { MailService } from './mailService';

export class MailTree implements vscode.TreeDataProvider<TreeNode> {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Canonical nodes, so a refresh can name the node VS Code knows. */
  private readonly accountNodes = new Map<string, TreeNode & { kind: 'account' }>();
  private readonly shown = new Map<string, number>();
  private readonly entries = new Map<string, MessageEntry[]>();

  constructor(private readonly mail: MailService) {
    mail.onDidChange((accountId) => {
      if (accountId === undefined) {
        this.accountNodes.clear();
        this.emitter.fire(undefined);
        return;
      }
      this.entries.delete(accountId);
      this.emitter.fire(this.accountNodes.get(accountId));
    });
  }

  showMore(node: TreeNode & { kind: 'more' }): void {
    const key = `${node.accountId}:${node.folder}`;
    this.shown.set(key, (this.shown.get(key) ?? PAGE_SIZE) + PAGE_SIZE);
    this.emitter.fire(this.accountNodes.get(node.accountId));
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      return this.mail.list().map((a) => {
        let accountNode = this.accountNodes.get(a.id);
        if (!accountNode) {
          accountNode = { kind: 'account', accountId: a.id, label: a.address };
          this.accountNodes.set(a.id, accountNode);
        }
        return accountNode;
      });
    }
    if (node.kind === 'account') {
      const skipped = await this.mail.skipped(node.accountId).catch(() => []);
      return accountChildren(node.accountId, skipped);
    }
    if (node.kind === 'skipped-folder') return node.skipped.map((skipped) => ({ kind: 'skipped', accountId: node.accountId, skipped }));
    if (node.kind === 'folder') {
      const entries = await this.load(node.accountId);
      return folderChildren(node.accountId, node.folder, entries, this.shown.get(`${node.accountId}:${node.folder}`) ?? PAGE_SIZE);
    }
    return [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'account') return undefined;
    if (node.kind === 'folder' || node.kind === 'skipped-folder') return this.accountNodes.get(node.accountId);
    if (node.kind === 'skipped') return undefined; // its folder is rebuilt on each refresh
    return { kind: 'folder', accountId: node.accountId, folder: node.folder };
  }

  async getTreeItem(node: TreeNode): Promise<vscode.TreeItem> {
    const entries = node.kind === 'folder' ? await this.load(node.accountId).catch(() => []) : (this.entries.get(node.accountId) ?? []);
    if (node.kind === 'account') node.lastChecked = this.mail.lastChecked.get(node.accountId);
    const view = describe(node, entries, Date.now());
    const expanded = node.kind === 'account' || node.kind === 'skipped-folder' || (node.kind === 'folder' && node.folder === 'inbox');
    const item = new vscode.TreeItem(view.label, view.collapsible ? (expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = view.id;
    item.description = view.description;
    item.tooltip = new vscode.MarkdownString(view.tooltip);
    item.iconPath = new vscode.ThemeIcon(view.icon);
    item.contextValue = view.contextValue;
    if (node.kind === 'message') {
      item.command = { command: 'mailPanel.openMessage', title: 'Open Message', arguments: [node] };
      item.accessibilityInformation = { label: `${node.entry.seen ? '' : 'Unread. '}${node.entry.subject} from ${node.entry.from}` };
    } else if (node.kind === 'folder') {
      item.command = { command: 'mailPanel.openList', title: 'Open Message List', arguments: [node] };
    } else if (node.kind === 'more') {
      item.command = { command: 'mailPanel.showMore', title: 'Show More', arguments: [node] };
    }
    return item;
  }

  private async load(accountId: string): Promise<MessageEntry[]> {
    let entries = this.entries.get(accountId);
    if (!entries) {
      entries = await this.mail.messages(accountId);
      this.entries.set(accountId, entries);
    }
    return entries;
  }
}
