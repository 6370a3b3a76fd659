/** Messages between the search service (extension host) and its worker thread. */
import type { StoredFile } from '../store/accountStore';
import type { PlacedIds } from './placement';
import type { TextField } from './query';

export type WorkerRequest =
  /** Bring the index at `path` up to these messages (all of the store's). */
  | { id: number; type: 'update'; path: string; messages: StoredFile[] }
  /**
   * Where in version `version` of a list the messages each word leaf finds stand, in the leaves'
   * order. `placed` (this index's messages in that list) comes with a version's first query.
   */
  | { id: number; type: 'query'; path: string; leaves: Array<[TextField, string[]]>; version: number; placed?: PlacedIds; scores: boolean }
  /** Index these messages (just stored by a fetch), whatever else the store holds. */
  | { id: number; type: 'add'; path: string; messages: StoredFile[] }
  | { id: number; type: 'close'; path: string };

export type WorkerReply =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'updated'; added: number; removed: number }
  | { id: number; type: 'hits'; places: Int32Array[]; scores?: Float32Array[] }
  | { id: number; type: 'added' }
  | { id: number; type: 'closed' }
  | { id: number; type: 'failed'; message: string; name: string };
