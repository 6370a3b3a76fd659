/**
 * The fetch engine: one fetch of one account, from connect to QUIT, with the promise
 * "nothing lost, nothing twice". The steps and where each guarantee comes from are written out
 * in ARCHITECTURE.md ("Data flow of a fetch").
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Pop3Client, Pop3Error, type Pop3Options } from '../pop3';
import { AccountStore, type StoredFile } from '../store/accountStore';
import { acquireLock } from '../store/lock';
import { recordCheck } from './checkSchedule';
import { FLAG_TRASHED } from '../store/maildir';
import type { SkippedMessage } from '../store/skipped';
import { download, retrCap } from './download';
import { listServer, type Identity, type KeyedMessage } from './identity';
import { headerFingerprint } from '../mime/fingerprint';

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
  /** Try again the skipped messages that fetches gave up on: all of them, or these keys. */
  retrySkipped?: boolean | string[];
  /** Each batch once it is on disk (durable and listed), with where its messages are: search indexes them while the fetch goes on. */
  onStored?: (stored: StoredFile[]) => void;
}

export interface FetchResult {
  downloaded: number;
  partial: number;
  bytes: number;
  deletedOnServer: number;
  rounds: number;
  /** How the messages were told apart: the server's UIDL, or our documented fallback. */
  identity: Identity;
  /** Messages left on the server that this fetch could not download (see store/skipped.ts). */
  skipped: SkippedMessage[];
}

const DAY_MS = 86_400_000;

export function fetchMail(options: FetchOptions): Promise<FetchResult> {
  return withLockedStore(options.storeRoot, async (store) => {
    // Every window's timers go by this (checkSchedule.ts): a check that fails counts too, so a server
    // that is down is tried once an interval, not once per window. Unrecorded, a check only comes early.
    await recordCheck(options.storeRoot, (options.now ?? Date.now)()).catch(() => undefined);
    const total: FetchResult = { downloaded: 0, partial: 0, bytes: 0, deletedOnServer: 0, rounds: 0, identity: 'uidl', skipped: [] };
    const maxRounds = Math.max(1, options.maxRounds ?? 1);
    while (total.rounds < maxRounds) {
      const round = await fetchRound(store, options);
      total.rounds++;
      total.downloaded += round.downloaded;
      total.partial += round.partial;
      total.bytes += round.bytes;
      total.deletedOnServer += round.deletedOnServer;
      total.identity = round.identity;
      total.skipped = round.skipped;
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

async function fetchRound(store: AccountStore, options: FetchOptions): Promise<FetchResult> {
  const policy = { ...DEFAULT_POLICY, ...options.policy };
  const now = options.now ?? Date.now;
  const progress: FetchProgress = { phase: 'connecting', messagesDone: 0, messagesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const report = (phase: FetchProgress['phase']) => options.onProgress?.({ ...progress, phase });
  report('connecting');
  return withSession(options, async (client) => {
    report('listing');
    const listed = await listServer(client, (key) => store.uidlRecord(key));
    const result: FetchResult = { downloaded: 0, partial: 0, bytes: 0, deletedOnServer: 0, rounds: 1, identity: listed.identity, skipped: [] };
    const fresh = toDownload(store, listed.messages, options.retrySkipped);
    progress.messagesTotal = fresh.length;
    progress.bytesTotal = fresh.reduce((a, m) => a + m.size, 0);
    report('downloading');

    const batching = { sizeLimit: options.sizeLimit ?? 0, batchMessages: options.batchMessages ?? 200, batchBytes: options.batchBytes ?? 16 * 1024 * 1024 };
    const storedNow = new Set<string>();
    // download() tells of a committed batch's messages in one synchronous loop: told on together.
    let batch: StoredFile[] = [];
    const tell = () => {
      const told = batch;
      batch = [];
      options.onStored?.(told);
    };
    await download(client, store, fresh, batching, (d) => {
      storedNow.add(d.uidl);
      if (options.onStored) {
        if (batch.length === 0) queueMicrotask(tell);
        batch.push({ id: d.id, path: store.pathOf(d.id)!, size: d.size });
      }
      progress.messagesDone++;
      progress.bytesDone += d.partialOf ?? d.size;
      if (d.partialOf === undefined) result.downloaded++;
      else result.partial++;
      result.bytes += d.size;
      report('downloading');
    });

    // Server policy. A message qualifies only if the store vouches for it: its key's record
    // (UIDL and LIST size, see identity.ts) was written after its file was durable, and the
    // stored copy is complete (not headers only).
    report('cleaning-up');
    const doomed: number[] = [];
    for (const m of listed.messages) {
      const record = store.uidlRecord(m.key);
      if (!record) continue;
      const file = store.fileOfUidl(m.key);
      if (file?.partialOf !== undefined) continue;
      const deletedLocally = !file || file.flags.includes(FLAG_TRASHED);
      if (
        policy.deleteAfterDownload ||
        (policy.deleteAfterDays > 0 && now() - record.firstSeen >= policy.deleteAfterDays * DAY_MS) ||
        (policy.deleteWhenDeletedLocally && deletedLocally)
      ) {
        doomed.push(m.msg);
      }
    }
    const doomedSet = new Set(doomed);
    const refused = await refusedByHeaders(client, store, listed.messages.filter((m) => doomedSet.has(m.msg) && !storedNow.has(m.key)));
    const deleting = new Set(doomed.filter((msg) => !refused.has(msg)));
    await Promise.all([...deleting].map((msg) => client.dele(msg)));
    await client.quit(); // the server applies the DELEs now
    result.deletedOnServer = deleting.size;

    // Tombstones whose message has left the server and the Maildir are no longer needed; nor are
    // skipped entries of messages no longer listed.
    const onServer = new Set(listed.messages.filter((m) => !deleting.has(m.msg)).map((m) => m.key));
    const gone = [...store.uidlRecords().keys()].filter((key) => !onServer.has(key) && !store.fileOfUidl(key));
    await store.forget(gone);
    store.skipped.forget(store.skipped.list().filter((s) => !onServer.has(s.key)).map((s) => s.key));
    result.skipped = store.skipped.list();
    return result;
  });
}

/**
 * A message stored in an earlier session is deleted only if its headers still match: UIDL and
 * LIST size can both repeat for a different message (a recycled UIDL and a same-size message; the
 * fuzzer found it). TOP n 0 for each, pipelined; a server without TOP leaves the size rule alone.
 * Returns the message numbers whose headers no longer match.
 */
async function refusedByHeaders(client: Pop3Client, store: AccountStore, earlier: KeyedMessage[]): Promise<Set<number>> {
  const refused = new Set<number>();
  await Promise.all(
    earlier.map(async (m) => {
      const expected = store.uidlRecord(m.key)?.headerHash;
      if (!expected) return;
      try {
        if (headerFingerprint(await client.top(m.msg, 0)) !== expected) refused.add(m.msg);
      } catch (err) {
        if (!(err instanceof Pop3Error) || err.kind !== 'unsupported') throw err;
      }
    }),
  );
  return refused;
}

/**
 * The listed messages to download, in order: never tried first, then those that failed before
 * (so one bad message cannot hold the others back); those that failed too often wait for the user.
 */
function toDownload(store: AccountStore, listed: KeyedMessage[], retry: FetchOptions['retrySkipped']): KeyedMessage[] {
  const retried = (key: string) => retry === true || (Array.isArray(retry) && retry.includes(key));
  const fresh = listed.filter((m) => !m.known && (!store.skipped.gaveUp(m.key) || retried(m.key)));
  const failedBefore = (m: KeyedMessage) => (store.skipped.get(m.key) ? 1 : 0);
  return fresh.sort((a, b) => failedBefore(a) - failedBefore(b)); // stable: server order otherwise
}

/** Downloads the full text of a message stored as headers only. */
export function completeMessage(options: SessionOptions, id: string): Promise<void> {
  return withLockedStore(options.storeRoot, async (store) => {
    const entry = store.get(id);
    if (!entry) throw new Error('This message is no longer in the mailbox.');
    if (!entry.uidl || entry.partialOf === undefined) throw new Error('This message is already complete.');
    const key = entry.uidl;
    await withSession(options, async (client) => {
      const listed = await listServer(client, (k) => store.uidlRecord(k));
      const found = listed.messages.find((m) => m.key === key);
      if (!found) throw new Pop3Error('server', 'The message is no longer on the server; only its headers were kept.');
      const { msg, size } = found;
      const delivery = store.startDelivery(key, undefined, size);
      try {
        await client.retrieve(msg, delivery, retrCap(size));
        await store.commit([delivery]);
      } catch (err) {
        await delivery.discard();
        throw err;
      }
      await client.quit();
    });
  });
}

/**
 * Deletes the given stored messages from the server now (DELE + QUIT), whatever the policy says.
 * `keys` are store keys (a message entry's `uidl`). Only keys the store has a complete copy of
 * qualify, vouched for as in a fetch: mail leaves the server only once it is on disk.
 */
export function deleteFromServerNow(options: SessionOptions, keys: string[]): Promise<number> {
  return withLockedStore(options.storeRoot, async (store) => {
    const wanted = new Set(keys.filter((k) => store.uidlRecord(k) && store.fileOfUidl(k)?.partialOf === undefined));
    if (wanted.size === 0) return 0;
    return withSession(options, async (client) => {
      const listed = await listServer(client, (k) => store.uidlRecord(k));
      const candidates = listed.messages.filter((m) => m.known && wanted.has(m.key));
      const refused = await refusedByHeaders(client, store, candidates);
      const doomed = candidates.filter((m) => !refused.has(m.msg)).map((m) => m.msg);
      await Promise.all(doomed.map((msg) => client.dele(msg)));
      await client.quit();
      return doomed.length;
    });
  });
}

/**
 * Deletes from the server, at the user's explicit request, messages that could not be downloaded
 * (the store's skipped log): the one case where mail leaves the server unstored, because the user
 * chose to. Only keys still listed and still unknown to the store qualify.
 */
export function deleteSkippedFromServer(options: SessionOptions, keys: string[]): Promise<number> {
  return withLockedStore(options.storeRoot, async (store) => {
    const wanted = new Set(keys.filter((k) => store.skipped.get(k)));
    if (wanted.size === 0) return 0;
    return withSession(options, async (client) => {
      const listed = await listServer(client, (k) => store.uidlRecord(k));
      const doomed = listed.messages.filter((m) => !m.known && wanted.has(m.key));
      await Promise.all(doomed.map((m) => client.dele(m.msg)));
      await client.quit();
      store.skipped.forget(doomed.map((m) => m.key));
      return doomed.length;
    });
  });
}
