/**
 * A draft as the user edits it: a header block (From, To, Cc, Bcc, Subject, and Attach lines for
 * files), a blank line, then the body, as in a message. Reading it back gives the fields and, by
 * line, what is wrong with them, so the editor can underline them and Send can refuse with reasons.
 */
import { parseAddresses, type Mailbox } from './addresses';

export type BodyFormat = 'plain' | 'markdown';

export interface DraftFields {
  from: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  /** Files to attach, as typed (absolute paths or file: URIs). */
  attach: string[];
  format: BodyFormat;
  body: string;
}

export interface DraftProblem {
  /** 0-based line of the document. */
  line: number;
  message: string;
  /** A draft with errors cannot be sent; warnings only inform. */
  severity: 'error' | 'warning';
}

export interface ReadDraft {
  fields: DraftFields;
  from?: Mailbox;
  recipients: { to: Mailbox[]; cc: Mailbox[]; bcc: Mailbox[] };
  problems: DraftProblem[];
  /** Line of each header field, for the editor (completion, diagnostics). */
  lines: Map<string, number>;
  /** First line of the body. */
  bodyLine: number;
}

const SINGLE = ['From', 'To', 'Cc', 'Bcc', 'Subject', 'Format'] as const;
export const DRAFT_FIELDS: readonly string[] = [...SINGLE, 'Attach'];
const ADDRESS_FIELDS = ['to', 'cc', 'bcc'] as const;

export function emptyFields(from: string): DraftFields {
  return { from, to: '', cc: '', bcc: '', subject: '', attach: [], format: 'plain', body: '' };
}

/** The document the editor shows. */
export function draftText(f: DraftFields): string {
  const head = [`From: ${f.from}`, `To: ${f.to}`, `Cc: ${f.cc}`, `Bcc: ${f.bcc}`, `Subject: ${f.subject}`];
  for (const a of f.attach) head.push(`Attach: ${a}`);
  if (f.format === 'markdown') head.push('Format: markdown');
  return `${head.join('\n')}\n\n${f.body}`;
}

export function readDraft(text: string): ReadDraft {
  const all = text.replace(/\r\n?/g, '\n').split('\n');
  const fields = emptyFields('');
  const problems: DraftProblem[] = [];
  const lines = new Map<string, number>();
  let i = 0;
  let last: string | undefined;
  for (; i < all.length && all[i].trim() !== ''; i++) {
    const line = all[i];
    if (/^[ \t]/.test(line) && last) {
      // A continuation: long address lists may wrap.
      if (last === 'attach') fields.attach[fields.attach.length - 1] += ` ${line.trim()}`;
      else (fields as unknown as Record<string, string>)[last] += ` ${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z-]+)[ \t]*:[ \t]?(.*)$/.exec(line);
    const name = m ? DRAFT_FIELDS.find((n) => n.toLowerCase() === m[1].toLowerCase()) : undefined;
    if (!m || !name) {
      problems.push({ line: i, severity: 'error', message: `"${line.slice(0, 40)}" is not one of the draft's header lines (${DRAFT_FIELDS.join(', ')}). Leave a blank line before the text of the message.` });
      last = undefined;
      continue;
    }
    const key = name.toLowerCase();
    const value = m[2].trim();
    last = key;
    if (key === 'attach') {
      if (value) lines.set(`attach:${fields.attach.push(value) - 1}`, i);
      continue;
    }
    if (lines.has(key)) problems.push({ line: i, severity: 'error', message: `${name} appears twice.` });
    lines.set(key, i);
    if (key === 'format') {
      if (value.toLowerCase() === 'markdown' || value.toLowerCase() === 'plain') fields.format = value.toLowerCase() as BodyFormat;
      else problems.push({ line: i, severity: 'error', message: 'Format is "plain" or "markdown".' });
    } else (fields as unknown as Record<string, string>)[key] = value;
  }
  const bodyLine = Math.min(i + 1, all.length);
  fields.body = all.slice(bodyLine).join('\n');

  const recipients = { to: [] as Mailbox[], cc: [] as Mailbox[], bcc: [] as Mailbox[] };
  for (const key of ADDRESS_FIELDS) {
    const { mailboxes, bad } = parseAddresses(fields[key]);
    recipients[key] = mailboxes;
    for (const b of bad) problems.push({ line: lines.get(key) ?? 0, severity: 'error', message: `"${b}" is not an e-mail address.` });
  }
  const from = parseAddresses(fields.from);
  if (from.mailboxes.length !== 1 || from.bad.length > 0) problems.push({ line: lines.get('from') ?? 0, severity: 'error', message: 'From must be one address, like Name <name@example.org>.' });
  if (recipients.to.length + recipients.cc.length + recipients.bcc.length === 0) {
    problems.push({ line: lines.get('to') ?? 0, severity: 'error', message: 'Add at least one recipient (To, Cc or Bcc).' });
  }
  return { fields, from: from.mailboxes[0], recipients, problems, lines, bodyLine };
}
