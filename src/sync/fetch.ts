/**
 * The fetch engine: one fetch of one account, from connect to QUIT, with the promise
 * "nothing lost, nothing twice". The steps and where each guarantee comes from are written out
 * in ARCHITECTURE.md ("Data flow of a fetch").
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Pop3Client, Pop3Error, type MessageSize, type Pop3Options } from '../pop3';
import { AccountStore } from '../store/accountStore';
import type { Delivery } from '../store/delivery';
import { acquireLock } from '../store/lock';
import { FLAG_TRASHED } from '../store/maildir';
import { headerEnd, parseHeaders } from '../mime/headers';

export interface ServerPolicy {
  /** Delete a message from the server as soon as it is safely stored. */
  deleteAfterDownload: boolean;
  /** Delete from the server this many days after download; 0 = never. */
  deleteAfterDays: number;
  /** Delete from the server once deleted locally (in Trash or emptied from it). */
  deleteWhenDeletedLocally: boolean;
}

export const DEFAULT_POLICY: ServerPolicy = { deleteAfterDownload: false, deleteAfterDays: 0, deleteWhenDeletedLocally: true };

export interface FetchProgress {
  phase: 'connecting' | 'listing' | 'downloading' | 'cleaning-up';
  messagesDone: number;
  messagesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface FetchOptions {
  /** Where the account's store lives (see AccountStore). */
  storeRoot: string;
  server: Omit<Pop3Options, 'signal'>;
  policy?: Partial<ServerPolicy>;
  /** Larger messages are stored as headers only (TOP n 0), to be completed on request. 0 = no limit. */
  sizeLimit?: number;
  signal?: AbortSignal;
  onProgress?: (progress: FetchProgress) => void;
  /** For servers that hand out a limited batch per session: reconnect while new mail keeps coming. */
  maxRounds?: number;
  /** Group this many messages (or bytes) per flush to disk. */
  batchMessages?: number;
  batchBytes?: number;
  now?: () => number;
}

export interface FetchResult {
  downloaded: number;
  partial: number;
  bytes: number;
  deletedOnServer: number;
  rounds: number;
  /** How the messages were told apart: the server's UIDL, or our documented fallback. */
  identity: 'uidl' | 'header-hash' | 'content-hash';
}

const DAY_MS = 86_400_000;

export function fetchMail(options: FetchOptions): Promise<FetchResult> {
  return withLockedStore(options.storeRoot, async (store) => {
    const total: FetchResult = { downloaded: 0, partial: 0, bytes: 0, deletedOnServer: 0, rounds: 0, identity: 'uidl' };
    const maxRounds = Math.max(1, options.maxRounds ?? 1);
    while (total.rounds < maxRounds) {
      const round = await fetchRound(store, options);
      total.rounds++;
      total.downloaded += round.downloaded;
      total.partial += round.partial;
      total.bytes += round.bytes;
      total.deletedOnServer += round.deletedOnServer;
      total.identity = round.identity;
      if (round.downloaded + round.partial === 0) break;
    }
    return total;
  });
}

type SessionOptions = Pick<FetchOptions, 'storeRoot' | 'server' | 'signal'>;

/**
 * Every writer of an account's store runs here: the account lock held, a crash's half-written
 * deliveries cleared from tmp/, and the state snapshot written however the work ends.
 */
async function withLockedStore<T>(storeRoot: string, work: (store: AccountStore) => Promise<T>): Promise<T> {
  await mkdir(storeRoot, { recursive: true });
  const lock = await acquireLock(join(storeRoot, 'fetch.lock'));
  let store: AccountStore | undefined;
  try {
    store = await AccountStore.open(storeRoot, { pop3State: true });
    await store.cleanTmp();
    return await work(store);
  } finally {
    await store?.checkpoint().catch(() => undefined);
    await lock.release();
  }
}

/** A session with the account's server, dropped (without QUIT) however `work` ends unless it quit. */
async function withSession<T>(options: SessionOptions, work: (client: Pop3Client) => Promise<T>): Promise<T> {
  const client = await Pop3Client.connect({ ...options.server, signal: options.signal });
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** LIST, and each listed message's identity (see identify). */
async function listing(client: Pop3Client): Promise<{ sizes: MessageSize[]; uids: Map<number, string>; identity: FetchResult['identity'] }> {
  const sizes = await client.list();
  return { sizes, ...(await identify(client, sizes)) };
}

async function fetchRound(store: AccountStore, options: FetchOptions): Promise<FetchResult> {
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const now = options.now ?? Date.now;
  const progress: FetchProgress = { phase: 'connecting', messagesDone: 0, messagesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const report = (phase: FetchProgress['phase']) => options.onProgress?.({ ...progress, phase });
  report('connecting');
  return withSession(options, async (client) => {
    const result: FetchResult = { downloaded: 0, partial: 0, bytes: 0, deletedOnServer: 0, rounds: 1, identity: 'uidl' };
    report('listing');
    const { sizes, uids, identity } = await listing(client);
    result.identity = identity;
    const fresh = sizes.filter((m) => !store.uidlRecord(uids.get(m.msg)!));
    progress.messagesTotal = fresh.length;
    progress.bytesTotal = fresh.reduce((a, m) => a + m.size, 0);
    report('downloading');

    await download(client, store, fresh, uids, options, (d) => {
      progress.messagesDone++;
      progress.bytesDone += d.partialOf ?? d.size;
      if (d.partialOf === undefined) result.downloaded++;
      else result.partial++;
      result.bytes += d.size;
      report('downloading');
    });

    // Server policy. A message qualifies only if the state records it (so it was flushed and
    // renamed into the Maildir first) and the stored copy is complete (not headers only).
    report('cleaning-up');
    const doomed: number[] = [];
    for (const { msg } of sizes) {
      const uid = uids.get(msg)!;
      const record = store.uidlRecord(uid);
      if (!record) continue;
      const file = store.fileOfUidl(uid);
      if (file?.partialOf !== undefined) continue;
      const deletedLocally = !file || file.flags.includes(FLAG_TRASHED);
      if (
        policy.deleteAfterDownload ||
        (policy.deleteAfterDays > 0 && now() - record.firstSeen >= policy.deleteAfterDays * DAY_MS) ||
        (policy.deleteWhenDeletedLocally && deletedLocally)
      ) {
        doomed.push(msg);
      }
    }
    await Promise.all(doomed.map((msg) => client.dele(msg)));
    await client.quit(); // the server applies the DELEs now
    result.deletedOnServer = doomed.length;

    // Tombstones whose message has left the server and the Maildir are no longer needed.
    const onServer = new Set(sizes.filter((m) => !doomed.includes(m.msg)).map((m) => uids.get(m.msg)!));
    const gone = [...store.uidlRecords().keys()].filter((uid) => !onServer.has(uid) && !store.fileOfUidl(uid));
    await store.forget(gone);
    return result;
  });
}

/**
 * Pipelined download of `fresh` into the store. Completed deliveries are committed in batches
 * (one fsync round per batch); on any failure the completed ones are still committed and the
 * unfinished ones discarded, so the next fetch resumes where this one stopped.
 */
async function download(
  client: Pop3Client,
  store: AccountStore,
  fresh: MessageSize[],
  uids: Map<number, string>,
  options: FetchOptions,
  onStored: (d: Delivery) => void,
): Promise<void> {
  const batchMessages = options.batchMessages ?? 200;
  const batchBytes = options.batchBytes ?? 16 * 1024 * 1024;
  const sizeLimit = options.sizeLimit ?? 0;
  const inFlightLimit = client.pipelining ? 64 : 1;
  const inFlight = new Set<Promise<void>>();
  const started: Delivery[] = [];
  const committed = new Set<Delivery>();
  let batch: Delivery[] = [];
  let batchSize = 0;
  let commits = Promise.resolve();
  let failure: unknown;

  const flush = () => {
    const ready = batch;
    batch = [];
    batchSize = 0;
    commits = commits.then(async () => {
      await store.commit(ready);
      for (const d of ready) {
        committed.add(d);
        onStored(d);
      }
    });
  };

  for (const m of fresh) {
    if (failure) break;
    const partial = sizeLimit > 0 && m.size > sizeLimit;
    const delivery = partial ? store.startDelivery(uids.get(m.msg)!, m.size) : store.startDelivery(uids.get(m.msg)!, undefined, m.size);
    started.push(delivery);
    const job = (async () => {
      if (partial) delivery.write(await client.top(m.msg, 0));
      else await client.retrieve(m.msg, delivery, m.size + Math.max(m.size, 1024 * 1024));
      delivery.finish();
      batch.push(delivery);
      batchSize += delivery.size;
      if (batch.length >= batchMessages || batchSize >= batchBytes) flush();
    })().catch((err: unknown) => {
      failure ??= err;
    });
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= inFlightLimit) await Promise.race(inFlight);
  }
  if (failure) client.close(); // stop the rest
  await Promise.all(inFlight);
  flush();
  await commits.catch((err: unknown) => {
    failure ??= err;
  });
  for (const d of started) if (!committed.has(d)) d.discard();
  if (failure) throw failure;
}

/**
 * Message identities. With UIDL, the server's. Without it (RFC 1939 makes UIDL optional), a hash
 * of the headers from TOP n 0; without TOP either, a hash of the whole message (which costs a
 * download per check, but never stores a message twice).
 */
async function identify(client: Pop3Client, sizes: MessageSize[]): Promise<{ uids: Map<number, string>; identity: FetchResult['identity'] }> {
  try {
    const listing = await client.uidl();
    const uids = new Map(listing.map((u) => [u.msg, u.uid]));
    if (sizes.every((m) => uids.has(m.msg))) return { uids, identity: 'uidl' };
    throw new Pop3Error('protocol', 'The server listed messages without a UIDL.');
  } catch (err) {
    if (!(err instanceof Pop3Error) || err.kind !== 'unsupported') throw err;
  }
  const uids = new Map<number, string>();
  let identity: FetchResult['identity'] = 'header-hash';
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

function fingerprint(source: Buffer, identity: FetchResult['identity']): string {
  const hash = createHash('sha256');
  if (identity === 'header-hash') {
    const end = headerEnd(source);
    const headers = parseHeaders(end === -1 ? source : source.subarray(0, end));
    // Headers a server could rewrite between sessions (Status, X-UIDL) are left out.
    for (const name of ['message-id', 'date', 'from', 'to', 'subject', 'received']) hash.update(`${name}:${(headers.get(name) ?? []).join('\n')}\n`);
  } else {
    hash.update(source);
  }
  return hash.digest('base64url').slice(0, 32);
}

/** Downloads the full text of a message stored as headers only. */
export function completeMessage(options: SessionOptions, id: string): Promise<void> {
  return withLockedStore(options.storeRoot, async (store) => {
    const entry = store.get(id);
    if (!entry?.uidl || entry.partialOf === undefined) throw new Error('This message is already complete.');
    const uidl = entry.uidl;
    await withSession(options, async (client) => {
      const { sizes, uids } = await listing(client);
      const msg = [...uids].find(([, uid]) => uid === uidl)?.[0];
      if (msg === undefined) throw new Pop3Error('server', 'The message is no longer on the server; only its headers were kept.');
      const size = sizes.find((m) => m.msg === msg)!.size;
      const delivery = store.startDelivery(uidl, undefined, size);
      try {
        await client.retrieve(msg, delivery, size + Math.max(size, 1024 * 1024));
        await store.commit([delivery]);
      } catch (err) {
        delivery.discard();
        throw err;
      }
      await client.quit();
    });
  });
}

/**
 * Deletes the given stored messages from the server now (DELE + QUIT), whatever the policy says.
 * Only UIDLs the store has a complete copy of qualify: mail leaves the server only once it is on disk.
 */
export function deleteFromServerNow(options: SessionOptions, uidls: string[]): Promise<number> {
  return withLockedStore(options.storeRoot, async (store) => {
    const wanted = new Set(uidls.filter((u) => store.uidlRecord(u) && store.fileOfUidl(u)?.partialOf === undefined));
    if (wanted.size === 0) return 0;
    return withSession(options, async (client) => {
      const { sizes, uids } = await listing(client);
      const doomed = sizes.filter((m) => wanted.has(uids.get(m.msg)!)).map((m) => m.msg);
      await Promise.all(doomed.map((msg) => client.dele(msg)));
      await client.quit();
      return doomed.length;
    });
  });
}
