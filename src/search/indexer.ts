/**
 * Brings a store's search index up to its messages: reads the messages it lacks (or whose file
 * grew: downloaded in full after their headers) and drops those gone (purged), in batches, each
 * batch one transaction, so a build killed half-way keeps what it did and the next run goes on.
 */
import { readFileSync } from 'node:fs';
import { searchText } from '../mime/searchText';
import type { MessageText, SearchIndex } from './searchIndex';

/** A message as the store has it on disk. */
export interface StoredMessage {
  id: string;
  path: string;
  size: number;
}

/** Messages per transaction: large enough that commits cost little, small enough to report progress. */
const BATCH = 200;

export function updateIndex(index: SearchIndex, messages: readonly StoredMessage[], progress: (done: number, total: number) => void = () => undefined): { added: number; removed: number } {
  const indexed = index.contents();
  const wanted = new Set<string>();
  const missing: StoredMessage[] = [];
  for (const m of messages) {
    wanted.add(m.id);
    if (indexed.get(m.id) !== m.size) missing.push(m);
  }
  const gone = [...indexed.keys()].filter((id) => !wanted.has(id));
  if (gone.length) index.remove(gone);
  for (let start = 0; start < missing.length; start += BATCH) {
    const texts: MessageText[] = [];
    for (const m of missing.slice(start, start + BATCH)) {
      let raw: Buffer;
      try {
        raw = readFileSync(m.path);
      } catch {
        continue; // moved or purged meanwhile: the next update sees it
      }
      texts.push({ id: m.id, size: m.size, ...searchText(raw) });
    }
    index.add(texts);
    progress(Math.min(start + BATCH, missing.length), missing.length);
  }
  return { added: missing.length, removed: gone.length };
}
