/**
 * The folders of mail written here rather than fetched: Drafts, Outbox and Sent, each a Maildir++
 * subfolder of the account's Maildir (`.Drafts`, `.Outbox`, `.Sent`, as Dovecot and other tools
 * name them). Every write is a delivery's: the bytes go to tmp/ and are flushed, then renamed into
 * cur/ and the folder flushed, so a crash leaves the old file or the new one, never a torn one.
 * A move between folders is one rename. Small folders: listed by reading each message's head.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { summarize, SUMMARY_BYTES } from '../mime/summary';
import { fsyncDir, writeSynced } from './fsutil';
import { indexedMessage, type IndexedMessage } from './listingIndex';
import { FLAG_SEEN, messageNames, newMessageId, sortFlags } from './maildir';

/** A file in tmp/ this old belongs to no live writer. */
const STALE_TMP_MS = 36 * 3600_000;

export type LocalFolderName = 'drafts' | 'outbox' | 'sent';
export const LOCAL_FOLDER_DIRS: Record<LocalFolderName, string> = { drafts: '.Drafts', outbox: '.Outbox', sent: '.Sent' };

interface Entry {
  file: string;
  flags: string;
  row: IndexedMessage;
}

export class LocalFolder {
  private entries = new Map<string, Entry>();

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<LocalFolder> {
    const folder = new LocalFolder(dir);
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(join(dir, sub), { recursive: true });
    await folder.clearStaleTmp();
    await folder.rescan();
    return folder;
  }

  /** Half-written files a crash left in tmp/: removed once old enough that no writer can still own them (Maildir's 36 hours). */
  private async clearStaleTmp(now = Date.now()): Promise<void> {
    for (const name of await fs.readdir(join(this.dir, 'tmp'))) {
      const path = join(this.dir, 'tmp', name);
      const s = await fs.stat(path).catch(() => undefined);
      if (s?.isFile() && now - s.mtimeMs > STALE_TMP_MS) await fs.rm(path, { force: true }); // a folder there is not ours
    }
  }

  /** Reads the folder again (another window may have written to it). */
  async rescan(): Promise<void> {
    for (const name of await messageNames(join(this.dir, 'new'))) {
      // Mail another tool put in new/ moves to cur/ as Maildir readers do; the listing of cur/ below holds it.
      if (!name.startsWith('.')) await fs.rename(join(this.dir, 'new', name), join(this.dir, 'cur', `${name}:2,`)).catch(() => undefined);
    }
    const entries = new Map<string, Entry>();
    for (const file of await messageNames(join(this.dir, 'cur'))) {
      if (file.startsWith('.')) continue;
      const id = file.split(':')[0].split(',')[0];
      const known = this.entries.get(id);
      if (known?.file === file) entries.set(id, known);
      else {
        const row = await this.summaryOf(id, file);
        if (row) entries.set(id, { file, flags: file.split(':2,')[1] ?? '', row });
      }
    }
    this.entries = entries;
  }

  /** Newest first. */
  ids(): string[] {
    return [...this.entries.values()].sort((a, b) => b.row.date - a.row.date).map((e) => e.row.id);
  }

  get size(): number {
    return this.entries.size;
  }

  forEachMessage(visit: (row: Readonly<IndexedMessage>, seen: boolean, trashed: boolean) => void): void {
    for (const e of this.entries.values()) visit(e.row, e.flags.includes(FLAG_SEEN), false);
  }

  row(id: string): { row: IndexedMessage; seen: boolean } | undefined {
    const e = this.entries.get(id);
    return e && { row: e.row, seen: e.flags.includes(FLAG_SEEN) };
  }

  pathOf(id: string): string | undefined {
    const e = this.entries.get(id);
    return e && join(this.dir, 'cur', e.file);
  }

  async read(id: string): Promise<Buffer> {
    const path = this.pathOf(id);
    if (!path) throw new Error(`No message ${id} in ${this.dir}.`);
    return fs.readFile(path);
  }

  /** Writes a message durably, new (a fresh id) or in place of the one with `id`. Returns its id. */
  async write(bytes: Buffer, id = newMessageId(), flags = FLAG_SEEN): Promise<string> {
    const temp = join(this.dir, 'tmp', `${id}.${randomBytes(4).toString('hex')}`);
    await writeSynced(temp, bytes, 'wx');
    const file = `${id}:2,${sortFlags(flags)}`;
    const previous = this.entries.get(id);
    await fs.rename(temp, join(this.dir, 'cur', file));
    if (previous && previous.file !== file) await fs.rm(join(this.dir, 'cur', previous.file), { force: true });
    await fsyncDir(join(this.dir, 'cur'));
    this.entries.set(id, { file, flags: sortFlags(flags), row: indexedMessage(id, undefined, bytes.length, undefined, summarize(bytes.subarray(0, SUMMARY_BYTES))) });
    return id;
  }

  async remove(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    await fs.rm(join(this.dir, 'cur', e.file), { force: true });
    await fsyncDir(join(this.dir, 'cur'));
    this.entries.delete(id);
  }

  /** Moves a message out to `path` (one rename, durable): it is no longer this folder's. */
  async release(id: string, path: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    await fs.rename(join(this.dir, 'cur', e.file), path);
    await fsyncDir(dirname(path));
    await fsyncDir(join(this.dir, 'cur'));
    this.entries.delete(id);
  }

  /** Moves a message into another folder in one rename (both on one disk), durably. */
  async moveTo(id: string, target: LocalFolder, flags = FLAG_SEEN): Promise<void> {
    const e = this.entries.get(id);
    if (!e) throw new Error(`No message ${id} in ${this.dir}.`);
    const file = `${id}:2,${sortFlags(flags)}`;
    await this.release(id, join(target.dir, 'cur', file));
    target.entries.set(id, { file, flags: sortFlags(flags), row: e.row });
  }

  private async summaryOf(id: string, file: string): Promise<IndexedMessage | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(join(this.dir, 'cur', file), 'r');
    } catch {
      return undefined; // moved meanwhile
    }
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(size, SUMMARY_BYTES));
      await handle.read(head, 0, head.length, 0);
      return indexedMessage(id, undefined, size, undefined, summarize(head));
    } catch {
      return undefined; // not readable (a link to a folder): not a message
    } finally {
      await handle.close();
    }
  }
}

/** An account's Drafts, Outbox and Sent, beside its Maildir's messages (`<storeRoot>/Maildir/.Sent`...). */
export async function openLocalFolders(storeRoot: string): Promise<Record<LocalFolderName, LocalFolder>> {
  const open = (name: LocalFolderName) => LocalFolder.open(join(storeRoot, 'Maildir', LOCAL_FOLDER_DIRS[name]));
  const [drafts, outbox, sent] = await Promise.all([open('drafts'), open('outbox'), open('sent')]);
  return { drafts, outbox, sent };
}
