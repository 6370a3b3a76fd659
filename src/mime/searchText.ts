/**
 * What of a message the search index reads: the sender, the recipients (To and Cc), the subject,
 * the text of every body part (decoded from its transfer encoding and charset; HTML reduced to
 * text; of an alternative, the plain text), the text of forwarded messages, and the names of the
 * attached files (their contents are not read: mostly not text, and a PDF's words would need a
 * parser of their own).
 */
import { decodeCharset, decodeHeaderValue, headerEnd, parseHeaders, type Headers } from './headers';
import { decodeTransfer, htmlToText, partKind, splitMultipart } from './parts';

export interface SearchText {
  from: string;
  to: string;
  subject: string;
  body: string;
  attachments: string[];
}

/** Body text read per message at most: a mailing list digest is long, a log pasted in longer. */
export const MAX_BODY_CHARS = 1 << 20;
const MAX_DEPTH = 8;

export function searchText(message: Buffer): SearchText {
  const headers = parseHeaders(message);
  const header = (name: string) => (headers.get(name) ?? []).map(decodeHeaderValue).join(', ');
  const found = { body: [] as string[], chars: 0, attachments: [] as string[] };
  walk(message, headers, found, 0);
  return { from: header('from'), to: [header('to'), header('cc')].filter(Boolean).join(', '), subject: header('subject'), body: found.body.join('\n'), attachments: found.attachments };
}

interface Found {
  body: string[];
  chars: number;
  attachments: string[];
}

function walk(part: Buffer, headers: Headers, found: Found, depth: number): void {
  const kind = partKind(headers);
  if (kind.attachment) {
    if (kind.filename) found.attachments.push(kind.filename); // decoded already (RFC 2231, RFC 2047)
    return;
  }
  if (found.chars >= MAX_BODY_CHARS || depth > MAX_DEPTH) return;
  const end = headerEnd(part);
  const body = end === -1 ? Buffer.alloc(0) : part.subarray(end);
  if (kind.type.startsWith('multipart/')) {
    const boundary = kind.params.get('boundary');
    if (!boundary) return;
    const children = splitMultipart(body, boundary).map((child) => ({ child, headers: parseHeaders(child) }));
    // Of the same text as plain and HTML, the plain one (the other would only say it again).
    const plain = kind.type === 'multipart/alternative' ? children.find((c) => partKind(c.headers).type === 'text/plain') : undefined;
    for (const c of plain ? [plain] : children) walk(c.child, c.headers, found, depth + 1);
    return;
  }
  if (kind.type === 'message/rfc822') {
    const inner = decodeTransfer(body, headers);
    const innerHeaders = parseHeaders(inner);
    add(found, ['from', 'to', 'subject'].flatMap((name) => (innerHeaders.get(name) ?? []).map(decodeHeaderValue)).join('\n'));
    walk(inner, innerHeaders, found, depth + 1);
    return;
  }
  if (kind.type === 'text/plain' || kind.type === 'text/html') {
    const text = decodeCharset(decodeTransfer(body, headers), kind.params.get('charset'));
    add(found, kind.type === 'text/html' ? htmlToText(text) : text);
  }
}

function add(found: Found, text: string): void {
  const room = MAX_BODY_CHARS - found.chars;
  const kept = text.length > room ? text.slice(0, room) : text;
  found.body.push(kept);
  found.chars += kept.length;
}
