/**
 * Pipelined download of new messages into the store. Completed deliveries are committed in
 * batches (one fsync round per batch). A message whose own download fails (the server refuses its
 * RETR, or sends more than its listing allows) is skipped and the others go on; a failure of the
 * session stops the rest, and the completed ones are still committed, so the next fetch resumes
 * where this one stopped. Either way the message at fault is recorded in the store's skipped log.
 */
import { Pop3Error, type Pop3Client } from '../pop3';
import type { AccountStore } from '../store/accountStore';
import type { Delivery } from '../store/delivery';
import type { KeyedMessage } from './identity';

export interface DownloadOptions {
  /** Larger messages are stored as headers only (TOP n 0). 0 = no limit. */
  sizeLimit: number;
  batchMessages: number;
  batchBytes: number;
}

/** A message skipped in this download, and why. */
export interface Skip {
  message: KeyedMessage;
  error: Pop3Error;
}

/** The most a RETR may send: the listed size and as much again (at least 1 MB) for servers whose LIST is approximate. */
export function retrCap(listSize: number): number {
  return listSize + Math.max(listSize, 1024 * 1024);
}

/** Errors that are one message's own: the session goes on without it. */
function isMessageFault(err: unknown): err is Pop3Error {
  return err instanceof Pop3Error && (err.kind === 'oversized' || err.kind === 'server');
}

export async function download(
  client: Pop3Client,
  store: AccountStore,
  fresh: KeyedMessage[],
  options: DownloadOptions,
  onStored: (d: Delivery) => void,
): Promise<Skip[]> {
  const inFlightLimit = client.pipelining ? 64 : 1;
  const inFlight = new Set<Promise<void>>();
  const started: Delivery[] = [];
  const committed = new Set<Delivery>();
  const skips: Skip[] = [];
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
    const partial = options.sizeLimit > 0 && m.size > options.sizeLimit;
    const delivery = partial ? store.startDelivery(m.key, m.size) : store.startDelivery(m.key, undefined, m.size);
    started.push(delivery);
    const job = (async () => {
      if (partial) delivery.write(await client.top(m.msg, 0));
      else await client.retrieve(m.msg, delivery, retrCap(m.size));
      await delivery.finish();
      batch.push(delivery);
      batchSize += delivery.size;
      if (batch.length >= options.batchMessages || batchSize >= options.batchBytes) flush();
    })().catch((err: unknown) => {
      if (isMessageFault(err)) {
        skips.push({ message: m, error: err });
        return;
      }
      // The session failed. Answers come in order, so the first job to hear of it is the one the
      // server was sending: it is at fault if the session died inside its body (a broken body,
      // a stall mid-message), not if the link was cut or the fetch cancelled.
      if (!failure && err instanceof Pop3Error && (err.kind === 'protocol' || (err.kind === 'timeout' && delivery.size > 0))) {
        skips.push({ message: m, error: err });
      }
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
  await Promise.all(started.filter((d) => !committed.has(d)).map((d) => d.discard()));
  for (const { message, error } of skips) {
    store.skipped.failed({ key: message.key, uid: printableUid(message.uid), size: message.size, reason: error.message, lastTried: Date.now() });
  }
  store.skipped.forget([...committed].map((d) => d.uidl));
  if (failure) throw failure;
  return skips;
}

function printableUid(uid: string): string {
  const clean = uid.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 80)}…` : clean;
}
