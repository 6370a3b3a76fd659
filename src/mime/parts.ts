/**
 * The pieces of a MIME walk that the list's summary and the search index's text share: a part's
 * kind (attachment or not, its file name), multipart bodies split at their boundaries, transfer
 * encodings undone, HTML reduced to its text.
 */
import { parseParameterized, type Headers } from './headers';

export interface PartKind {
  /** The media type, lower case ("text/plain"). */
  type: string;
  params: Map<string, string>;
  /** A file the sender attached (not a body part shown inline). */
  attachment: boolean;
  filename: string | undefined;
}

export function partKind(headers: Headers): PartKind {
  const type = parseParameterized(headers.get('content-type')?.[0] ?? 'text/plain');
  const disposition = parseParameterized(headers.get('content-disposition')?.[0] ?? '');
  const filename = disposition.params.get('filename') ?? type.params.get('name');
  const attachment = disposition.value === 'attachment' || (!!filename && disposition.value !== 'inline');
  return { type: type.value, params: type.params, attachment, filename };
}

/** The parts between "--boundary" lines (the last one may be cut off: that is fine). */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let start = -1;
  let pos = 0;
  for (;;) {
    const at = body.indexOf(delimiter, pos);
    if (at === -1) break;
    const lineStart = at === 0 || body[at - 1] === 0x0a;
    pos = at + delimiter.length;
    if (!lineStart) continue;
    if (start !== -1) parts.push(body.subarray(start, at));
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // closing delimiter
    const eol = body.indexOf(0x0a, pos);
    if (eol === -1) return parts;
    start = eol + 1;
  }
  if (start !== -1) parts.push(body.subarray(start));
  return parts;
}

export function decodeTransfer(body: Buffer, headers: Headers): Buffer {
  const cte = (headers.get('content-transfer-encoding')?.[0] ?? '').trim().toLowerCase();
  if (cte === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (cte === 'quoted-printable') {
    const text = body.toString('latin1').replace(/=\r?\n/g, '');
    return Buffer.from(text.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  }
  return body;
}

/** HTML reduced to its text; line and block ends become line breaks, other tags a space. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/\s+/g, ' ')
    .replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6]|\/blockquote)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/^ | $/gm, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n) % 0x110000));
}
