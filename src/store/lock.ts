/**
 * One holder at a time, across windows and processes (one fetch per account, one writer of a
 * search index): a lock file created with O_EXCL that names its holder. A holder that died (its process is gone) leaves a stale lock, which the
 * next taker breaks. A live holder's lock is never broken.
 */
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

interface Holder {
  pid: number;
  host: string;
  since: number;
}

export class LockBusyError extends Error {
  constructor(
    readonly holder: Holder,
    what: string,
  ) {
    super(`${what} is running (process ${holder.pid} since ${new Date(holder.since).toLocaleTimeString()}).`);
  }
}

export interface Lock {
  release(): Promise<void>;
}

function alive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true; // cannot tell: assume alive
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's text, or undefined when there is none (released meanwhile). */
async function readLock(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err; // not ours to read: say so rather than break it
  }
}

/** The holder a lock file names; undefined when its text names none (see breakStale). */
function holderOf(text: string): Holder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<Holder> | null;
    return holder && Number.isInteger(holder.pid) && typeof holder.host === 'string' ? { pid: holder.pid!, host: holder.host, since: Number(holder.since) || 0 } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes a lock whose holder is dead, or whose text names no holder (a lock is linked into place
 * whole, so that is a crash's or a disk's doing). Breakers take turns through a second lock file:
 * without it, a slow breaker could remove the lock another taker had just taken after breaking
 * it, and two fetches would run at once. Returns false when another breaker is at work.
 */
async function breakStale(path: string, staleText: string, temp: string): Promise<boolean> {
  const breaker = `${path}.break`;
  try {
    await fs.link(temp, breaker);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A breaker takes milliseconds: one this old died at it.
    const since = await fs.stat(breaker).then((s) => s.mtimeMs, () => Date.now());
    if (Date.now() - since > BREAKER_DEAD_MS) await fs.rm(breaker, { force: true });
    return false;
  }
  try {
    // Under the breaker lock nobody else removes it: if the text is still the stale one, it is the stale lock.
    if ((await readLock(path)) === staleText) await fs.rm(path, { force: true });
    return true;
  } finally {
    await fs.rm(breaker, { force: true });
  }
}

const ATTEMPTS = 20;
const BREAKER_DEAD_MS = 10_000;

/** Takes the lock at `path`; `what` names the holder's work for the busy error ("Another fetch of this account"). */
export async function acquireLock(path: string, what = 'Another fetch of this account'): Promise<Lock> {
  const me: Holder = { pid: process.pid, host: hostname(), since: Date.now() };
  // The lock appears complete or not at all: written to a temp file, then hard-linked into place
  // (link fails with EEXIST when the lock exists), so a reader never sees a half-written holder.
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temp, JSON.stringify(me), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await fs.link(temp, path);
        return { release: () => fs.rm(path, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = await readLock(path);
      if (text === undefined) continue; // released meanwhile: take it
      const holder = holderOf(text);
      if (holder && alive(holder)) throw new LockBusyError(holder, what);
      if (!(await breakStale(path, text, temp))) await new Promise((resolve) => setTimeout(resolve, 5 * (attempt + 1)));
    }
    throw new Error(`Could not take the lock ${path}: it keeps changing hands.`);
  } finally {
    await fs.rm(temp, { force: true });
  }
}
