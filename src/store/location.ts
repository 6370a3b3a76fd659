/**
 * Where an account's mail lives, and moving it there from an older place without losing a message.
 *
 * A store's folder is named by the account's identity (user, host, port), not by a generated id,
 * so "Remove Account, Keep Mail" and adding the same account again finds the kept mail, and the
 * same account in any window finds the same mailbox.
 *
 * Moving (`moveStore`) is crash-safe at every step; a kill at any moment loses nothing and the next
 * start finishes the move:
 *  - nothing at the new place: one rename of the whole folder (atomic: the store is at one place or
 *    the other). Across file systems (EXDEV), the merge below into an empty store.
 *  - a store at the new place already (the same account moved from another workspace): a merge.
 *    Each message file the new store lacks (same id, or same server key) is copied into its tmp/,
 *    fsynced, and renamed into cur/ with its flags; only when every message is in does the old
 *    folder go, renamed aside first so a half-deleted folder is never taken for a store. The POP3
 *    state and the index are derived: the new store rebuilds what it needs from its Maildir.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDir } from './fsutil';
import { messageNames, parseFileName, type MaildirFile } from './maildir';

export interface AccountIdentity {
  user: string;
  host: string;
  port: number;
}

/** A folder name for an account's store: readable, safe on every file system, unique per identity. */
export function storeFolderName(identity: AccountIdentity): string {
  const key = `${identity.user.toLowerCase()}@${identity.host.toLowerCase()}:${identity.port}`;
  const readable = key.replace(/[^a-z0-9@._-]+/g, '-').slice(0, 60);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 10);
  return `${readable}-${hash}`;
}

const exists = (path: string) => fs.stat(path).then(() => true, () => false);

/** Moves (or merges) the store at `from` to `to`. Returns how many messages were moved by a merge. */
export async function moveStore(from: string, to: string): Promise<{ moved: boolean; merged: number }> {
  await removeLeftovers(from);
  if (!(await exists(from))) return { moved: false, merged: 0 };
  await fs.mkdir(dirname(to), { recursive: true });
  if (!(await exists(to))) {
    try {
      await fs.rename(from, to);
      await fsyncDir(dirname(to));
      await fsyncDir(dirname(from));
      return { moved: true, merged: 0 };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { moved: false, merged: 0 }; // another window moved it just now
      if (code !== 'EXDEV') throw err;
    }
  }
  const merged = await mergeMaildir(join(from, 'Maildir'), join(to, 'Maildir'));
  // Everything is in: set the old folder aside (atomic), then delete it.
  const aside = `${from}.moved-${process.pid}`;
  try {
    await fs.rename(from, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { moved: true, merged }; // another window finished first
    throw err;
  }
  await fsyncDir(dirname(from));
  await fs.rm(aside, { recursive: true, force: true });
  return { moved: true, merged };
}

/** Folders set aside by an interrupted move: their messages are all in the new store already. */
async function removeLeftovers(from: string): Promise<void> {
  const parent = dirname(from);
  const prefix = `${from.slice(parent.length + 1)}.moved-`;
  for (const name of await fs.readdir(parent).catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await fs.rm(join(parent, name), { recursive: true, force: true });
  }
}

async function listMaildir(maildir: string): Promise<MaildirFile[]> {
  const files: MaildirFile[] = [];
  for (const dir of ['new', 'cur'] as const) {
    for (const name of await messageNames(join(maildir, dir)).catch(() => [] as string[])) {
      const file = parseFileName(name, dir);
      if (file) files.push(file);
    }
  }
  return files;
}

async function mergeMaildir(fromDir: string, toDir: string): Promise<number> {
  for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(join(toDir, sub), { recursive: true });
  const present = await listMaildir(toDir);
  const ids = new Set(present.map((f) => f.id));
  const keys = new Set(present.flatMap((f) => (f.uidl !== undefined && f.partialOf === undefined ? [f.uidl] : [])));
  let merged = 0;
  for (const file of await listMaildir(fromDir)) {
    // Already there: the same file (an interrupted merge), or the same server message stored complete.
    if (ids.has(file.id) || (file.uidl !== undefined && keys.has(file.uidl))) continue;
    const temp = join(toDir, 'tmp', `${file.id}.merge`);
    await fs.copyFile(join(fromDir, file.dir, file.file), temp);
    const handle = await fs.open(temp, 'r');
    await handle.sync();
    await handle.close();
    await fs.rename(temp, join(toDir, 'cur', file.dir === 'new' ? `${file.file}:2,` : file.file));
    ids.add(file.id);
    merged++;
  }
  await fsyncDir(join(toDir, 'cur'));
  return merged;
}
