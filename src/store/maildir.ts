/**
 * Maildir file names (https://cr.yp.to/proto/maildir.html, with Dovecot's `,S=` size field).
 * Each stored message's name carries what is needed to rebuild everything else from the
 * Maildir alone: its size, the server's UIDL (`,U=` base64url, since a UIDL may hold `/` or `:`),
 * for a headers-only copy the full size on the server (`,P=`), and the LIST size at download when it
 * differs from both (`,L=`, which vouches for the message before any DELE). Flags follow `:2,`.
 * The UIDL field holds the store's key of the message (sync/identity.ts), at most about 70
 * characters, so a name stays well within 255 bytes.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const FLAG_SEEN = 'S';
export const FLAG_TRASHED = 'T';

/** The directories that hold a Maildir's messages (tmp/ holds deliveries not yet made). */
export type MaildirDir = 'new' | 'cur';
export const DIRS: readonly MaildirDir[] = ['new', 'cur'];

export interface MaildirFile {
  /** Stable unique part of the name; the message's id in the store. */
  id: string;
  dir: MaildirDir;
  file: string;
  size: number;
  uidl?: string;
  /** Set on a headers-only copy: the message's full size on the server. */
  partialOf?: number;
  /** The server's LIST size at download, when it differs from the stored size (see sync/identity). */
  listSize?: number;
  /** Maildir flags, sorted (e.g. "ST"). */
  flags: string;
}

let counter = 0;
// Capped: a file name has 255 bytes, and the id is only one of its fields.
const host = hostname().replace(/[^A-Za-z0-9-]/g, '-').slice(0, 32) || 'localhost';
/** Random per process, not per message: pid + counter are unique within it, this tells processes with a reused pid apart. */
const processTag = randomBytes(4).toString('hex');

export function newMessageId(): string {
  const now = Date.now();
  const seconds = Math.floor(now / 1000);
  const micros = (now % 1000) * 1000;
  return `${seconds}.M${micros}P${process.pid}Q${++counter}R${processTag}.${host}`;
}

export function fileName(m: Omit<MaildirFile, 'file'>): string {
  let name = `${m.id},S=${m.size}`;
  if (m.uidl !== undefined) name += `,U=${Buffer.from(m.uidl, 'latin1').toString('base64url')}`;
  if (m.partialOf !== undefined) name += `,P=${m.partialOf}`;
  if (m.listSize !== undefined && m.listSize !== (m.partialOf ?? m.size)) name += `,L=${m.listSize}`;
  return m.dir === 'cur' ? `${name}:2,${sortFlags(m.flags)}` : name;
}

/** The name of a file in cur/ with these flags: all before `:2,` kept as it is. */
export function withFlags(file: string, flags: string): string {
  const colon = file.indexOf(':2,');
  return `${colon === -1 ? file : file.slice(0, colon)}:2,${sortFlags(flags)}`;
}

/** Whether a name in new/ or cur/ is a message's: not hidden, and an id before any field or flags. */
function isMessageName(file: string): boolean {
  const first = file.charCodeAt(0);
  return file.length > 0 && first !== 46 /* . */ && first !== 44 /* , */ && !file.startsWith(':2,');
}

export function parseFileName(file: string, dir: MaildirDir): MaildirFile | undefined {
  if (!isMessageName(file)) return undefined;
  // Hot on open (one call per stored message): indexOf and slice, no split or regex.
  const colon = file.indexOf(':2,');
  const base = colon === -1 ? file : file.slice(0, colon);
  const comma = base.indexOf(',');
  const id = comma === -1 ? base : base.slice(0, comma);
  const out: MaildirFile = { id, dir, file, size: -1, flags: flagsOf(file) };
  let at = comma;
  while (at !== -1) {
    const next = base.indexOf(',', at + 1);
    const end = next === -1 ? base.length : next;
    // A field is a letter and '=': read in place, the value the only string made.
    if (base.charCodeAt(at + 2) === 61 /* = */) {
      const key = base.charCodeAt(at + 1);
      if (key === 83 /* S */) out.size = toCount(base, at + 3, end) ?? -1;
      else if (key === 85 /* U */) out.uidl = uidlOf(base.slice(at + 3, end));
      else if (key === 80 /* P */) out.partialOf = toCount(base, at + 3, end);
      else if (key === 76 /* L */) out.listSize = toCount(base, at + 3, end);
    }
    at = next;
  }
  return out;
}

/** A name's flags (after `:2,`), sorted. */
export function flagsOf(file: string): string {
  const colon = file.indexOf(':2,');
  const flags = colon === -1 ? '' : file.slice(colon + 3);
  return isSortedFlags(flags) ? flags : sortFlags(flags);
}

/** The digits of text[start, end) as a number; undefined when empty or anything else is there. */
function toCount(text: string, start: number, end: number): number | undefined {
  if (start >= end) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return end - start > 15 ? Number(text.slice(start, end)) : n; // past 2^53 as Number() rounds it
}

const BASE64URL = new Int8Array(128).fill(-1);
for (let k = 0; k < 64; k++) BASE64URL['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(k)] = k;

/**
 * The UIDL of a `U=` field: base64url (as fileName writes it, unpadded) read by hand, each byte a
 * Latin-1 character. Hot on open (one per message): Buffer's decoder and its string cost a buffer
 * per name. Anything else (padding, the other alphabet, a stray character, from another program)
 * goes to Buffer's decoder, whose reading of such text stays the rule.
 */
function uidlOf(text: string): string {
  if (text.length % 4 === 1) return Buffer.from(text, 'base64url').toString('latin1');
  let out = '';
  let bits = 0;
  let held = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? BASE64URL[c] : -1;
    if (v < 0) return Buffer.from(text, 'base64url').toString('latin1');
    bits = (bits << 6) | v;
    held += 6;
    if (held >= 8) {
      held -= 8;
      out += String.fromCharCode((bits >> held) & 0xff);
    }
  }
  return out;
}

function isSortedFlags(flags: string): boolean {
  for (let i = 0; i < flags.length; i++) {
    const c = flags.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter || (i > 0 && c <= flags.charCodeAt(i - 1))) return false;
  }
  return true;
}

export function sortFlags(flags: string): string {
  return [...new Set(flags)].filter((f) => /[A-Za-z]/.test(f)).sort().join('');
}

/**
 * The names in a Maildir's new/ or cur/ that can be messages: files (and links to them), never a
 * folder some tool made there, which would fail every read of it.
 */
export async function messageNames(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
}

/** Unread: neither seen nor in Trash. */
export function isUnread(flags: string): boolean {
  return !flags.includes(FLAG_SEEN) && !flags.includes(FLAG_TRASHED);
}

/**
 * The unread messages of a Maildir from its names alone: the count a window shows at start-up without
 * opening the store (no index, no summaries). A directory that cannot be listed counts as empty.
 */
export async function countUnread(maildir: string): Promise<number> {
  let unread = 0;
  for (const dir of DIRS) {
    // The names parseFileName takes, without parsing them: this runs as a window starts, on the host's thread.
    for (const name of await messageNames(join(maildir, dir)).catch((): string[] => [])) if (isMessageName(name) && isUnread(flagsOf(name))) unread++;
  }
  return unread;
}
