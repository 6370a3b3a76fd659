/**
 * When an account is next checked for new mail. Each VS Code window runs its own extension host and
 * its own timers; the time of the last check (a fetch records it as it starts, under the account's
 * lock) is kept in the store, so the windows, and a window opened tomorrow, share one schedule
 * rather than each checking on its own.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { replaceWhole } from '../store/fsutil';

const FILE = 'last-check';

/** When a fetch last began a check of the account (ms); undefined when never, or unreadable. */
export async function readLastCheck(storeRoot: string): Promise<number | undefined> {
  const text = await fs.readFile(join(storeRoot, FILE), 'latin1').catch(() => '');
  const at = /^\d{1,15}\n?$/.test(text) ? Number(text) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

/** Records a check. Not flushed: a stamp lost in a crash only brings the next check forward. */
export async function recordCheck(storeRoot: string, at: number): Promise<void> {
  await replaceWhole(join(storeRoot, FILE), `${Math.round(at)}\n`); // whole or not at all, for the other windows
}

/**
 * How long to wait before the next check, `last` being the latest check known (here or in another
 * window). At least `soonestMs` (a window just opened lets VS Code settle first), at most one interval
 * (a stamp from the future, the clock set back, must not hold checks off).
 */
export function checkDelay(last: number, now: number, intervalMs: number, soonestMs: number): number {
  return Math.min(intervalMs, Math.max(soonestMs, last + intervalMs - now));
}

export interface ScheduledAccount {
  id: string;
  /** Between checks; 0: none. */
  intervalMs: number;
  storeRoot: string;
}

export interface SchedulerOptions {
  /** The first check of a window waits this long at least (ms), whatever is due. */
  soonestMs: number;
  /** Told of each account's last check as the scheduler reads it (for "last checked" in the tree). */
  onKnown?: (id: string, at: number) => void;
  now?: () => number;
  setTimer?: (run: () => Promise<void>, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/** A timer firing this early still counts as on time. */
const SLACK_MS = 1000;

/**
 * One window's timers. An account checked within its interval (in any window) waits for the rest
 * of it; one overdue (the window opened after a night) is checked once the window has settled; one
 * never checked waits an interval from when this window first saw it (setting an account up offers
 * a first fetch; a check at once could race it for the lock). A check this window began, even one
 * that could not run, counts for this window.
 */
export class CheckScheduler {
  private readonly timers = new Map<string, unknown>();
  private readonly firstSeen = new Map<string, number>();
  private readonly triedHere = new Map<string, number>();
  private generation = 0;
  private planned: ScheduledAccount[] = [];
  private readonly now: () => number;

  constructor(
    private readonly check: (id: string) => Promise<unknown>,
    private readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** (Re)starts the timers for these accounts; each `plan` replaces the last one's. */
  async plan(accounts: ScheduledAccount[]): Promise<void> {
    this.stop();
    this.planned = accounts;
    const generation = this.generation;
    for (const a of accounts) if (!this.firstSeen.has(a.id)) this.firstSeen.set(a.id, this.now());
    await Promise.all(accounts.filter((a) => a.intervalMs > 0).map((a) => this.arm(a, generation)));
  }

  /**
   * The window came back (focused again, perhaps after the machine slept): Node's timers run on a
   * clock that may stop while the machine sleeps, so one armed last night could still wait its
   * interval. Armed again from the stamps, an account overdue by the wall clock is checked once the
   * window settles.
   */
  wake(): Promise<void> {
    return this.plan(this.planned);
  }

  stop(): void {
    this.generation++;
    for (const timer of this.timers.values()) (this.options.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout)))(timer);
    this.timers.clear();
  }

  /** The latest check known for an account: in any window (its store's stamp), or begun here. */
  private async lastCheck(a: ScheduledAccount): Promise<number> {
    const stamp = await readLastCheck(a.storeRoot);
    if (stamp !== undefined) this.options.onKnown?.(a.id, stamp);
    return Math.max(stamp ?? this.firstSeen.get(a.id) ?? this.now(), this.triedHere.get(a.id) ?? -Infinity);
  }

  private async arm(a: ScheduledAccount, generation: number): Promise<void> {
    const last = await this.lastCheck(a);
    if (generation !== this.generation) return;
    const delay = checkDelay(last, this.now(), a.intervalMs, this.options.soonestMs);
    const set = this.options.setTimer ?? ((run, ms) => setTimeout(() => void run(), ms).unref());
    this.timers.set(a.id, set(() => this.due(a, generation), delay));
  }

  private async due(a: ScheduledAccount, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    this.timers.delete(a.id);
    const last = await this.lastCheck(a); // another window may have checked meanwhile
    if (generation !== this.generation) return;
    if (this.now() - last >= a.intervalMs - SLACK_MS) {
      this.triedHere.set(a.id, this.now());
      await this.check(a.id).catch(() => undefined); // the check reports its own errors
    }
    if (generation === this.generation) await this.arm(a, generation);
  }
}
