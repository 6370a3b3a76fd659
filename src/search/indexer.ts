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

/** Messages this large are read again for the index only once the fetch that stored them has ended. */
export const LARGE_ARRIVAL_BYTES = 256 * 1024;
/** How long mail a fetch stores waits, while the fetch goes on, to be indexed. */
export const ARRIVAL_WAIT_MS = 5000;

/**
 * Mail a fetch stores, on its way into the index: gathered while the fetch goes on, indexed every
 * ARRIVAL_WAIT_MS and, all that is left, when it ends; messages of LARGE_ARRIVAL_BYTES and more
 * only then. Indexing beside a fetch slows it: with each stored batch indexed at once, 1,000
 * realistic messages from a server on the same two cores took 17 % longer (median of 12 rounds),
 * and reading 200 messages of 1 MB again beside the fetch that writes them, 25-45 %. Gathered, a
 * short fetch's mail is indexed as soon as it ends, in one transaction; a long one's can be
 * found seconds after it came. Meanwhile the list finds new mail by its sender, recipients,
 * subject and snippet, which it holds itself.
 */
export class Arrivals {
  private waiting: StoredFile[] = [];
  private large: StoredFile[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly index: (files: StoredFile[]) => void,
    private readonly waitMs = ARRIVAL_WAIT_MS,
  ) {}

  /** A fetch stored `files` (durable). */
  stored(files: readonly StoredFile[]): void {
    for (const file of files) (file.size < LARGE_ARRIVAL_BYTES ? this.waiting : this.large).push(file);
    if (this.waiting.length === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.take(this.waiting.splice(0));
    }, this.waitMs);
  }

  /** The fetch has ended: all that waits is indexed now. */
  fetchEnded(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.take([...this.waiting.splice(0), ...this.large.splice(0)]);
  }

  /** Drops what waits (the next update of the index finds it missing and reads it). */
  dispose(): void {
    clearTimeout(this.timer);
    this.waiting = [];
    this.large = [];
  }

  private take(files: StoredFile[]): void {
    if (files.length) this.index(files);
  }
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
