/**
 * The message a draft becomes: RFC 5322 bytes built with nodemailer's MIME tree (encoded words,
 * transfer encodings, boundaries), a plain part in format=flowed, an HTML alternative when the
 * draft is written in Markdown, attachments; and the envelope (Bcc goes there, never in a header).
 */
import { randomUUID } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import { detectMimeType } from 'nodemailer/lib/mime-funcs';
import type { Envelope } from '../smtp/smtpClient';
import type { ReadDraft } from './draft';
import type { DraftMeta } from './draftFile';
import { toFlowed } from './flowed';
import { uniqueMailboxes } from './addresses';

export interface OutgoingPart {
  filename: string;
  content: Buffer;
  /** Derived from the file name when not given. */
  contentType?: string;
}

export interface Outgoing {
  raw: Buffer;
  envelope: Envelope;
  messageId: string;
}

export interface BuildOptions {
  date?: Date;
  attachments?: OutgoingPart[];
  /** Renders Markdown to HTML (given by the caller, so the library stays behind one module). */
  markdownToHtml?: (markdown: string) => string;
}

export async function buildMessage(draft: ReadDraft, meta: DraftMeta, options: BuildOptions = {}): Promise<Outgoing> {
  const errors = draft.problems.filter((p) => p.severity === 'error');
  if (errors.length || !draft.from) throw new Error(errors.map((p) => p.message).join(' ') || 'The draft has no sender.');
  const { fields, from, recipients } = draft;
  const attachments = options.attachments ?? [];
  const domain = from.address.split('@').pop() || 'localhost';
  const messageId = `<${randomUUID()}@${domain}>`;

  const text = { type: 'text/plain; charset=utf-8; format=flowed', content: toFlowed(fields.body) };
  const html = fields.format === 'markdown' && options.markdownToHtml ? { type: 'text/html; charset=utf-8', content: options.markdownToHtml(fields.body) } : undefined;
  const root = new MimeNode(attachments.length ? 'multipart/mixed' : html ? 'multipart/alternative' : text.type, { textEncoding: 'B' });
  const bodyParent = attachments.length && html ? root.createChild('multipart/alternative') : root;
  if (attachments.length || html) {
    bodyParent.createChild(text.type).setContent(text.content);
    if (html) bodyParent.createChild(html.type).setContent(html.content);
  } else root.setContent(text.content);
  for (const a of attachments) {
    const type = a.contentType ?? detectMimeType(a.filename) ?? 'application/octet-stream';
    const node = root.createChild(type, { filename: a.filename });
    node.setHeader('Content-Disposition', 'attachment');
    // A forwarded message is text: 7bit or 8bit as it came, never re-encoded (RFC 2046 5.2.1).
    if (type === 'message/rfc822') node.setHeader('Content-Transfer-Encoding', /[\x80-\xff]/.test(a.content.toString('latin1')) ? '8bit' : '7bit');
    node.setContent(a.content);
  }

  root.setHeader('From', from);
  if (recipients.to.length) root.setHeader('To', recipients.to);
  if (recipients.cc.length) root.setHeader('Cc', recipients.cc);
  root.setHeader('Subject', fields.subject);
  root.setHeader('Date', (options.date ?? new Date()).toUTCString().replace(/GMT$/, '+0000'));
  root.setHeader('Message-ID', messageId);
  if (meta.inReplyTo) root.setHeader('In-Reply-To', meta.inReplyTo);
  if (meta.references.length) root.setHeader('References', meta.references.join(' '));
  root.setHeader('User-Agent', 'Mail Panel');

  const everyone = uniqueMailboxes([...recipients.to, ...recipients.cc, ...recipients.bcc]);
  return { raw: await root.build(), envelope: { from: from.address, to: everyone.map((m) => m.address) }, messageId };
}
