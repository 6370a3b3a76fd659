/**
 * The search index's thread: building, updating and querying indexes never runs on the extension
 * host's thread (a first build of a large store reads every message). Answers the requests of
 * src/search/searchService.ts, in order; each store's index stays open between them.
 */
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { indexMessages, updateIndex } from './indexer';
import { Placement } from './placement';
import { leafId, type TextField } from './query';
import { SearchIndex } from './searchIndex';
import type { WorkerReply, WorkerRequest } from './workerProtocol';

const port = parentPort!;

/**
 * Indexing yields the CPU to the fetch that feeds it, and to the editor: on Linux a thread has a
 * nice value of its own, so this lowers this thread's alone (elsewhere the call would lower the
 * whole process, the extension host's thread with it, and it is not made). Nice 10 weighs about a
 * tenth of a thread at 0 when they compete, and costs nothing when the CPU is idle.
 */
if (process.platform === 'linux') {
  try {
    setPriority(Math.max(getPriority(), 10)); // never above where it runs
  } catch {
    // not permitted here (a sandbox): indexing runs at the host's priority
  }
}
const open = new Map<string, SearchIndex>();
/** Per index, where its messages stand in the list that asked last. */
const placements = new Map<string, Placement>();
/**
 * Per index, the rows of the word leaves asked lately, while the index is unchanged: typing a
 * query asks its first words again at each keystroke, and a list asks again after each reload.
 */
const recent = new Map<string, { changes: number; rows: Map<string, Int32Array> }>();
const RECENT_LEAVES = 16;

function rowsMatching(path: string, index: SearchIndex, field: TextField, words: string[]): Int32Array {
  let cache = recent.get(path);
  if (cache?.changes !== index.changes) recent.set(path, (cache = { changes: index.changes, rows: new Map() }));
  const key = leafId(field, words);
  let rows = cache.rows.get(key);
  if (!rows) {
    cache.rows.set(key, (rows = index.rowsMatching(field, words)));
    if (cache.rows.size > RECENT_LEAVES) cache.rows.delete(cache.rows.keys().next().value!);
  }
  return rows;
}
const post = (reply: WorkerReply) => port.postMessage(reply, reply.type === 'hits' ? [...reply.places, ...(reply.scores ?? [])].map((p) => p.buffer as ArrayBuffer) : []);

async function indexAt(path: string): Promise<SearchIndex> {
  let index = open.get(path);
  if (!index) open.set(path, (index = await SearchIndex.open(path)));
  return index;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.type) {
    case 'update': {
      const index = await indexAt(request.path);
      const counts = updateIndex(index, request.messages, (done, total) => post({ id: request.id, type: 'progress', done, total }));
      return { id: request.id, type: 'updated', ...counts };
    }
    case 'query': {
      const index = await indexAt(request.path);
      if (request.placed) placements.set(request.path, new Placement(request.version, request.placed));
      const placement = placements.get(request.path);
      if (placement?.version !== request.version) throw new Error('The list asked about is not known here.');
      const answers = request.leaves.map(([field, words]) => {
        if (!request.scores) return placement.places(index, rowsMatching(request.path, index, field, words));
        const { rows, scores } = index.scoredRowsMatching(field, words);
        return placement.places(index, rows, scores);
      });
      return { id: request.id, type: 'hits', places: answers.map((a) => a.places), scores: request.scores ? answers.map((a) => a.scores!) : undefined };
    }
    case 'add': {
      indexMessages(await indexAt(request.path), request.messages);
      return { id: request.id, type: 'added' };
    }
    case 'close': {
      await open.get(request.path)?.close();
      open.delete(request.path);
      placements.delete(request.path);
      recent.delete(request.path);
      return { id: request.id, type: 'closed' };
    }
  }
}

let queue = Promise.resolve();
const failed = (id: number, e: unknown): WorkerReply => ({ id, type: 'failed', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });

/**
 * Mail a fetch stored, per index, not yet indexed: batches that arrive while the worker is busy
 * join the first one still waiting, so they go into the index in one transaction (FTS5 writes a
 * segment per transaction and merges them later; many small ones cost more in all).
 */
const arriving = new Map<string, Extract<WorkerRequest, { type: 'add' }> & { ids: number[] }>();

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'add') {
    const waiting = arriving.get(request.path);
    if (waiting) {
      waiting.ids.push(request.id);
      waiting.messages = waiting.messages.concat(request.messages);
      return;
    }
    const joined = { ...request, ids: [request.id] };
    arriving.set(request.path, joined);
    queue = queue.then(() => {
      arriving.delete(request.path);
      return handle(joined).then(
        () => joined.ids.forEach((id) => post({ id, type: 'added' })),
        (e: unknown) => joined.ids.forEach((id) => post(failed(id, e))),
      );
    });
    return;
  }
  queue = queue.then(() => handle(request).then(post, (e: unknown) => post(failed(request.id, e))));
});
