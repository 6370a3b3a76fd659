/**
 * Which stored message a listed server message is: the key under which the store knows it.
 *
 * A UIDL alone does not prove identity: servers reuse UIDLs (derived from message numbers or
 * header hashes, recycled after deletion) and some list one UIDL twice. The rule, on which every
 * DELE depends:
 *
 * - A listed message is the stored one only when the UIDL matches *and* the LIST size recorded
 *   when it was downloaded equals its LIST size now. Otherwise it is a different message: it is
 *   downloaded as new, under the key `<uidl> <size>`, and never deleted on the old one's record.
 * - A UIDL listed more than once in one listing is keyed `<uidl> <size>` (and ` <n>` for the n-th
 *   with the same size), so each copy is stored, and vouched for, on its own.
 * - A UIDL that is long, or holds spaces or control bytes (broken servers), is replaced by a hash
 *   (`#` + 32 characters of SHA-256), so that every key fits in a Maildir file name and is printable.
 *
 * The cost of the rule: a server that changes a message's LIST size between sessions gets that
 * message stored a second time. A duplicate is recoverable; mail deleted unseen is not.
 */
import { createHash } from 'node:crypto';
import { Pop3Error, type Pop3Client, type MessageSize } from '../pop3';
import { headerFingerprint } from '../mime/fingerprint';

export type Identity = 'uidl' | 'header-hash' | 'content-hash';

/** What the store knows of a key: the LIST size it was vouched for at download. */
export interface KnownRecord {
  listSize?: number;
  size: number;
}

export interface KeyedMessage extends MessageSize {
  /** The server's UIDL (or our fallback identity) as listed. */
  uid: string;
  /** The key in the store (see the rules above). */
  key: string;
  /** The store holds (or held and removed locally) exactly this message. */
  known: boolean;
}

/** Longest UIDL kept as it is in a key; longer ones are hashed (file names have 255 bytes). */
const MAX_PLAIN_UIDL = 48;

/** The UIDL as a key part: itself when short and printable, else a hash of it. */
export function baseKey(uid: string): string {
  if (uid.length <= MAX_PLAIN_UIDL && /^[\x21-\x7e]+$/.test(uid)) return uid;
  return `#${createHash('sha256').update(uid, 'latin1').digest('base64url').slice(0, 32)}`;
}

/** The LIST size a record was vouched for (records from before the rule carry the stored size). */
export function vouchedSize(record: KnownRecord): number {
  return record.listSize ?? record.size;
}

/**
 * Keys for a listing. `lookup` reads the store's records. Messages without a UIDL in `uids` are
 * left out (the caller reports them).
 */
export function keyListing(sizes: MessageSize[], uids: Map<number, string>, lookup: (key: string) => KnownRecord | undefined): KeyedMessage[] {
  const occurrences = new Map<string, number>();
  for (const m of sizes) {
    const uid = uids.get(m.msg);
    if (uid !== undefined) occurrences.set(uid, (occurrences.get(uid) ?? 0) + 1);
  }
  const seenWithSize = new Map<string, number>();
  const out: KeyedMessage[] = [];
  for (const m of sizes) {
    const uid = uids.get(m.msg);
    if (uid === undefined) continue;
    const base = baseKey(uid);
    const sized = `${base} ${m.size}`;
    if (occurrences.get(uid)! > 1) {
      const n = (seenWithSize.get(sized) ?? 0) + 1;
      seenWithSize.set(sized, n);
      const record = lookup(base);
      // The first copy may be the one stored before its twin appeared, under the plain UIDL.
      const key = n === 1 && record && vouchedSize(record) === m.size ? base : n === 1 ? sized : `${sized} ${n}`;
      out.push({ ...m, uid, key, known: lookup(key) !== undefined });
      continue;
    }
    // A key stored before long UIDLs were hashed is the UIDL itself.
    const plain = [base, uid].find((k) => {
      const record = lookup(k);
      return record !== undefined && vouchedSize(record) === m.size;
    });
    if (plain !== undefined) out.push({ ...m, uid, key: plain, known: true });
    else if (lookup(sized)) out.push({ ...m, uid, key: sized, known: true });
    else out.push({ ...m, uid, key: lookup(base) ? sized : base, known: false });
  }
  return out;
}

/** A listing keyed for the store, and the listed messages no identity could be found for. */
export interface ServerListing {
  messages: KeyedMessage[];
  /** Listed messages without a UIDL or any other identity: never downloaded, never deleted. */
  unnamed: MessageSize[];
  identity: Identity;
}

/** LIST, each message's identity (see identify) and its key in the store. */
export async function listServer(client: Pop3Client, lookup: (key: string) => KnownRecord | undefined): Promise<ServerListing> {
  const { sizes, contradicted } = oncePerNumber(await client.list());
  const { uids, identity } = await identify(client, sizes);
  for (const msg of contradicted) uids.delete(msg);
  return { messages: keyListing(sizes, uids, lookup), unnamed: sizes.filter((m) => !uids.has(m.msg)), identity };
}

/** UIDL's answer by message; a message given two UIDLs is left out, to be named by its headers like one UIDL forgot. */
function onePerMessage(listed: { msg: number; uid: string }[]): Map<number, string> {
  const uids = new Map<number, string>();
  const twice = new Set<number>();
  for (const { msg, uid } of listed) {
    if (!uids.has(msg)) uids.set(msg, uid);
    else if (uids.get(msg) !== uid) twice.add(msg);
  }
  for (const msg of twice) uids.delete(msg);
  return uids;
}

/**
 * A listing names each message number once (RFC 1939). A number listed again is dropped (else the
 * message would be downloaded and stored twice); listed with two sizes, the server contradicts
 * itself about that message, which is then left unnamed: never downloaded, never deleted.
 */
function oncePerNumber(listed: MessageSize[]): { sizes: MessageSize[]; contradicted: Set<number> } {
  const first = new Map<number, MessageSize>();
  const contradicted = new Set<number>();
  for (const m of listed) {
    const seen = first.get(m.msg);
    if (!seen) first.set(m.msg, m);
    else if (seen.size !== m.size) contradicted.add(m.msg);
  }
  return { sizes: [...first.values()], contradicted };
}

/**
 * Message identities. With UIDL, the server's; a message the UIDL listing leaves out gets a hash
 * of its headers (TOP n 0). Without UIDL (RFC 1939 makes it optional), a hash of the headers for
 * every message; without TOP either, a hash of the whole message (which costs a download per
 * check, but never stores a message twice).
 */
async function identify(client: Pop3Client, sizes: MessageSize[]): Promise<{ uids: Map<number, string>; identity: Identity }> {
  let uids: Map<number, string> | undefined;
  try {
    uids = onePerMessage(await client.uidl());
  } catch (err) {
    if (!(err instanceof Pop3Error) || err.kind !== 'unsupported') throw err;
  }
  if (uids) {
    for (const m of sizes) {
      if (uids.has(m.msg)) continue;
      try {
        uids.set(m.msg, `h-${fingerprint(await client.top(m.msg, 0), 'header-hash')}`);
      } catch (err) {
        if (!(err instanceof Pop3Error) || !['unsupported', 'server'].includes(err.kind)) throw err;
      }
    }
    return { uids, identity: 'uidl' };
  }
  uids = new Map<number, string>();
  let identity: Identity = 'header-hash';
  for (const m of sizes) {
    let source: Buffer;
    try {
      source = identity === 'header-hash' ? await client.top(m.msg, 0) : await client.retrieveBuffer(m.msg);
    } catch (err) {
      if (!(err instanceof Pop3Error) || err.kind !== 'unsupported' || identity !== 'header-hash') throw err;
      identity = 'content-hash';
      source = await client.retrieveBuffer(m.msg);
    }
    uids.set(m.msg, `${identity === 'header-hash' ? 'h' : 'c'}-${fingerprint(source, identity)}`);
  }
  return { uids, identity };
}

function fingerprint(source: Buffer, identity: Identity): string {
  return identity === 'header-hash' ? headerFingerprint(source) : createHash('sha256').update(source).digest('base64url').slice(0, 32);
}
