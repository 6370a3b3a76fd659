/**
 * One fetch per account at a time, across windows and processes: a lock file created with O_EXCL
 * that names its holder. A holder that died (its process is gone) leaves a stale lock, which the
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
  constructor(readonly holder: Holder) {
    super(`Another fetch of this account is running (process ${holder.pid} since ${new Date(holder.since).toLocaleTimeString()}).`);
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

export async function acquireLock(path: string): Promise<Lock> {
  const me: Holder = { pid: process.pid, host: hostname(), since: Date.now() };
  // The lock appears complete or not at all: written to a temp file, then hard-linked into place
  // (link fails with EEXIST when the lock exists), so a reader never sees a half-written holder.
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(temp, JSON.stringify(me), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fs.link(temp, path);
        return { release: () => fs.rm(path, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let holder: Holder | undefined;
      try {
        holder = JSON.parse(await fs.readFile(path, 'utf8')) as Holder;
      } catch {
        holder = undefined; // vanished meanwhile, or not ours to read: just retry
      }
      if (holder && alive(holder)) throw new LockBusyError(holder);
      if (holder) {
        // Stale: move it aside atomically (only one breaker wins the rename), then retry.
        const aside = `${path}.stale-${randomBytes(4).toString('hex')}`;
        if (await fs.rename(path, aside).then(() => true, () => false)) await fs.rm(aside, { force: true });
      }
    }
    throw new Error(`Could not take the lock ${path}.`);
  } finally {
    await fs.rm(temp, { force: true });
  }
}
