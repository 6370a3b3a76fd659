/**
 * Server messages that could not be downloaded (the server refused RETR, sent more than its
 * listing allowed, stalled in the middle of one message, ...): why, and how many times. A fetch
 * skips such a message and goes on with the others; it tries again on the next fetches and, after
 * GIVE_UP_AFTER failures, waits for the user (Retry, or Delete from Server).
 *
 * Kept in `<account>/skipped.json`, apart from the POP3 state: the views read it without the
 * state, and losing it costs only a retry. Written by a fetch, under the account lock.
 */
import { join } from 'node:path';
import { readJson, writeFileAtomic } from './fsutil';

export const GIVE_UP_AFTER = 3;

export interface SkippedMessage {
  /** The store key the message would be stored under (sync/identity.ts). */
  key: string;
  /** The server's UIDL, printable (for people; the key is what matters). */
  uid: string;
  /** The server's LIST size. */
  size: number;
  /** Why the last try failed, in words for people. */
  reason: string;
  attempts: number;
  lastTried: number;
}

export class SkippedLog {
  private entries = new Map<string, SkippedMessage>();
  private dirty = false;

  private constructor(private readonly path: string) {}

  static async load(root: string): Promise<SkippedLog> {
    const log = new SkippedLog(join(root, 'skipped.json'));
    const saved = await readJson<{ version: number; skipped: SkippedMessage[] }>(log.path);
    if (saved?.version === 1 && Array.isArray(saved.skipped)) {
      for (const s of saved.skipped) if (s && typeof s.key === 'string') log.entries.set(s.key, s);
    }
    return log;
  }

  list(): SkippedMessage[] {
    return [...this.entries.values()];
  }

  get(key: string): SkippedMessage | undefined {
    return this.entries.get(key);
  }

  /** Whether automatic fetches have stopped trying this message. */
  gaveUp(key: string): boolean {
    return (this.entries.get(key)?.attempts ?? 0) >= GIVE_UP_AFTER;
  }

  failed(entry: Omit<SkippedMessage, 'attempts'>): SkippedMessage {
    const attempts = (this.entries.get(entry.key)?.attempts ?? 0) + 1;
    const updated = { ...entry, attempts };
    this.entries.set(entry.key, updated);
    this.dirty = true;
    return updated;
  }

  /** Forgets keys that were stored, or left the server. */
  forget(keys: Iterable<string>): void {
    for (const key of keys) if (this.entries.delete(key)) this.dirty = true;
  }

  async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await writeFileAtomic(this.path, JSON.stringify({ version: 1, skipped: this.list() }));
    } catch (err) {
      this.dirty = true; // not saved: the next save tries again
      throw err;
    }
  }
}
