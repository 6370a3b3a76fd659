/**
 * New drafts from a message: Reply, Reply All and Forward, with the subject, the recipients, the
 * thread's ids (In-Reply-To, References) and the quoted text as mail clients have long agreed.
 */
import { htmlToText } from '../mime/parts';
import { capReferences } from '../mime/summary';
import type { ParsedMessage } from '../mime/parse';
import { formatMailboxes, sameAddress, uniqueMailboxes, type Mailbox } from './addresses';
import { emptyFields, type DraftFields } from './draft';
import type { DraftMeta } from './draftFile';

export interface Sender {
  accountId: string;
  /** `Name <address>` as the From line shows it. */
  from: string;
  address: string;
  signature?: string;
}

export interface NewDraft {
  fields: DraftFields;
  meta: DraftMeta;
  /** Where the cursor goes: the body line (0-based, within the body) to write on. */
  cursorLine: number;
}

/** At most this many References in what we send: the first (the thread's root) and the latest ones. */
export const MAX_REFERENCES = 20;

const REPLY_PREFIX = /^\s*((re|aw|sv|antw|vs|ref)(\[\d+\])?\s*:\s*)+/i;
const FORWARD_PREFIX = /^\s*((fwd?|wg|tr|rv)(\[\d+\])?\s*:\s*)+/i;

export function replySubject(subject: string): string {
  return REPLY_PREFIX.test(subject) ? `Re: ${subject.replace(REPLY_PREFIX, '')}` : `Re: ${subject.trim()}`;
}

export function forwardSubject(subject: string): string {
  return FORWARD_PREFIX.test(subject) ? subject.trim() : `Fwd: ${subject.trim()}`;
}

/** The answered message's References followed by its own id, trimmed to MAX_REFERENCES. */
export function replyReferences(message: Pick<ParsedMessage, 'references' | 'messageId'>): string[] {
  const ids = [...message.references];
  if (message.messageId && !ids.includes(message.messageId)) ids.push(message.messageId);
  return capReferences(ids, MAX_REFERENCES);
}

/** The message's text as a reply quotes it: the plain part, or the HTML part reduced to text. */
export function bodyText(message: Pick<ParsedMessage, 'text' | 'html'>): string {
  return (message.text ?? (message.html ? htmlToText(message.html) : '')).replace(/\r\n?/g, '\n').replace(/\n+$/, '');
}

export function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : line === '' ? '>' : `> ${line}`))
    .join('\n');
}

const whenText = (date: Date | undefined) =>
  date ? date.toLocaleString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : undefined;

function attribution(message: ParsedMessage): string {
  const who = formatMailboxes(message.mailboxes.from.slice(0, 1)) || 'someone';
  const when = whenText(message.date);
  return when ? `On ${when}, ${who} wrote:` : `${who} wrote:`;
}

const signed = (body: string, sender: Sender) => (sender.signature ? `${body}\n\n-- \n${sender.signature}` : body);

export function newMessage(sender: Sender, to = ''): NewDraft {
  return { fields: { ...emptyFields(sender.from), to, body: signed('', sender) }, meta: { accountId: sender.accountId, references: [] }, cursorLine: 0 };
}

export function reply(message: ParsedMessage, sender: Sender, all: boolean): NewDraft {
  const { from, to, cc, replyTo } = message.mailboxes;
  const ownMessage = from.some((m) => sameAddress(m.address, sender.address));
  // Mail we sent ourselves is answered to where it went, not back to us.
  let primary: Mailbox[] = ownMessage ? to : replyTo.length ? replyTo : from;
  let copies: Mailbox[] = [];
  if (all) {
    copies = uniqueMailboxes([...(ownMessage ? [] : to), ...cc], [sender.address, ...primary.map((m) => m.address)]);
    primary = uniqueMailboxes(primary, copies.length || primary.length > 1 ? [sender.address] : []);
  }
  if (primary.length === 0) primary = from;
  const quoted = `${attribution(message)}\n${quote(bodyText(message))}\n\n`;
  const fields: DraftFields = {
    ...emptyFields(sender.from),
    to: formatMailboxes(primary),
    cc: formatMailboxes(copies),
    subject: replySubject(message.subject),
    body: signed(quoted, sender),
  };
  const meta: DraftMeta = { accountId: sender.accountId, inReplyTo: message.messageId || undefined, references: replyReferences(message) };
  return { fields, meta, cursorLine: quoted.split('\n').length - 1 };
}

export function forward(message: ParsedMessage, messageKey: string, sender: Sender, as: 'inline' | 'attachment'): NewDraft {
  const meta: DraftMeta = { accountId: sender.accountId, references: [], forwardOf: messageKey, forwardAs: as };
  const fields: DraftFields = { ...emptyFields(sender.from), subject: forwardSubject(message.subject) };
  if (as === 'attachment') return { fields: { ...fields, body: signed('', sender) }, meta, cursorLine: 0 };
  const head = [
    '---------- Forwarded message ----------',
    `From: ${message.from}`,
    ...(message.date ? [`Date: ${whenText(message.date)}`] : []),
    `Subject: ${message.subject}`,
    `To: ${message.to}`,
    ...(message.cc ? [`Cc: ${message.cc}`] : []),
  ];
  return { fields: { ...fields, body: signed(`\n\n${head.join('\n')}\n\n${bodyText(message)}\n`, sender) }, meta, cursorLine: 0 };
}
