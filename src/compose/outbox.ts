/**
 * Mail waiting to be sent. A message is queued durably (its envelope in a state file of its own,
 * written first, then its bytes in the Outbox folder) before any attempt, and reaches the Sent folder by one rename once the server
 * has taken it. So a message is never lost: it is in the Outbox or in Sent.
 *
 * And never sent twice: once connected and logged in, just before handing the message over, the entry
 * is marked `sending` on disk. A process that dies after that leaves the mark; the next one cannot
 * know whether the server took the message (the reply may have been lost with the process), so it
 * does not retry such a message by itself: it says so, and the user chooses to send it again or to
 * move it to Sent. A process that dies earlier (connecting, logging in) left no mark: retried as usual.
 *
 * Failures the next attempt may cure (offline, timeouts, 4xx replies) are retried with growing
 * waits; refusals (wrong password, relaying denied, too large) wait for the user.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { LocalFolder } from '../store/localFolder';
import { readJson, writeFileAtomic } from '../store/fsutil';
import { newMessageId } from '../store/maildir';
import { acquireLock, LockBusyError } from '../store/lock';
import type { Envelope } from '../smtp/smtpClient';
import type { Outgoing } from './outgoing';

export interface OutboxEntry {
  id: string;
  envelope: Envelope;
  queuedAt: number;
  attempts: number;
  /**
   * Set on disk (under the Outbox lock) once the server is reached and logged into, just before the
   * message is handed over; found set by the next lock holder, that attempt died midway.
   */
  sending?: boolean;
  /** Why the last attempt failed, in words for the user. */
  lastError?: string;
  /** When to try again by itself (ms since epoch); absent: only when the user asks. */
  retryAt?: number;
  /** The last attempt died with the process: it may have reached the server. */
  interrupted?: boolean;
}

/** A failure, as the sender reports it: its words and whether trying again later may help. */
export interface SendFailure {
  message: string;
  retryable: boolean;
  /** The error itself, for the next step the UI offers (re-enter the password, trust a certificate). */
  cause?: unknown;
}

export interface SendOutcome {
  id: string;
  envelope: Envelope;
  /** Present when the message went out; the recipients the server refused meanwhile are listed. */
  sent?: { rejected: Array<{ address: string; reason: string }> };
  failed?: SendFailure;
}

/**
 * Sends one message. It calls `handingOver` (and waits for it) after connecting and logging in, right
 * before the message goes: a failure before that point cannot have sent anything.
 */
export type SendFunction = (raw: Buffer, envelope: Envelope, handingOver: () => Promise<void>) => Promise<{ rejected: Array<{ address: string; reason: string }> }>;

/** Waits between automatic attempts: 1, 5, 15 minutes, then hourly. */
export const RETRY_DELAYS_MS = [60_000, 300_000, 900_000, 3_600_000];

export class Outbox {
  private entries = new Map<string, OutboxEntry>();
  private sendingNow: Promise<unknown> = Promise.resolve();

  private constructor(
    /** One `<id>.json` per queued message (no shared file: windows queue without a lock). */
    private readonly stateDir: string,
    readonly folder: LocalFolder,
    private readonly sent: LocalFolder,
  ) {}

  /** The Outbox of the account stored at `storeRoot`. */
  static forAccount(storeRoot: string, folders: { outbox: LocalFolder; sent: LocalFolder }): Promise<Outbox> {
    return Outbox.open(join(storeRoot, 'outbox'), folders.outbox, folders.sent);
  }

  /** Whether anything waits to be sent from the store at `storeRoot`, from its state files alone (no store opened). */
  static async anyQueued(storeRoot: string): Promise<boolean> {
    const names = await fs.readdir(join(storeRoot, 'outbox')).catch((): string[] => []);
    return names.some((n) => n.endsWith('.json'));
  }

  static async open(stateDir: string, folder: LocalFolder, sent: LocalFolder): Promise<Outbox> {
    await fs.mkdir(stateDir, { recursive: true });
    const outbox = new Outbox(stateDir, folder, sent);
    await outbox.reload();
    return outbox;
  }

  /** Reads the state again, settling half-made entries; `settle` (lock holders only) marks attempts cut short. */
  async reload(settle = false): Promise<void> {
    const names = (await fs.readdir(this.stateDir)).filter((n) => n.endsWith('.json'));
    await this.folder.rescan(); // after the state files: a message is written after its state
    const entries = new Map<string, OutboxEntry>();
    for (const name of names) {
      const e = await readJson<OutboxEntry>(join(this.stateDir, name));
      if (!e || typeof e.id !== 'string' || `${e.id}.json` !== name || !Array.isArray(e.envelope?.to)) continue;
      if (!this.folder.pathOf(e.id)) {
        // Queued but its message never written (it stayed a draft), or sent and moved meanwhile.
        if (settle) await fs.rm(join(this.stateDir, name), { force: true });
        continue;
      }
      if (settle && e.sending) {
        Object.assign(e, { sending: false, interrupted: true, retryAt: undefined, lastError: 'Sending was cut short (VS Code closed or crashed): the server may have taken it. Send it again, or move it to Sent if it arrived.' });
        await this.save(e);
      }
      entries.set(e.id, e);
    }
    for (const id of this.folder.ids()) {
      // A message without its state (lost): kept, and sent only when the user asks.
      if (!entries.has(id)) entries.set(id, { id, envelope: { from: '', to: [] }, queuedAt: 0, attempts: 0, lastError: 'Its recipients were lost; open it and send it again.' });
    }
    this.entries = entries;
  }

  list(): OutboxEntry[] {
    return [...this.entries.values()].sort((a, b) => a.queuedAt - b.queuedAt);
  }

  get(id: string): OutboxEntry | undefined {
    return this.entries.get(id);
  }

  /** Puts a message in the Outbox, durably: after this resolves it cannot be lost. */
  async queue(outgoing: Outgoing, now = Date.now()): Promise<string> {
    const entry: OutboxEntry = { id: newMessageId(), envelope: outgoing.envelope, queuedAt: now, attempts: 0, retryAt: now };
    await this.save(entry);
    await this.folder.write(outgoing.raw, entry.id);
    this.entries.set(entry.id, entry);
    return entry.id;
  }

  /**
   * Sends every message due (or the ones named, whatever their state): one attempt each, in the
   * order queued. Calls do not overlap: a second waits for the first.
   */
  send(send: SendFunction, options: { ids?: string[]; now?: number } = {}): Promise<SendOutcome[]> {
    const run = this.sendingNow.then(() => this.sendDue(send, options));
    this.sendingNow = run.catch(() => undefined);
    return run;
  }

  /** Moves a message the user knows went out (after an interrupted attempt) to Sent. */
  async markSent(id: string): Promise<void> {
    await this.folder.moveTo(id, this.sent);
    await this.forget(id);
  }

  /** Takes a message out of the Outbox for good (the user cancelled it). */
  async discard(id: string): Promise<void> {
    await this.folder.remove(id);
    await this.forget(id);
  }

  private async sendDue(send: SendFunction, options: { ids?: string[]; now?: number }): Promise<SendOutcome[]> {
    let lock;
    try {
      lock = await acquireLock(this.lockPath, 'Another window sending this account\'s mail');
    } catch (err) {
      if (err instanceof LockBusyError) return []; // that window sends them
      throw err;
    }
    try {
      await this.reload(true); // another window may have sent or queued meanwhile
      return await this.attempt(send, options);
    } finally {
      await lock.release();
    }
  }

  private async attempt(send: SendFunction, { ids, now = Date.now() }: { ids?: string[]; now?: number }): Promise<SendOutcome[]> {
    const due = this.list().filter((e) => (ids ? ids.includes(e.id) : !e.interrupted && e.retryAt !== undefined && e.retryAt <= now));
    const outcomes: SendOutcome[] = [];
    for (const entry of due) {
      if (entry.envelope.to.length === 0) continue;
      entry.attempts++;
      await this.save(entry);
      let outcome: SendOutcome;
      try {
        const report = await send(await this.folder.read(entry.id), entry.envelope, async () => {
          entry.sending = true;
          await this.save(entry);
        });
        await this.folder.moveTo(entry.id, this.sent);
        await this.forget(entry.id);
        outcome = { id: entry.id, envelope: entry.envelope, sent: { rejected: report.rejected } };
      } catch (err) {
        const failure = asFailure(err);
        Object.assign(entry, { sending: false, interrupted: false, lastError: failure.message });
        entry.retryAt = failure.retryable ? now + RETRY_DELAYS_MS[Math.min(entry.attempts, RETRY_DELAYS_MS.length) - 1] : undefined;
        outcome = { id: entry.id, envelope: entry.envelope, failed: failure };
        await this.save(entry);
      }
      outcomes.push(outcome);
    }
    return outcomes;
  }

  private async save(entry: OutboxEntry): Promise<void> {
    await writeFileAtomic(join(this.stateDir, `${entry.id}.json`), JSON.stringify(entry));
  }

  private async forget(id: string): Promise<void> {
    this.entries.delete(id);
    await fs.rm(join(this.stateDir, `${id}.json`), { force: true });
  }

  private get lockPath(): string {
    return join(this.stateDir, 'sending.lock');
  }
}

function asFailure(err: unknown): SendFailure {
  const e = err as { message?: unknown; retryable?: unknown };
  return { message: typeof e?.message === 'string' ? e.message : String(err), retryable: e?.retryable === true, cause: err };
}
