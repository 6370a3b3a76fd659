/**
 * A draft as the Drafts folder keeps it: a small message whose body is the editor's text, verbatim
 * (so nothing typed can be lost or reshaped by a round trip), and whose headers carry what the
 * editor does not show (the account, the message it answers) and, for other mail tools and the
 * Drafts list, its sender, recipients and subject.
 */
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { headerEnd, parseHeaders } from '../mime/headers';
import { readDraft } from './draft';

export interface DraftMeta {
  accountId: string;
  /** Message-ID of the message answered, with its angle brackets. */
  inReplyTo?: string;
  references: string[];
  /** A stored message forwarded (`<accountId>/<message id>`): its attachments, or itself as one, go with the draft. */
  forwardOf?: string;
  forwardAs?: 'inline' | 'attachment';
}

const header = (name: string, value: string) => `${name}: ${encodeWords(value.replace(/[\r\n]+/g, ' '), 'Q', 60)}\r\n`;

export function draftFile(meta: DraftMeta, text: string, date = new Date()): Buffer {
  const { fields } = readDraft(text);
  let head = `X-Mail-Panel-Draft: 1\r\nX-Mail-Panel-Account: ${meta.accountId}\r\n`;
  if (meta.inReplyTo) head += `In-Reply-To: ${meta.inReplyTo}\r\n`;
  if (meta.references.length) head += `References: ${meta.references.join('\r\n ')}\r\n`;
  if (meta.forwardOf) head += `X-Mail-Panel-Forward: ${meta.forwardAs ?? 'inline'} ${meta.forwardOf}\r\n`;
  head += header('From', fields.from) + header('To', [fields.to, fields.cc].filter(Boolean).join(', ')) + header('Subject', fields.subject);
  head += `Date: ${date.toUTCString().replace('GMT', '+0000')}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(text, 'utf8')]);
}

export function readDraftFile(raw: Buffer): { meta: DraftMeta; text: string } {
  const end = headerEnd(raw);
  const headers = parseHeaders(raw);
  const one = (name: string) => headers.get(name)?.[0];
  const ids = (one('references') ?? '').match(/<[^<>\s]+>/g) ?? [];
  return {
    meta: {
      accountId: one('x-mail-panel-account') ?? '',
      inReplyTo: one('in-reply-to') || undefined,
      references: ids,
      ...forwardOf(one('x-mail-panel-forward')),
    },
    text: end === -1 ? '' : raw.subarray(end).toString('utf8'),
  };
}


function forwardOf(value: string | undefined): Pick<DraftMeta, 'forwardOf' | 'forwardAs'> {
  const m = /^(inline|attachment) (\S+)$/.exec(value ?? '');
  return m ? { forwardAs: m[1] as 'inline' | 'attachment', forwardOf: m[2] } : {};
}
