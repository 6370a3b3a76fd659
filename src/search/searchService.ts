/**
 * Search, as the extension host uses it: each store's index lives in `<store>/search.db` and is
 * worked on by one worker thread (searchWorker.ts), so neither a first build over a large store
 * nor a query ever runs on the host's thread. A query's word leaves go to each store's index;
 * flags, dates and accounts are read from the messages by whoever asks (src/list/listQuery.ts).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AccountStore } from '../store/accountStore';
import type { StoredMessage } from './indexer';
import { leafId, type TextField } from './query';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void; progress?: (done: number, total: number) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export const indexPath = (storeRoot: string) => join(storeRoot, 'search.db');

/** A store's messages as the indexer reads them. */
export function storedMessages(store: AccountStore): StoredMessage[] {
  return store.list().flatMap((e) => {
    const path = store.pathOf(e.id);
    return path ? [{ id: e.id, path, size: e.size }] : [];
  });
}

export class SearchService {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly workerScript = join(__dirname, 'searchWorker.js')) {}

  /** Brings a store's index up to its messages (a first build reads them all); `progress` as it goes. */
  async update(storeRoot: string, messages: StoredMessage[], progress?: (done: number, total: number) => void): Promise<{ added: number; removed: number }> {
    const reply = await this.ask({ type: 'update', path: indexPath(storeRoot), messages }, progress);
    return reply.type === 'updated' ? { added: reply.added, removed: reply.removed } : { added: 0, removed: 0 };
  }

  /** For each word leaf (by leafId), the keys (`accountId/id`) of the messages it finds in these accounts' stores. */
  async wordHits(leaves: Array<[TextField, string[]]>, roots: ReadonlyMap<string, string>): Promise<Map<string, Set<string>>> {
    const hits = new Map<string, Set<string>>(leaves.map(([field, words]) => [leafId(field, words), new Set()]));
    if (leaves.length === 0) return hits;
    for (const [accountId, root] of roots) {
      const reply = await this.ask({ type: 'query', path: indexPath(root), leaves });
      if (reply.type !== 'hits') continue;
      reply.hits.forEach((ids, k) => {
        const set = hits.get(leafId(...leaves[k]))!;
        for (const id of ids) set.add(`${accountId}/${id}`);
      });
    }
    return hits;
  }

  /** Lets go of a store's index (the store closes or moves). */
  async close(storeRoot: string): Promise<void> {
    if (this.worker) await this.ask({ type: 'close', path: indexPath(storeRoot) });
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ask(request: Request, progress?: (done: number, total: number) => void): Promise<WorkerReply> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  private start(): Worker {
    const worker = new Worker(this.workerScript);
    worker.unref(); // an idle index never keeps the process alive
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      if (reply.type === 'progress') return pending.progress?.(reply.done, reply.total);
      this.pending.delete(reply.id);
      if (reply.type === 'failed') pending.reject(Object.assign(new Error(reply.message), { name: reply.name }));
      else pending.resolve(reply);
    });
    // A worker that died takes its requests with it; the next request starts another.
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The search worker stopped (exit code ${code}).`)));
    return worker;
  }
}
