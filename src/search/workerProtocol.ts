/** Messages between the search service (extension host) and its worker thread. */
import type { StoredMessage } from './indexer';
import type { TextField } from './query';

export type WorkerRequest =
  /** Bring the index at `path` up to these messages (all of the store's). */
  | { id: number; type: 'update'; path: string; messages: StoredMessage[] }
  /** The ids each word leaf finds, in the leaves' order. */
  | { id: number; type: 'query'; path: string; leaves: Array<[TextField, string[]]> }
  | { id: number; type: 'close'; path: string };

export type WorkerReply =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'updated'; added: number; removed: number }
  | { id: number; type: 'hits'; hits: string[][] }
  | { id: number; type: 'closed' }
  | { id: number; type: 'failed'; message: string; name: string };
