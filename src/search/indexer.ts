/**
 * Brings a store's search index up to its messages: reads the messages it lacks (or whose file
 * grew: downloaded in full after their headers) and drops those gone (purged), in batches, each
 * batch one transaction, so a build killed half-way keeps what it did and the next run goes on.
 */
import { readFileSync } from 'node:fs';
import { searchText } from '../mime/searchText';
import type { StoredFile } from '../store/accountStore';
import type { MessageText, SearchIndex } from './searchIndex';

/**
 * What one transaction takes: enough messages that commits cost little, few enough to report
 * progress, and no more text than this at once (a batch of 200 plain-text messages of 1 MB each
 * took the process to 1 GB).
 */
export const BATCH = { messages: 200, chars: 8 << 20 };

/**
 * While a fetch goes on, the messages it stores are indexed as they arrive, but for large ones:
 * their bytes are read again once the fetch has ended. Beside a fetch of 200 messages of 1 MB
 * (which writes and flushes as many bytes, while the server sends them), reading them again cost
 * the fetch 25-45 % of its speed; most mail is far smaller, and indexing it cost little.
 */
export const LARGE_ARRIVAL_BYTES = 256 * 1024;

/** A fetch's stored batch: what to index now, and what once the fetch has ended. */
export function splitArrivals(files: readonly StoredFile[]): { now: StoredFile[]; afterFetch: StoredFile[] } {
  const now: StoredFile[] = [];
  const afterFetch: StoredFile[] = [];
  for (const file of files) (file.size < LARGE_ARRIVAL_BYTES ? now : afterFetch).push(file);
  return { now, afterFetch };
}

export function updateIndex(index: SearchIndex, messages: readonly StoredFile[], progress: (done: number, total: number) => void = () => undefined, batch = BATCH): { added: number; removed: number } {
  const indexed = index.contents();
  const wanted = new Set<string>();
  const missing: StoredFile[] = [];
  for (const m of messages) {
    wanted.add(m.id);
    if (indexed.get(m.id) !== m.size) missing.push(m);
  }
  const gone = [...indexed.keys()].filter((id) => !wanted.has(id));
  if (gone.length) index.remove(gone);
  indexMessages(index, missing, progress, batch);
  return { added: missing.length, removed: gone.length };
}

/** Reads `messages` and puts their words in the index (replacing those of any already in), in batches. */
export function indexMessages(index: SearchIndex, messages: readonly StoredFile[], progress: (done: number, total: number) => void = () => undefined, batch = BATCH): void {
  let texts: MessageText[] = [];
  let chars = 0;
  let reported = 0;
  const flush = (done: number) => {
    if (texts.length) index.add(texts);
    texts = [];
    chars = 0;
    if (done > reported) progress((reported = done), messages.length);
  };
  messages.forEach((m, k) => {
    let raw: Buffer;
    try {
      raw = readFileSync(m.path);
    } catch {
      return; // moved or purged meanwhile: the next update sees it
    }
    const text: MessageText = { id: m.id, size: m.size, ...searchText(raw) };
    texts.push(text);
    chars += text.from.length + text.to.length + text.subject.length + text.body.length + text.attachments.join().length;
    if (texts.length >= batch.messages || chars >= batch.chars) flush(k + 1);
  });
  flush(messages.length);
}
