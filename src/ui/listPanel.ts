/**
 * Message list panels: one webview panel per list (an account's Inbox or Trash, or All Inboxes),
 * each a thin adapter around a ListSession (src/list/listSession.ts), which keeps the mailbox
 * and sends the webview only the rows it draws. Selecting a row shows the message in the preview
 * reader beside the list (ReaderPanels): the reader keeps its own walls (sanitizer, frame, CSP)
 * and the list never holds mail HTML.
 */
import * as vscode from 'vscode';
import { folderMessages, type ListMessage } from '../list/listMessage';
import { listHtml } from '../list/html';
import { layoutFrom, ListSession, type ListLayout, type MessageRef } from '../list/listSession';
import type { ListAction, ListWebviewMessage } from '../shared/listProtocol';
import { folderLabel, isWrittenHere, type Folder } from '../views/treeModel';
import type { MailSearch } from './mailSearch';
import type { MailService } from './mailService';
import type { ReaderPanels } from './reader';

export type { MessageRef };

/** What a list shows: one account's folder (fetched or written here), or the Inboxes of all accounts. */
export type ListSource = { kind: 'folder'; accountId: string; folder: Folder } | { kind: 'unified' };

const COMMAND_OF: Record<ListAction, string> = {
  delete: 'mailPanel.deleteMessage',
  restore: 'mailPanel.restoreMessage',
  markRead: 'mailPanel.markRead',
  markUnread: 'mailPanel.markUnread',
  export: 'mailPanel.exportMessages',
  downloadFull: 'mailPanel.downloadFullMessage',
};

interface OpenList {
  source: ListSource;
  panel: vscode.WebviewPanel;
  session: ListSession;
}

const listId = (source: ListSource) => (source.kind === 'unified' ? 'unified' : `${source.accountId}:${source.folder}`);

export class MessageListPanels implements vscode.Disposable {
  private readonly panels = new Map<string, OpenList>();
  private active: OpenList | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly mail: MailService,
    private readonly readers: ReaderPanels,
    private readonly context: vscode.ExtensionContext,
    private readonly mailSearch: MailSearch,
  ) {
    this.disposables.push(
      mail.onDidChange((accountId) => {
        for (const list of this.panels.values()) if (accountId === undefined || this.accountsOf(list.source).includes(accountId)) void list.session.reload();
      }),
    );
  }

  /** The selection of the list the user was in last (for commands run from its context menu). */
  get selection(): MessageRef[] {
    return this.active?.session.selection ?? [];
  }

  /** The selection of the list that is the active editor now (palette commands act on it). */
  get activeSelection(): MessageRef[] {
    return this.active?.panel.active ? this.active.session.selection : [];
  }

  /** What the list that is the active editor now shows (palette commands on a folder act on it). */
  get activeSource(): ListSource | undefined {
    return this.active?.panel.active ? this.active.source : undefined;
  }

  /** Search Messages: the Inboxes of all accounts, with `query` in the list's search box. */
  async search(query: string): Promise<void> {
    await this.open({ kind: 'unified' });
    await this.panels.get(listId({ kind: 'unified' }))?.session.search(query);
  }

  async open(source: ListSource): Promise<void> {
    const id = listId(source);
    const existing = this.panels.get(id);
    if (existing) return existing.panel.reveal();
    const dist = vscode.Uri.joinPath(this.context.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('mailPanel.list', this.title(source), vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true });
    const layoutKey = `mailPanel.listLayout.${source.kind === 'unified' ? 'unified' : source.folder}`;
    const session = new ListSession(() => this.title(source), layoutFrom(this.context.globalState.get<Partial<ListLayout>>(layoutKey), source.kind === 'unified'), { unified: source.kind === 'unified', sent: source.kind === 'folder' && isWrittenHere(source.folder) }, {
      post: (message) => void panel.webview.postMessage(message),
      load: () => this.load(source),
      show: async (ref, preview) => {
        // A draft opens in its editor, and only when asked (Enter, double click), not on selection.
        if (source.kind === 'folder' && source.folder === 'drafts') return preview ? undefined : void (await vscode.commands.executeCommand('mailPanel.openDraft', ref.accountId, ref.messageId));
        return this.readers.open(ref.accountId, ref.messageId, { preserveFocus: preview, preview, beside: true });
      },
      act: async (action, refs) => void (await vscode.commands.executeCommand(COMMAND_OF[action], undefined, refs)),
      pageMessage: () => this.readers.pageDown(),
      saveLayout: (layout) => void this.context.globalState.update(layoutKey, layout),
      report: (err) => this.mail.log.error(`message list: ${err instanceof Error ? err.message : String(err)}`),
      wordHits: (leaves, messages, scores) => this.mailSearch.wordHits(leaves, messages, this.accountsOf(source), scores),
    });
    const list: OpenList = { source, panel, session };
    this.panels.set(id, list);
    this.active = list;
    panel.onDidDispose(() => {
      this.panels.delete(id);
      if (this.active === list) this.active = undefined;
    });
    panel.onDidChangeViewState(() => {
      if (panel.active) this.active = list;
    });
    panel.webview.onDidReceiveMessage((m: ListWebviewMessage) => void session.onMessage(m).catch((err: unknown) => this.mail.log.error(`message list: ${String(err)}`)));
    panel.webview.html = listHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'list.js')).toString(),
      codiconsUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
    });
  }

  accountsOf(source: ListSource): string[] {
    return source.kind === 'folder' ? [source.accountId] : this.mail.list().map((a) => a.id);
  }

  title(source: ListSource): string {
    if (source.kind === 'unified') return 'All Inboxes';
    const address = this.mail.account(source.accountId)?.address ?? source.accountId;
    return `${folderLabel(source.folder)} — ${address}`;
  }

  private async load(source: ListSource): Promise<ListMessage[]> {
    const folder = source.kind === 'folder' ? source.folder : 'inbox';
    const messages: ListMessage[] = [];
    for (const accountId of this.accountsOf(source)) {
      const address = this.mail.account(accountId)?.address ?? accountId;
      const store = await this.mail.store(accountId).catch(() => undefined); // an unreadable store: the tree shows its error
      if (store) folderMessages(isWrittenHere(folder) ? store.local(folder) : store, folder, accountId, address, messages);
    }
    return messages;
  }

  dispose(): void {
    for (const list of this.panels.values()) list.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
