/**
 * The composition root of the VS Code adapter. The core (src/pop3, src/store, src/sync,
 * src/mime, src/reader) knows nothing of VS Code; this layer wires it in.
 */
import * as vscode from 'vscode';
import type { OutboxEntry } from '../compose/outbox';
import { messagesText } from '../shared/format';
import { registerCommands, targets, type TreeSelection } from './commands';
import { registerComposeCommands } from './composeCommands';
import { registerDraftAssist } from './draftAssist';
import { Drafts } from './drafts';
import { Sending } from './sending';
import { MessageListPanels } from './listPanel';
import { MailService } from './mailService';
import { ReaderPanels, SOURCE_SCHEME, SourceProvider } from './reader';
import { Passwords } from './settings';
import { MailSearch } from './mailSearch';
import { MailTree } from './tree';

/** Why an Outbox message waits, in a few words for its tree row. */
function outboxNote(e: OutboxEntry): string {
  if (e.interrupted) return 'may have been sent';
  if (e.retryAt === undefined) return e.lastError ? 'waiting for you' : 'waiting';
  if (!e.lastError) return e.attempts ? 'sending' : 'waiting to be sent';
  return `will retry ${new Date(e.retryAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}

/** What the extension exports: used by its tests inside VS Code, harmless to others. */
export interface MailPanelApi {
  mail: MailService;
  tree: MailTree;
  lists: MessageListPanels;
  drafts: Drafts;
  sending: Sending;
}

export function activateMailPanel(context: vscode.ExtensionContext): MailPanelApi {
  const log = vscode.window.createOutputChannel('Mail Panel', { log: true });
  // User accounts keep their mail in global storage (every window), workspace accounts in the workspace's.
  const places = { user: context.globalStorageUri.fsPath, workspace: context.storageUri?.fsPath };
  const mail = new MailService(places, new Passwords(context.secrets), log, new Passwords(context.secrets, 'smtp'));
  const tree = new MailTree(mail);
  const readers = new ReaderPanels(mail, context.extensionUri);
  const search = new MailSearch(mail, context.extensionUri);
  const lists = new MessageListPanels(mail, readers, context, search);
  const sending = new Sending(mail);
  const drafts = new Drafts(mail, sending);
  tree.outboxNotes = async (accountId) => new Map((await sending.outbox(accountId)).list().map((e) => [e.id, outboxNote(e)]));
  const view = vscode.window.createTreeView('mailPanel.mailboxes', { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
  tree.attach(view);

  const status = vscode.window.createStatusBarItem('mailPanel.status', vscode.StatusBarAlignment.Left, 50);
  status.name = 'Mail Panel';
  status.command = 'mailPanel.fetchAll';
  const updateStatus = async () => {
    if (mail.list().length === 0) return status.hide();
    const unread = await mail.unreadCount();
    status.text = mail.isFetching() ? '$(sync~spin) Fetching mail…' : `$(mail) ${unread}`;
    status.tooltip = mail.isFetching() ? 'Mail Panel is fetching mail' : `${messagesText(unread, 'unread')} — click to fetch all accounts`;
    view.badge = unread ? { value: unread, tooltip: `${unread} unread` } : undefined;
    status.show();
  };
  mail.onDidChange(() => void updateStatus());
  mail.onDidChangeBusy(() => void updateStatus());
  void updateStatus();

  context.subscriptions.push(
    log,
    mail,
    readers,
    search,
    lists,
    sending,
    drafts,
    registerDraftAssist(mail),
    view,
    status,
    vscode.workspace.registerTextDocumentContentProvider(SOURCE_SCHEME, new SourceProvider(mail)),
    // Reader tabs come back after a window reload (package.json activates on them).
    vscode.window.registerWebviewPanelSerializer('mailPanel.reader', { deserializeWebviewPanel: (panel, state) => readers.restore(panel, state) }),
  );
  const treeSelection: TreeSelection = { nodes: [], changedAt: 0 };
  context.subscriptions.push(view.onDidChangeSelection((e) => Object.assign(treeSelection, { nodes: e.selection, changedAt: Date.now() })));
  registerCommands(context, mail, tree, readers, treeSelection, lists);
  registerComposeCommands(context, mail, drafts, sending, lists, (node, selection) => targets(readers, treeSelection, node, selection, lists)[0]);
  // What waits in the Outbox goes once the window is up (retried every minute after).
  setTimeout(() => void sending.sendDue(), 3000).unref?.();
  if (mail.problems.length) {
    void vscode.window.showWarningMessage(`Mail Panel: ${mail.problems[0]}`, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'mailPanel.accounts');
    });
  }
  log.info(`Mail Panel activated; mail in ${places.user}${places.workspace ? ` (workspace accounts: ${places.workspace})` : ''}; ${mail.list().length} account(s)`);
  return { mail, tree, lists, drafts, sending };
}
