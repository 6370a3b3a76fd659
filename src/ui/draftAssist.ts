/**
 * Help while writing a draft: problems underlined on their line (a bad address, a file that cannot
 * be attached, attachments too large for most servers), addresses completed from the mail in the
 * store, and files attached by dropping them from the Explorer or picking them.
 */
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { formatMailbox, parseAddresses } from '../compose/addresses';
import { readDraft } from '../compose/draft';
import { formatSize } from '../shared/format';
import type { MailService } from './mailService';

export const DRAFT_SCHEME = 'mail-draft';

/** Above this, many servers refuse a message (attachments grow by a third in base64). */
export const LARGE_ATTACHMENTS_BYTES = 10 * 1024 * 1024;

/** An Attach line's file: a path (~ for home) or a file: URI. */
export function attachmentFile(value: string): string {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (/^file:/i.test(v)) return vscode.Uri.parse(v).fsPath;
  return v.startsWith('~/') ? `${homedir()}${v.slice(1)}` : v;
}

export async function checkAttachments(paths: string[]): Promise<{ missing: string[]; sizes: number[]; total: number }> {
  const missing: string[] = [];
  const sizes: number[] = [];
  for (const p of paths) {
    const s = await fs.stat(attachmentFile(p)).catch(() => undefined);
    if (!s?.isFile()) missing.push(p);
    sizes.push(s?.isFile() ? s.size : 0);
  }
  return { missing, sizes, total: sizes.reduce((a, b) => a + b, 0) };
}

export function registerDraftAssist(mail: MailService): vscode.Disposable {
  const diagnostics = vscode.languages.createDiagnosticCollection('mail-draft');
  const timers = new Map<string, NodeJS.Timeout>();
  const check = async (document: vscode.TextDocument) => {
    const draft = readDraft(document.getText());
    // "No recipient" is for Send to say: a new message starts without one.
    const found = draft.problems.filter((p) => !/at least one recipient/.test(p.message)).map((p) => new vscode.Diagnostic(document.lineAt(p.line).range, p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning));
    const files = await checkAttachments(draft.fields.attach);
    draft.fields.attach.forEach((path, i) => {
      const line = draft.lines.get(`attach:${i}`);
      if (line === undefined) return;
      if (files.missing.includes(path)) found.push(new vscode.Diagnostic(document.lineAt(line).range, `${path} cannot be read: it would not be attached.`, vscode.DiagnosticSeverity.Error));
      else if (files.total > LARGE_ATTACHMENTS_BYTES) found.push(new vscode.Diagnostic(document.lineAt(line).range, `${formatSize(files.sizes[i])} of ${formatSize(files.total)} attached: many servers refuse messages over ${formatSize(LARGE_ATTACHMENTS_BYTES)}.`, vscode.DiagnosticSeverity.Warning));
    });
    if (!document.isClosed) diagnostics.set(document.uri, found);
  };
  const checkSoon = (document: vscode.TextDocument) => {
    if (document.uri.scheme !== DRAFT_SCHEME) return;
    const key = document.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => void check(document), 250));
  };
  return vscode.Disposable.from(
    diagnostics,
    vscode.workspace.onDidOpenTextDocument(checkSoon),
    vscode.workspace.onDidChangeTextDocument((e) => checkSoon(e.document)),
    vscode.workspace.onDidCloseTextDocument((d) => diagnostics.delete(d.uri)),
    vscode.languages.registerCompletionItemProvider({ scheme: DRAFT_SCHEME }, new AddressCompletion(mail), ',', ' ', ':'),
    vscode.languages.registerDocumentDropEditProvider({ scheme: DRAFT_SCHEME }, { provideDocumentDropEdits: (document, _position, data) => dropFiles(document, data) }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}

/** Inserts Attach lines at the end of the header block. */
export function attachEdit(document: vscode.TextDocument, files: vscode.Uri[]): vscode.WorkspaceEdit {
  const headerEnd = Math.max(0, readDraft(document.getText()).bodyLine - 1);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(document.uri, new vscode.Position(headerEnd, 0), files.map((f) => `Attach: ${f.fsPath}\n`).join(''));
  return edit;
}

async function dropFiles(document: vscode.TextDocument, data: vscode.DataTransfer): Promise<vscode.DocumentDropEdit | undefined> {
  const list = await data.get('text/uri-list')?.asString();
  const files = (list ?? '').split(/\r?\n/).filter((l) => l && !l.startsWith('#')).map((l) => vscode.Uri.parse(l.trim())).filter((u) => u.scheme === 'file');
  if (!files.length) return undefined;
  const drop = new vscode.DocumentDropEdit('');
  drop.additionalEdit = attachEdit(document, files);
  return drop;
}

/** Addresses from the To/Cc/Bcc lines: the people in the store's mail, most frequent first. */
class AddressCompletion implements vscode.CompletionItemProvider {
  private known: Promise<Array<{ text: string; address: string; count: number }>> | undefined;

  constructor(private readonly mail: MailService) {
    mail.onDidChange(() => (this.known = undefined));
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const draft = readDraft(document.getText());
    if (position.line >= draft.bodyLine - 1) return undefined;
    // The field of this line, or of the line a continuation belongs to.
    let line = position.line;
    while (line > 0 && /^[ \t]/.test(document.lineAt(line).text)) line--;
    if (!/^(to|cc|bcc)\s*:/i.test(document.lineAt(line).text)) return undefined;
    const before = document.lineAt(position.line).text.slice(0, position.character);
    const start = Math.max(before.lastIndexOf(',') + 1, line === position.line ? before.indexOf(':') + 1 : 0);
    const typed = before.slice(start);
    const range = new vscode.Range(position.line, start + (typed.length - typed.trimStart().length), position.line, position.character);
    this.known ??= this.collect();
    return (await this.known).slice(0, 2000).map((k, i) => {
      const item = new vscode.CompletionItem({ label: k.text, description: `${k.count} message${k.count === 1 ? '' : 's'}` }, vscode.CompletionItemKind.User);
      item.range = range;
      item.filterText = k.text;
      item.sortText = String(i).padStart(5, '0');
      item.insertText = k.text;
      return item;
    });
  }

  private async collect(): Promise<Array<{ text: string; address: string; count: number }>> {
    const byAddress = new Map<string, { text: string; address: string; count: number }>();
    for (const account of this.mail.list()) {
      const entries = await this.mail.messages(account.id).catch(() => []);
      for (const [i, e] of entries.slice(0, 20_000).entries()) {
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve)); // the host stays responsive
        for (const m of parseAddresses([e.from, e.to].join(', ')).mailboxes) {
          const key = m.address.toLowerCase();
          const known = byAddress.get(key);
          if (known) known.count++;
          else byAddress.set(key, { text: formatMailbox(m), address: m.address, count: 1 });
        }
      }
    }
    return [...byAddress.values()].sort((a, b) => b.count - a.count);
  }
}
