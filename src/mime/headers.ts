/**
 * Fast header reading for the message index: splits the header block, unfolds lines, decodes
 * RFC 2047 encoded-words and raw 8-bit text in any charset the runtime's TextDecoder knows.
 * The full MIME view (bodies, attachments) goes through src/mime/parse.ts instead.
 */

export type Headers = Map<string, string[]>;

const CRLF_CRLF = Buffer.from('\r\n\r\n');
const LF_LF = Buffer.from('\n\n');

/** Where the header block ends: the offset of the body (after the blank line), or -1. */
export function headerEnd(message: Buffer): number {
  const crlf = message.indexOf(CRLF_CRLF);
  // A bare-LF blank line counts only before the CRLF one: search no further (a body can be long).
  const lf = (crlf === -1 ? message : message.subarray(0, crlf + 2)).indexOf(LF_LF);
  if (crlf === -1 && lf === -1) return -1;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return crlf + 4;
  return lf + 2;
}

/** Parses the header block into lower-cased names -> raw (undecoded, unfolded) values, in order. */
export function parseHeaders(message: Buffer): Headers {
  const end = headerEnd(message);
  const block = message.subarray(0, end === -1 ? message.length : end).toString('latin1');
  const headers: Headers = new Map();
  let name = '';
  let value = '';
  const flush = () => {
    if (!name) return;
    const list = headers.get(name);
    if (list) list.push(value.trim());
    else headers.set(name, [value.trim()]);
  };
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    if (line[0] === ' ' || line[0] === '\t') {
      value += ` ${line.trim()}`; // folded continuation
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // a header line without a colon: skip it, keep the rest
    flush();
    name = line.slice(0, colon).trim().toLowerCase();
    value = line.slice(colon + 1);
  }
  flush();
  return headers;
}

// windows-1252's 0x80-0x9F (Node's TextDecoder leaves them as C1 controls, unlike WHATWG's).
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';
const LATIN1_LABELS = new Set(['windows-1252', 'cp1252', 'iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii']);

function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1').replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}

/** Bytes in `charset` to text; unknown charsets fall back to UTF-8 if valid, else windows-1252. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
  // As in browsers (WHATWG Encoding), Latin-1 labels mean windows-1252; 8-bit "ascii" is too.
  if (LATIN1_LABELS.has(label)) return decodeWindows1252(bytes);
  if (label) {
    try {
      return new TextDecoder(label === 'utf8' ? 'utf-8' : label).decode(bytes);
    } catch {
      // unknown label: fall through to the guess below
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return decodeWindows1252(bytes); // the usual truth behind undeclared 8-bit mail
  }
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/**
 * Decodes a header value: RFC 2047 encoded-words (white space between adjacent words dropped)
 * and raw 8-bit bytes (UTF-8 if valid, else windows-1252). `raw` holds bytes as latin1 chars.
 */
export function decodeHeaderValue(raw: string): string {
  const pieces: string[] = [];
  let last = 0;
  let prevWasWord = false;
  for (const match of raw.matchAll(ENCODED_WORD)) {
    const between = raw.slice(last, match.index);
    if (!(prevWasWord && /^\s*$/.test(between))) pieces.push(decodeRaw(between));
    const [, charsetSpec, encoding, text] = match;
    const charset = charsetSpec.split('*')[0]; // RFC 2231 language suffix
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    pieces.push(decodeCharset(bytes, charset));
    last = match.index + match[0].length;
    prevWasWord = true;
  }
  pieces.push(decodeRaw(raw.slice(last)));
  return pieces.join('').replace(/[\r\n\t]+/g, ' ');
}

function decodeRaw(text: string): string {
  return /[^\x00-\x7f]/.test(text) ? decodeCharset(Buffer.from(text, 'latin1'), undefined) : text;
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

/** Reads `value; name=param; ...` (Content-Type, Content-Disposition), with RFC 2231 continuations. */
export function parseParameterized(raw: string): { value: string; params: Map<string, string> } {
  const parts = splitOutsideQuotes(raw, ';');
  const params = new Map<string, string>();
  const continued = new Map<string, string[]>();
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    let val = part.slice(eq + 1).trim();
    if (val.startsWith('"') && val.endsWith('"') && val.length >= 2) val = val.slice(1, -1).replace(/\\(.)/g, '$1');
    const cont = /^(.+?)\*(\d+)?(\*)?$/.exec(key);
    if (cont) {
      const [, base, index, extended] = cont;
      const list = continued.get(base) ?? [];
      list[Number(index ?? 0)] = extended || (!index && key.endsWith('*')) ? `\u0000${val}` : val;
      continued.set(base, list);
    } else params.set(key, decodeHeaderValue(val));
  }
  for (const [base, list] of continued) {
    const joined = list.join('');
    if (joined.startsWith('\u0000')) {
      // RFC 2231 extended: charset'lang'percent-encoded (only the first piece names the charset)
      const raw = joined.replace(/\u0000/g, '');
      const m = /^([^']*)'[^']*'(.*)$/s.exec(raw);
      const bytes = Buffer.from((m ? m[2] : raw).replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      params.set(base, decodeCharset(bytes, m?.[1] || 'utf-8'));
    } else params.set(base, decodeHeaderValue(joined));
  }
  return { value: parts[0].trim().toLowerCase(), params };
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (c === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}
