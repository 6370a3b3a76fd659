/**
 * Search, as the extension host uses it: each store's index lives in `<store>/search.db` and is
 * worked on by one worker thread (searchWorker.ts), so neither a first build over a large store
 * nor a query ever runs on the host's thread. A query's word leaves go to each store's index;
 * flags, dates and accounts are read from the messages by whoever asks (src/list/listQuery.ts).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AccountStore, StoredFile } from '../store/accountStore';
import { leafId, type TextField } from './query';
import { placeByAccount, type IndexAnswer, type PlacedIds } from './placement';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

type Pending = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void; progress?: (done: number, total: number) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export const indexPath = (storeRoot: string) => join(storeRoot, 'search.db');

/** A store's messages as the indexer reads them. */
export function storedMessages(store: AccountStore): StoredFile[] {
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
  async update(storeRoot: string, messages: StoredFile[], progress?: (done: number, total: number) => void): Promise<{ added: number; removed: number }> {
    const reply = await this.ask({ type: 'update', path: indexPath(storeRoot), messages }, progress);
    return reply.type === 'updated' ? { added: reply.added, removed: reply.removed } : { added: 0, removed: 0 };
  }

  /**
   * For each word leaf (by leafId), a flag per message of `messages` (1: the index of its account
   * found the words), and with `scores`, each message's relevance. `roots` gives the accounts to ask and their stores.
   */
  async wordHits(leaves: Array<[TextField, string[]]>, messages: ReadonlyArray<{ accountId: string; id: string }>, roots: ReadonlyMap<string, string>, scores = false): Promise<IndexAnswer> {
    const flags = new Map(leaves.map(([field, words]) => [leafId(field, words), new Uint8Array(messages.length)]));
    const answer: IndexAnswer = { flags, relevance: scores ? new Float32Array(messages.length) : undefined };
    if (leaves.length === 0) return answer;
    const list = this.placementOf(messages);
    for (const [accountId, root] of roots) {
      const placed = list.accounts.get(accountId);
      if (!placed) continue;
      const path = indexPath(root);
      const known = this.placed.get(path) === list.version;
      this.placed.set(path, list.version);
      let reply: WorkerReply;
      try {
        reply = await this.ask({ type: 'query', path, leaves, version: list.version, placed: known ? undefined : placed, scores });
      } catch (e) {
        this.placed.delete(path); // it may not have been taken
        throw e;
      }
      if (reply.type !== 'hits') continue;
      reply.places.forEach((places, k) => {
        const found = flags.get(leafId(...leaves[k]))!;
        const leafScores = reply.scores?.[k];
        for (let p = 0; p < places.length; p++) {
          found[places[p]] = 1;
          if (answer.relevance && leafScores) answer.relevance[places[p]] += leafScores[p];
        }
      });
    }
    return answer;
  }

  /** A list's messages by account, made once per list (the list makes a new array when its messages change). */
  private placementOf(messages: ReadonlyArray<{ accountId: string; id: string }>): { version: number; accounts: Map<string, PlacedIds> } {
    let list = this.lists.get(messages);
    if (!list) this.lists.set(messages, (list = { version: this.nextVersion++, accounts: placeByAccount(messages) }));
    return list;
  }

  private readonly lists = new WeakMap<object, { version: number; accounts: Map<string, PlacedIds> }>();
  private nextVersion = 1;
  /** Per index, the version of the list its worker holds the places of. */
  private readonly placed = new Map<string, number>();

  /** Indexes messages a fetch has just stored (the next update finds them there), while the fetch goes on. */
  async add(storeRoot: string, messages: StoredFile[]): Promise<void> {
    await this.ask({ type: 'add', path: indexPath(storeRoot), messages });
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
      this.placed.clear(); // the next worker knows no list
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
