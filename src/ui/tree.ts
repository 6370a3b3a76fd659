/**
 * The Mail tree: a thin adapter from src/views/treeModel.ts to VS Code's TreeDataProvider.
 * Changes refresh only the account they concern; folders show a page at a time.
 */
import * as vscode from 'vscode';
import { accountChildren, describe, folderChildren, inFolder, PAGE_SIZE, type TreeNode } from '../views/treeModel';
import type { MessageEntry } from '../store/accountStore';
import type { MailService } from './mailService';

export class MailTree implements vscode.TreeDataProvider<TreeNode> {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** Canonical nodes, so a refresh can name the node VS Code knows. */
  private readonly accountNodes = new Map<string, TreeNode & { kind: 'account' }>();
  private readonly shown = new Map<string, number>();
  private readonly entries = new Map<string, MessageEntry[]>();

  /** A line per Outbox message (why it waits), when sending is wired in. */
  outboxNotes: (accountId: string) => Promise<ReadonlyMap<string, string>> = async () => new Map();

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

  private view: vscode.TreeView<TreeNode> | undefined;

  attach(view: vscode.TreeView<TreeNode>): void {
    this.view = view;
  }

  /** The message `step` rows from `node` in its folder (newest first, as shown); undefined at an end. */
  async neighbour(node: TreeNode & { kind: 'message' }, step: 1 | -1): Promise<(TreeNode & { kind: 'message' }) | undefined> {
    const list = inFolder(await this.load(node.accountId), node.folder);
    const at = list.findIndex((e) => e.id === node.entry.id);
    const entry = at === -1 ? undefined : list[at + step];
    return entry && { kind: 'message', accountId: node.accountId, folder: node.folder, entry };
  }

  /**
   * The row that takes the place of `removed` rows when they leave their folder (Delete, Restore):
   * the next one below them, else the one above, as the Explorer does. Ask before removing them.
   */
  async rowAfter(removed: Array<TreeNode & { kind: 'message' }>): Promise<(TreeNode & { kind: 'message' }) | undefined> {
    const [first] = removed;
    if (!first || removed.some((n) => n.accountId !== first.accountId || n.folder !== first.folder)) return undefined;
    const list = inFolder(await this.load(first.accountId), first.folder);
    const gone = new Set(removed.map((n) => n.entry.id));
    const positions = list.flatMap((e, i) => (gone.has(e.id) ? [i] : []));
    if (positions.length === 0) return undefined;
    const entry = list.slice(positions.at(-1)! + 1).find((e) => !gone.has(e.id)) ?? list.slice(0, positions[0]).reverse().find((e) => !gone.has(e.id));
    return entry && { kind: 'message', accountId: first.accountId, folder: first.folder, entry };
  }

  /** Selects and focuses a row (the keyboard carries on from it). */
  async select(node: TreeNode): Promise<void> {
    await this.view?.reveal(node, { select: true, focus: true });
  }

  /** Waiting for the tree to read an account's folders again (after a change), so a selection is not undone by the refresh. */
  private readonly readAgain = new Map<string, Array<() => void>>();

  /** Resolves when VS Code has read the account's folders since now, or after `maxMs` (a collapsed folder is not read). */
  refreshed(accountId: string, maxMs = 1000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.readAgain.set(accountId, [...(this.readAgain.get(accountId) ?? []), () => (clearTimeout(timer), resolve())]);
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
      return accountChildren(node.accountId, skipped, await this.load(node.accountId).catch(() => []));
    }
    if (node.kind === 'skipped-folder') return node.skipped.map((skipped) => ({ kind: 'skipped', accountId: node.accountId, skipped }));
    if (node.kind === 'folder') {
      const entries = await this.load(node.accountId);
      const waiting = this.readAgain.get(node.accountId);
      this.readAgain.delete(node.accountId);
      if (waiting) setImmediate(() => waiting.forEach((done) => done())); // once these children are handed over
      const notes = node.folder === 'outbox' ? await this.outboxNotes(node.accountId).catch(() => undefined) : undefined;
      return folderChildren(node.accountId, node.folder, entries, this.shown.get(`${node.accountId}:${node.folder}`) ?? PAGE_SIZE, notes);
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
    if (node.kind === 'message' && node.folder === 'drafts') {
      item.command = { command: 'mailPanel.openDraft', title: 'Open Draft', arguments: [node.accountId, node.entry.id] };
    } else if (node.kind === 'message') {
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
