/**
 * Drafts in editor tabs. A draft is a document of the `mail-draft` scheme whose file lives in the
 * account's Drafts folder (store/localFolder.ts): the tab saves itself a moment after each change,
 * so what is typed survives a crash or a reload, and comes back from the Drafts folder. Send turns
 * it into a message in the Outbox, and only then lets the draft go.
 */
import { promises as fs } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { fromLine, type AccountConfig } from '../accounts/account';
import { draftText, readDraft } from '../compose/draft';
import { draftFile, readDraftFile, type DraftMeta } from '../compose/draftFile';
import { markdownToHtml } from '../compose/markdown';
import { buildMessage, type OutgoingPart } from '../compose/outgoing';
import type { NewDraft, Sender } from '../compose/replies';
import { parseMessage } from '../mime/parse';
import { sanitizeFilename } from '../reader/files';
import { attachmentFile, checkAttachments, DRAFT_SCHEME } from './draftAssist';
import type { MailService } from './mailService';
import type { Sending } from './sending';

/** How long typing may pause before the draft is saved into the Drafts folder. */
const AUTOSAVE_MS = 700;

/** mail-draft:/<title>?account=<id>&draft=<id>: the title is only what the tab and breadcrumbs show. */
export function draftUri(accountId: string, draftId: string, subject: string): vscode.Uri {
  const title = (subject.trim() || 'New Message').replace(/[/\\\u0000-\u001f]+/g, ' ').slice(0, 80);
  return vscode.Uri.from({ scheme: DRAFT_SCHEME, path: `/${title}`, query: new URLSearchParams({ account: accountId, draft: draftId }).toString() });
}

export function parseDraftUri(uri: vscode.Uri): { accountId: string; draftId: string } | undefined {
  const query = new URLSearchParams(uri.query);
  const [accountId, draftId] = [query.get('account'), query.get('draft')];
  return accountId && draftId ? { accountId, draftId } : undefined;
}

export class Drafts implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly mail: MailService,
    private readonly sending: Sending,
  ) {
    this.disposables.push(
      vscode.workspace.registerFileSystemProvider(DRAFT_SCHEME, this, { isCaseSensitive: true }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === DRAFT_SCHEME && e.contentChanges.length) this.saveSoon(e.document);
      }),
      // Drafts restored with the window (after a reload) open without show(): give them their language too.
      vscode.workspace.onDidOpenTextDocument((d) => void asDraft(d)),

    );
  }

  /** The sender of an account's mail, as replies and new messages start. */
  sender(account: AccountConfig): Sender {
    return { accountId: account.id, from: fromLine(account), address: account.address, signature: account.signature };
  }

  /** Writes a new draft into the Drafts folder, then opens it with the cursor where writing starts. */
  async create(draft: NewDraft): Promise<vscode.TextEditor> {
    const store = await this.mail.store(draft.meta.accountId);
    const text = draftText(draft.fields);
    const id = await store.local('drafts').write(draftFile(draft.meta, text), undefined, '');
    await this.mail.change(draft.meta.accountId, async () => undefined);
    // A new message starts at To; a reply or forward in its body. The editor opens with the cursor
    // there already, so keys typed at once land in the right place.
    const lines = text.split('\n');
    const at = draft.fields.to ? new vscode.Position(Math.min(readDraft(text).bodyLine + draft.cursorLine, lines.length - 1), 0) : new vscode.Position(1, lines[1].length);
    const editor = await this.show(draft.meta.accountId, id, draft.fields.subject, new vscode.Range(at, at));
    editor.revealRange(new vscode.Range(at, at));
    return editor;
  }

  /** Opens a stored draft (from the Drafts folder). */
  async show(accountId: string, draftId: string, subject?: string, selection?: vscode.Range): Promise<vscode.TextEditor> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === DRAFT_SCHEME && parseDraftUri(d.uri)?.draftId === draftId);
    const document = open ?? (await vscode.workspace.openTextDocument(draftUri(accountId, draftId, subject ?? (await this.mail.store(accountId)).get(draftId)?.subject ?? '')));
    return vscode.window.showTextDocument(await asDraft(document), { preview: false, selection });
  }

  /** Sends the draft of `document`: checks it, queues the message, then lets the draft go. */
  async send(document: vscode.TextDocument): Promise<boolean> {
    const ref = parseDraftUri(document.uri);
    if (!ref) return false;
    if (document.isDirty) await document.save();
    const draft = readDraft(document.getText());
    const problem = draft.problems.find((p) => p.severity === 'error');
    if (problem) {
      void vscode.window.showErrorMessage(`Not sent: ${problem.message}`);
      return false;
    }
    const attachCheck = await checkAttachments(draft.fields.attach);
    if (attachCheck.missing.length) {
      void vscode.window.showErrorMessage(`Not sent: ${attachCheck.missing[0]} cannot be read.`);
      return false;
    }
    if (!draft.fields.subject.trim()) {
      const go = await vscode.window.showWarningMessage('Send this message without a subject?', { modal: true }, 'Send');
      if (go !== 'Send') return false;
    }
    const account = this.mail.account(ref.accountId);
    if (!account) {
      void vscode.window.showErrorMessage('Not sent: the account of this draft is no longer set up.');
      return false;
    }
    const store = await this.mail.store(ref.accountId);
    const { meta } = readDraftFile(await store.read(ref.draftId));
    const attachments: OutgoingPart[] = [];
    for (const path of draft.fields.attach) {
      const file = attachmentFile(path);
      attachments.push({ filename: basename(file), content: await fs.readFile(file) });
    }
    attachments.push(...(await this.forwarded(meta)));
    const outgoing = await buildMessage(draft, meta, { attachments, markdownToHtml });
    await this.sending.queue(account, outgoing);
    // Queued durably: the draft may go.
    await closeTabsOf(document.uri);
    await this.mail.change(ref.accountId, (s) => s.local('drafts').remove(ref.draftId));
    return true;
  }

  /** A forwarded message's part of the new one: its attachments (inline) or itself (as attachment). */
  private async forwarded(meta: DraftMeta): Promise<OutgoingPart[]> {
    if (!meta.forwardOf) return [];
    const [accountId, messageId] = meta.forwardOf.split('/');
    const store = await this.mail.store(accountId);
    const raw = await store.read(messageId).catch(() => undefined);
    if (!raw) throw new Error('The forwarded message is no longer in the store.');
    if (meta.forwardAs === 'attachment') return [{ filename: `${sanitizeFilename(store.get(messageId)?.subject || 'message', 'message')}.eml`, content: raw, contentType: 'message/rfc822' }];
    return (await parseMessage(raw)).attachments.filter((a) => !a.related).map((a) => ({ filename: a.filename || 'attachment', content: a.content, contentType: a.contentType }));
  }

  /** Deletes a draft (after the user said so). */
  async discard(document: vscode.TextDocument): Promise<void> {
    const ref = parseDraftUri(document.uri);
    if (!ref) return;
    const pick = await vscode.window.showWarningMessage('Discard this draft?', { modal: true, detail: 'It is deleted from the Drafts folder.' }, 'Discard');
    if (pick !== 'Discard') return;
    await closeTabsOf(document.uri);
    await this.mail.change(ref.accountId, (s) => s.local('drafts').remove(ref.draftId));
  }

  private saveSoon(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (document.isDirty && !document.isClosed) void document.save();
      }, AUTOSAVE_MS),
    );
  }

  // ---- the file system of drafts ----------------------------------------------------------------

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const path = await this.pathOf(uri);
    const s = await fs.stat(path).catch(() => undefined);
    if (!s) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: vscode.FileType.File, ctime: s.ctimeMs, mtime: s.mtimeMs, size: s.size };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return Buffer.from(readDraftFile(await fs.readFile(await this.pathOf(uri))).text, 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const ref = parseDraftUri(uri);
    if (!ref) throw vscode.FileSystemError.NoPermissions(uri);
    const store = await this.mail.store(ref.accountId);
    const drafts = store.local('drafts');
    const before = store.get(ref.draftId);
    if (!before) throw vscode.FileSystemError.FileNotFound(uri); // sent or discarded meanwhile
    const { meta } = readDraftFile(await drafts.read(ref.draftId));
    await drafts.write(draftFile(meta, Buffer.from(content).toString('utf8')), ref.draftId, '');
    const after = store.get(ref.draftId);
    // The tree and lists show a draft's subject and recipients: tell them only when those changed.
    if (after?.subject !== before.subject || after?.to !== before.to) await this.mail.change(ref.accountId, async () => undefined);
    this.changes.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  private async pathOf(uri: vscode.Uri): Promise<string> {
    const ref = parseDraftUri(uri);
    const path = ref && (await this.mail.store(ref.accountId).catch(() => undefined))?.local('drafts').pathOf(ref.draftId);
    if (!path) throw vscode.FileSystemError.FileNotFound(uri);
    return path;
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.changes.dispose();
  }
}

/** A document of the draft scheme in the mail-draft language (colours, word wrap, no minimap). */
async function asDraft(document: vscode.TextDocument): Promise<vscode.TextDocument> {
  if (document.uri.scheme !== DRAFT_SCHEME || document.languageId === 'mail-draft') return document;
  return vscode.languages.setTextDocumentLanguage(document, 'mail-draft');
}

/** Closes the tabs showing `uri`, saved first (so that closing asks nothing). */
async function closeTabsOf(uri: vscode.Uri): Promise<void> {
  const same = (u: vscode.Uri) => u.toString() === uri.toString();
  for (const d of vscode.workspace.textDocuments) if (same(d.uri) && d.isDirty) await d.save();
  await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && same(t.input.uri)));
}
