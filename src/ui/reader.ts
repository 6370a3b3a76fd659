/**
 * Reader panels: one webview panel per open message. The page and its CSP come from
 * src/reader/html.ts; all traffic uses the types of src/shared/readerProtocol.ts.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { readerHtml } from '../reader/html';
import { buildMessageView } from '../reader/viewModel';
import { isExecutable, sanitizeFilename } from '../reader/files';
import type { ParsedMessage } from '../mime/parse';
import { readerRefOf, type HostMessage, type MessageView, type WebviewMessage } from '../shared/readerProtocol';
import type { MailService } from './mailService';
import { setting } from './settings';
import { inFolder } from '../views/treeModel';

export const SOURCE_SCHEME = 'mailpanel-source';

interface OpenPanel {
  panel: vscode.WebviewPanel;
  accountId: string;
  messageId: string;
  view?: MessageView;
  parsed?: ParsedMessage;
  remoteAllowed: boolean;
  /** The message is no longer in the store. */
  gone?: boolean;
}

export interface OpenOptions {
  preserveFocus?: boolean;
  preview?: boolean;
  beside?: boolean;
}

export class ReaderPanels implements vscode.Disposable {
  private readonly panels = new Map<string, OpenPanel>();
  private active: OpenPanel | undefined;
  /** The reader that the next preview replaces. */
  private preview: OpenPanel | undefined;
  /** When a reader panel last became active (to tell it from a later tree selection). */
  lastActivatedAt = 0;

  constructor(
    private readonly mail: MailService,
    private readonly extensionUri: vscode.Uri,
  ) {
    mail.onDidChange((accountId) => void this.checkGone(accountId));
  }

  /** Tells readers whose message left the store; they keep the view and drop the actions. */
  private async checkGone(accountId: string | undefined): Promise<void> {
    for (const state of this.panels.values()) {
      if (state.gone || (accountId !== undefined && state.accountId !== accountId)) continue;
      const store = await this.mail.store(state.accountId).catch(() => undefined);
      if (store && !store.get(state.messageId)) {
        state.gone = true;
        this.post(state, { type: 'gone' });
      }
    }
  }

  /** The message in the active reader panel, for palette commands that act on "this message". */
  get current(): { accountId: string; messageId: string } | undefined {
    return this.active && { accountId: this.active.accountId, messageId: this.active.messageId };
  }

  /**
   * Shows a message. `preserveFocus`: keep the keyboard where it is (a click in the tree or the
   * list). `preview`: show it in the one preview reader, which the next preview replaces (as the
   * Explorer's preview tab does); opening the same message without `preview` keeps that tab.
   * `beside`: next to the active editor (the message list).
   */
  async open(accountId: string, messageId: string, options: OpenOptions = {}): Promise<void> {
    const { preserveFocus = false, preview = false, beside = false } = options;
    const key = `${accountId}/${messageId}`;
    const existing = this.panels.get(key);
    if (existing) {
      if (!preview && existing === this.preview) this.preview = undefined; // kept open from now on
      existing.panel.reveal(undefined, preserveFocus);
      return;
    }
    if (preview && this.preview) return this.showIn(this.preview, accountId, messageId, preserveFocus);
    const store = await this.mail.store(accountId);
    const entry = store.get(messageId);
    if (!entry) {
      void vscode.window.showWarningMessage('This message is no longer in the store.');
      return;
    }
    const viewColumn = beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel('mailPanel.reader', entry.subject || '(no subject)', { viewColumn, preserveFocus }, this.panelOptions());
    await this.adopt(panel, accountId, messageId, preview);
  }

  /** A reader VS Code brings back after a window reload: its webview saved which message it showed. */
  async restore(panel: vscode.WebviewPanel, saved: unknown): Promise<void> {
    const ref = readerRefOf(saved);
    const store = ref && (await this.mail.store(ref.accountId).catch(() => undefined));
    if (!ref || !store?.get(ref.messageId) || this.panels.has(`${ref.accountId}/${ref.messageId}`)) return panel.dispose(); // gone meanwhile
    panel.webview.options = this.panelOptions();
    await this.adopt(panel, ref.accountId, ref.messageId, false);
  }

  private panelOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')], enableFindWidget: true };
  }

  /** Makes `panel` the reader of a message: tracked, wired to the host, loaded, and the message marked read. */
  private async adopt(panel: vscode.WebviewPanel, accountId: string, messageId: string, preview: boolean): Promise<void> {
    const state: OpenPanel = { panel, accountId, messageId, remoteAllowed: false };
    this.panels.set(`${accountId}/${messageId}`, state);
    if (preview) this.preview = state;
    this.active = state;
    this.lastActivatedAt = Date.now();
    panel.onDidDispose(() => {
      this.panels.delete(`${state.accountId}/${state.messageId}`);
      if (this.preview === state) this.preview = undefined;
      if (this.active === state) this.active = undefined;
      void vscode.commands.executeCommand('setContext', 'mailPanel.readerActive', this.active !== undefined);
    });
    panel.onDidChangeViewState(() => {
      if (panel.active) {
        this.active = state;
        this.lastActivatedAt = Date.now();
      }
      void vscode.commands.executeCommand('setContext', 'mailPanel.readerActive', panel.active || this.active !== undefined);
    });
    panel.webview.onDidReceiveMessage((m: WebviewMessage) => void this.onMessage(state, m));
    void vscode.commands.executeCommand('setContext', 'mailPanel.readerActive', true);
    await this.load(state);
    await this.markRead(accountId, messageId);
  }

  /** Shows another message in an open reader (the preview, or next/previous in any reader). */
  private async showIn(state: OpenPanel, accountId: string, messageId: string, preserveFocus: boolean): Promise<void> {
    this.panels.delete(`${state.accountId}/${state.messageId}`);
    Object.assign(state, { accountId, messageId, remoteAllowed: false, view: undefined, parsed: undefined, gone: false });
    this.panels.set(`${accountId}/${messageId}`, state);
    await this.load(state);
    state.panel.reveal(undefined, preserveFocus);
    await this.markRead(accountId, messageId);
  }

  /** The message `step` rows after the shown one in its folder, newest first as in the tree; undefined at the end. */
  private async neighbour(state: OpenPanel, step: 1 | -1): Promise<string | undefined> {
    const store = await this.mail.store(state.accountId);
    const trashed = store.get(state.messageId)?.trashed ?? false;
    const folder = inFolder(store.list(), trashed ? 'trash' : 'inbox');
    const at = folder.findIndex((e) => e.id === state.messageId);
    return at === -1 ? undefined : folder[at + step]?.id;
  }

  /** Next or Previous Message: the active reader moves on in its folder. */
  async step(step: 1 | -1): Promise<void> {
    const state = this.active;
    if (!state) return void vscode.window.showInformationMessage('Open a message first.');
    const next = await this.neighbour(state, step);
    if (!next) return void vscode.window.setStatusBarMessage(step === 1 ? 'No older message in this folder' : 'No newer message in this folder', 3000);
    await this.showIn(state, state.accountId, next, false);
  }

  /** Delete in the reader: the message goes to Trash and the reader shows the next one (or closes at the end). */
  async deleteShown(): Promise<void> {
    const state = this.active;
    if (!state || state.gone) return;
    const { accountId, messageId } = state;
    const next = (await this.neighbour(state, 1)) ?? (await this.neighbour(state, -1));
    await this.mail.change(accountId, (s) => s.trash([messageId]));
    if (next) await this.showIn(state, accountId, next, false);
    else state.panel.dispose();
  }

  private async markRead(accountId: string, messageId: string): Promise<void> {
    const entry = (await this.mail.store(accountId)).get(messageId);
    if (entry && !entry.seen && setting('markReadOnOpen', true)) await this.mail.change(accountId, (s) => s.markSeen([messageId]));
  }

  /** Space in the message list: the message shown scrolls down a page. */
  pageDown(): void {
    const state = this.preview ?? this.active;
    if (state) this.post(state, { type: 'pageDown' });
  }

  /** Re-reads the message (after "Download Full Message") and re-renders. */
  async reload(accountId: string, messageId: string): Promise<void> {
    const state = this.panels.get(`${accountId}/${messageId}`);
    if (state) await this.load(state);
  }

  private async load(state: OpenPanel): Promise<void> {
    const store = await this.mail.store(state.accountId);
    const entry = store.get(state.messageId);
    if (!entry) return;
    const { view, parsed } = await buildMessageView(state.messageId, await store.read(state.messageId), entry.partialOf !== undefined);
    state.view = view;
    state.parsed = parsed;
    state.panel.title = view.subject || '(no subject)';
    this.setHtml(state);
  }

  private setHtml(state: OpenPanel): void {
    const webview = state.panel.webview;
    webview.html = readerHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'reader.js')).toString(),
      remoteAllowed: state.remoteAllowed,
    });
  }

  private post(state: OpenPanel, message: HostMessage): void {
    void state.panel.webview.postMessage(message);
  }

  private async onMessage(state: OpenPanel, message: WebviewMessage): Promise<void> {
    if (state.gone && message.type !== 'openLink' && message.type !== 'ready') {
      void vscode.window.showInformationMessage('This message is no longer stored in Mail Panel.');
      return;
    }
    switch (message.type) {
      case 'ready':
        if (state.view) this.post(state, { type: 'show', message: state.view, remoteAllowed: state.remoteAllowed, ref: { accountId: state.accountId, messageId: state.messageId } });
        if (state.gone) this.post(state, { type: 'gone' });
        break;
      case 'loadRemote':
        // A new page with a policy that permits remote loads; it says 'ready' again.
        state.remoteAllowed = true;
        this.setHtml(state);
        break;
      case 'openLink':
        await openLink(message.url);
        break;
      case 'saveAttachment':
        await this.saveAttachment(state, message.index);
        break;
      case 'openSource':
        await openSource(this.mail, state.accountId, state.messageId);
        break;
      case 'reply':
        await vscode.commands.executeCommand(message.all ? 'mailPanel.replyAll' : 'mailPanel.reply', { accountId: state.accountId, messageId: state.messageId });
        break;
      case 'forward':
        await vscode.commands.executeCommand('mailPanel.forward', { accountId: state.accountId, messageId: state.messageId });
        break;
      case 'downloadFull':
        await vscode.commands.executeCommand('mailPanel.downloadFullMessage', { accountId: state.accountId, messageId: state.messageId });
        break;
    }
  }

  /** From the palette: pick one of the current message's attachments. */
  async saveAttachmentOfCurrent(): Promise<void> {
    const state = this.active;
    if (!state?.view) return void vscode.window.showInformationMessage('Open a message first.');
    if (state.view.attachments.length === 0) return void vscode.window.showInformationMessage('This message has no attachments.');
    const pick = await vscode.window.showQuickPick(
      state.view.attachments.map((a) => ({ label: a.filename, description: `${a.contentType}, ${a.size} bytes`, index: a.index })),
      { title: 'Save Attachment' },
    );
    if (pick) await this.saveAttachment(state, pick.index);
  }

  private async saveAttachment(state: OpenPanel, index: number): Promise<void> {
    const attachment = state.parsed?.attachments[index];
    if (!attachment) return;
    const name = sanitizeFilename(attachment.filename, `attachment-${index + 1}`);
    if (isExecutable(name)) {
      const go = await vscode.window.showWarningMessage(
        `"${name}" is a kind of file that can run programs on your computer.`,
        { modal: true, detail: 'Save it only if you trust the sender and expected this file. Mail Panel never opens attachments by itself.' },
        'Save Anyway',
      );
      if (go !== 'Save Anyway') return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), title: 'Save Attachment' });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, attachment.content);
    void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(target)}.`);
  }

  dispose(): void {
    for (const p of this.panels.values()) p.panel.dispose();
  }
}

/** Links open only after the user has seen where they really go. */
export async function openLink(url: string): Promise<void> {
  let target: vscode.Uri;
  try {
    target = vscode.Uri.parse(url, true);
  } catch {
    return;
  }
  if (!['http', 'https', 'mailto'].includes(target.scheme)) {
    void vscode.window.showWarningMessage(`Mail Panel does not open ${target.scheme}: links.`);
    return;
  }
  const pick = await vscode.window.showInformationMessage('Open this link?', { modal: true, detail: url }, 'Open', 'Copy Link');
  if (pick === 'Open') await vscode.env.openExternal(target);
  else if (pick === 'Copy Link') await vscode.env.clipboard.writeText(url);
}

/** The tab shows the last path segment: the subject, not the Maildir id (which is the segment before). */
export function sourceUri(accountId: string, messageId: string, subject: string): vscode.Uri {
  const title = sanitizeFilename(subject, 'message').replace(/\.eml$/i, '');
  return vscode.Uri.from({ scheme: SOURCE_SCHEME, path: `/${accountId}/${messageId}/${title}.eml` });
}

export async function openSource(mail: MailService, accountId: string, messageId: string): Promise<void> {
  const entry = (await mail.store(accountId)).get(messageId);
  const doc = await vscode.workspace.openTextDocument(sourceUri(accountId, messageId, entry?.subject || '(no subject)'));
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** Read-only documents with a message's raw text (Open Source). */
export class SourceProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly mail: MailService) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const [, accountId, messageId] = uri.path.split('/');
    const store = await this.mail.store(accountId);
    const raw = await store.read(messageId);
    return raw.toString('utf8');
  }
}
