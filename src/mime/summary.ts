/**
 * What the message list needs of a message: decoded From/To/Subject/Date, whether it has
 * attachments and a short text snippet. Works on the first bytes of a message (a truncated
 * MIME tree is fine), walking parts with a light scanner: fast enough to run on every
 * message a fetch stores.
 */
import { decodeCharset, decodeHeaderValue, headerEnd, parseHeaders, parseParameterized, type Headers } from './headers';
import { decodeTransfer, htmlToText, partKind, splitMultipart } from './parts';

export interface MessageSummary {
  from: string;
  to: string;
  subject: string;
  /** Milliseconds since the epoch (the Date header; 0 when missing or unreadable). */
  date: number;
  messageId: string;
  /** The message this one answers (the first msg-id of In-Reply-To), or ''. */
  inReplyTo: string;
  /** The thread's ancestors, oldest first (References; at most MAX_REFERENCES of them). */
  references: string[];
  hasAttachments: boolean;
  snippet: string;
}

/** How many leading bytes of a message the summary looks at. */
export const SUMMARY_BYTES = 64 * 1024;
const SNIPPET_CHARS = 160;
/** Body bytes decoded for the snippet: enough for 160 characters after tags and white space. */
const SNIPPET_SOURCE_BYTES = 8 * 1024;
/** References kept per message: the root and the nearest ancestors are what threading uses. */
export const MAX_REFERENCES = 50;

export function summarize(head: Buffer): MessageSummary {
  const headers = parseHeaders(head);
  const first = (name: string) => decodeHeaderValue(headers.get(name)?.[0] ?? '');
  const dateText = headers.get('date')?.[0];
  const parsedDate = dateText ? Date.parse(dateText.replace(/\s*\([^)]*\)\s*$/, '')) : NaN;
  const walk: Walk = { text: undefined, html: undefined, attachments: false };
  walkPart(head, headers, walk, 0);
  const snippetSource = walk.text ?? (walk.html !== undefined ? htmlToText(walk.html) : '');
  return {
    from: first('from'),
    to: first('to'),
    subject: first('subject'),
    date: Number.isFinite(parsedDate) ? parsedDate : 0,
    messageId: (headers.get('message-id')?.[0] ?? '').trim(),
    inReplyTo: messageIds(headers.get('in-reply-to')?.[0] ?? '')[0] ?? '',
    references: capReferences(messageIds((headers.get('references') ?? []).join(' '))),
    hasAttachments: walk.attachments,
    snippet: snippetOf(snippetSource),
  };
}

/** The `<id@host>` tokens of a header (RFC 5322 msg-id; comments and phrases around them ignored). */
export function messageIds(value: string): string[] {
  return value.match(/<[^<>\s]+>/g) ?? [];
}

/** The thread's root and the nearest ancestors, at most `max` ids. */
export function capReferences(ids: string[], max = MAX_REFERENCES): string[] {
  return ids.length <= max ? ids : [ids[0], ...ids.slice(ids.length - max + 1)];
}

/**
 * The first SNIPPET_CHARS characters with white space collapsed and trimmed. A loop that stops
 * once it has enough: a regex pass over the whole 8 KB source cost more than the rest of the summary.
 */
function snippetOf(text: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < text.length && out.length < SNIPPET_CHARS; i++) {
    if (isSpace(text.charCodeAt(i))) {
      space = out.length > 0;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += text[i];
  }
  return out.slice(0, SNIPPET_CHARS);
}

/** Exactly the characters of the regex class \s. */
function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

interface Walk {
  text: string | undefined;
  html: string | undefined;
  attachments: boolean;
}

function walkPart(part: Buffer, headers: Headers, walk: Walk, depth: number): void {
  const kind = partKind(headers);
  if (kind.attachment) {
    walk.attachments = true;
    return;
  }
  const type = { value: kind.type, params: kind.params };
  const disposition = parseParameterized(headers.get('content-disposition')?.[0] ?? '');
  const end = headerEnd(part);
  const body = end === -1 ? Buffer.alloc(0) : part.subarray(end);
  if (type.value.startsWith('multipart/') && depth < 8) {
    const boundary = type.params.get('boundary');
    if (!boundary) return;
    for (const child of splitMultipart(body, boundary)) walkPart(child, parseHeaders(child), walk, depth + 1);
    return;
  }
  const head = body.subarray(0, SNIPPET_SOURCE_BYTES);
  if (type.value === 'text/plain' && walk.text === undefined) {
    walk.text = decodeCharset(decodeTransfer(head, headers), type.params.get('charset'));
  } else if (type.value === 'text/html' && walk.html === undefined) {
    walk.html = decodeCharset(decodeTransfer(head, headers), type.params.get('charset'));
  } else if (!type.value.startsWith('text/') && !type.value.startsWith('multipart/') && type.value !== 'message/rfc822') {
    walk.attachments ||= !disposition.value || disposition.value === 'attachment';
  }
}
