/**
 * One account's mail on disk:
 *
 *   <root>/Maildir/{tmp,new,cur}   the messages (standard Maildir; other tools can read it)
 *   <root>/Maildir/.Drafts, .Outbox, .Sent   mail written here (localFolder.ts; Maildir++ folders)
 *   <root>/outbox/                 what the Outbox knows of each queued message (compose/outbox.ts)
 *   <root>/pop3-state.json         UIDL -> stored message, snapshot      } written only by a fetch,
 *   <root>/pop3-state.journal      appended records since the snapshot   } under fetch.lock
 *   <root>/index.json              the listing index (listingIndex.ts; rebuildable)
 *   <root>/skipped.json            server messages that could not be downloaded, and why
 *   <root>/fetch.lock              one fetch per account at a time
 *
 * The Maildir is the truth: file names carry the UIDL and size, flags live in the `:2,` suffix.
 * State and index are derived data that are reconciled with the Maildir on every open, so a lost
 * or corrupt file costs time, never mail. Only a fetch loads the POP3 state (open with
 * `pop3State`); the views need the Maildir and the index alone.
 *
 * index.json also keeps each message's file name and the mtimes of new/ and cur/, so an open neither
 * lists nor parses a directory that is unchanged (storeLoad.ts reads and reconciles both).
 *
 * The UI only renames and unlinks message files (atomic), so it can work while a fetch runs in
 * another window.
 */
import { promises as fs, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DIRS, FLAG_SEEN, FLAG_TRASHED, countUnread, fileName, isUnread, messageNames, newMessageId, parseFileName, sortFlags, withFlags, type MaildirFile } from './maildir';
import { fsyncDir, writeFileAtomic } from './fsutil';
import { Pop3State, type UidlRecord } from './pop3State';
import { Delivery } from './delivery';
import { SkippedLog } from './skipped';
import { encodeIndex, indexedMessage, type IndexedMessage, type Mtimes } from './listingIndex';
import { attachRows, findFiles, isRowOf, rowFromFile, type Stored } from './storeLoad';
import { SUMMARY_BYTES } from '../mime/summary';
import { LOCAL_FOLDER_DIRS, openLocalFolders, type LocalFolder, type LocalFolderName } from './localFolder';

/** Where an account's messages are, under its store's folder. */
const maildirOf = (root: string) => join(root, 'Maildir');

/** A stored message as the views see it: its index fields and its flags. */
export interface MessageEntry extends IndexedMessage {
  seen: boolean;
  trashed: boolean;
  /** Set for mail written here: the local folder that holds it. */
  folder?: LocalFolderName;
}

/** A stored message's file: where it is now (its name changes with its flags) and its size. */
export interface StoredFile {
  id: string;
  path: string;
  size: number;
}

export type { UidlRecord } from './pop3State';

export class AccountStore {
  readonly maildir: string;
  /** Each stored message's file and, once known, its index row: one map, one lookup per message. */
  private files = new Map<string, Stored>(); // filled by open (storeLoad.ts)
  private pop3: Pop3State | undefined; // loaded only with `pop3State`
  /** The mtimes of new/ and cur/ whose listing these files were when read (storeLoad.ts). */
  private mtimes: Mtimes = {};
  private indexDirty = false;
  /** Server messages a fetch could not download, and why (see skipped.ts). */
  skipped!: SkippedLog;
  /** Drafts, Outbox and Sent (not opened for a fetch, which never touches them). */
  private folders: Record<LocalFolderName, LocalFolder> | undefined;

  private constructor(readonly root: string) {
    this.maildir = maildirOf(root);
  }

  /**
   * Opens (creating if needed) and reconciles the index, and with `pop3State` (a fetch, under the
   * account lock) the POP3 state, with the Maildir.
   */
  static async open(root: string, options: { pop3State?: boolean } = {}): Promise<AccountStore> {
    const store = new AccountStore(root);
    for (const sub of ['tmp', 'new', 'cur']) await fs.mkdir(join(store.maildir, sub), { recursive: true });
    const found = await findFiles(store.maildir, store.indexPath, !!options.pop3State);
    store.files = found.files;
    store.mtimes = found.mtimes;
    store.indexDirty = found.dirty;
    if (options.pop3State) store.pop3 = await Pop3State.load(root, store.files.values());
    if (await attachRows(store.maildir, found)) store.indexDirty = true;
    store.skipped = await SkippedLog.load(root);
    if (!options.pop3State) store.folders = await openLocalFolders(root);
    return store;
  }

  /** One of the folders of mail written here. */
  local(name: LocalFolderName): LocalFolder {
    if (!this.folders) throw new Error('This store was opened for a fetch, without its local folders.');
    return this.folders[name];
  }

  /** The local folder holding a message written here, if it is one. */
  private localOf(id: string): [LocalFolderName, LocalFolder] | undefined {
    return Object.entries(this.folders ?? {}).find(([, folder]) => folder.pathOf(id)) as [LocalFolderName, LocalFolder] | undefined;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** All messages, those of the local folders too (their entries say which), newest first. */
  list(): MessageEntry[] {
    const out: MessageEntry[] = [];
    for (const file of this.files.values()) if (file.row) out.push(toEntry(file.row, file));
    for (const name of Object.keys(LOCAL_FOLDER_DIRS) as LocalFolderName[]) this.folders?.[name].forEachMessage((row, seen) => out.push({ ...row, seen, trashed: false, folder: name }));
    return out.sort((a, b) => b.date - a.date || (a.id < b.id ? 1 : -1));
  }

  /** Each message's index row and flags, in no order, without copying the rows (the message list holds 100,000). */
  forEachMessage(visit: (row: Readonly<IndexedMessage>, seen: boolean, trashed: boolean) => void): void {
    for (const file of this.files.values()) if (file.row) visit(file.row, file.flags.includes(FLAG_SEEN), file.flags.includes(FLAG_TRASHED));
  }

  /** Unread messages outside Trash, from the file names alone (no sorting, no summaries). */
  unreadCount(): number {
    let unread = 0;
    for (const file of this.files.values()) if (isUnread(file.flags)) unread++;
    return unread;
  }

  /** The same count for a store not opened, from its file names (maildir.countUnread). */
  static countUnread(root: string): Promise<number> {
    return countUnread(maildirOf(root));
  }

  get(id: string): MessageEntry | undefined {
    const file = this.files.get(id);
    if (file?.row) return toEntry(file.row, file);
    const local = this.localOf(id);
    const found = local?.[1].row(id);
    return local && found ? { ...found.row, seen: found.seen, trashed: false, folder: local[0] } : undefined;
  }

  pathOf(id: string): string | undefined {
    const file = this.files.get(id);
    return file ? join(this.maildir, file.dir, file.file) : this.localOf(id)?.[1].pathOf(id);
  }

  async read(id: string): Promise<Buffer> {
    const path = this.pathOf(id);
    if (!path) throw new Error(`No stored message ${id}.`);
    try {
      return await fs.readFile(path);
    } catch (err) {
      if (!(await this.refound(id, err))) throw new Error(`Message ${id} is no longer in the mailbox: another window or program removed its file.`, { cause: err });
      return fs.readFile(this.pathOf(id)!);
    }
  }

  /**
   * After ENOENT on a message's file: finds it again by listing new/ and cur/ (another window or
   * program renamed it, or index.json named it wrongly), and has the next open list them too instead
   * of trusting the index's names. False when the file is gone (then dropped from this store). Any
   * other failure, or one of mail written here, is thrown.
   */
  private async refound(id: string, err: unknown): Promise<boolean> {
    const known = this.files.get(id);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !known) throw err;
    this.mtimes = {};
    this.indexDirty = true;
    for (const dir of DIRS) {
      for (const name of await messageNames(join(this.maildir, dir))) {
        const file = name.startsWith(id) ? parseFileName(name, dir) : undefined;
        if (file?.id !== id) continue;
        this.files.set(id, { ...file, row: known.row && isRowOf(known.row, file) ? known.row : rowFromFile(this.maildir, file) });
        return true;
      }
    }
    this.files.delete(id);
    return false;
  }

  /** The record of a UIDL this store has taken (stored now, or stored and since removed locally). */
  uidlRecord(uidl: string): UidlRecord | undefined {
    return this.state.records.get(uidl);
  }

  uidlRecords(): ReadonlyMap<string, UidlRecord> {
    return this.state.records;
  }

  /** The local file of a UIDL, if it is still in the Maildir. */
  fileOfUidl(uidl: string): MaildirFile | undefined {
    const record = this.state.records.get(uidl);
    return record && this.files.get(record.id);
  }

  private get state(): Pop3State {
    if (!this.pop3) throw new Error('This store was opened without its POP3 state (open it with pop3State).');
    return this.pop3;
  }

  // ---- local changes (safe while a fetch runs elsewhere: renames and unlinks only) ----------------

  async setFlag(ids: string[], flag: string, on: boolean): Promise<void> {
    for (const id of ids) {
      try {
        await this.setFlagOf(id, flag, on);
      } catch (err) {
        if (await this.refound(id, err)) await this.setFlagOf(id, flag, on); // else gone: nothing left to flag
      }
    }
  }

  private async setFlagOf(id: string, flag: string, on: boolean): Promise<void> {
    const file = this.files.get(id);
    if (!file) return;
    const flags = on ? sortFlags(file.flags + flag) : file.flags.replace(flag, '');
    if (flags === file.flags && file.dir === 'cur') return;
    // Only the flags change: the name's fields stay as they are, those of other programs too.
    const moved: Stored = { ...file, dir: 'cur', flags, file: withFlags(file.file, flags) };
    await fs.rename(join(this.maildir, file.dir, file.file), join(this.maildir, 'cur', moved.file));
    this.files.set(id, moved);
  }

  markSeen(ids: string[], seen = true): Promise<void> {
    return this.setFlag(ids, FLAG_SEEN, seen);
  }

  /** Local delete: the message goes to Trash (the T flag), from where it can be restored (mail written here to the Inbox). */
  async trash(ids: string[]): Promise<void> {
    for (const id of ids) if (!this.files.has(id)) await this.adoptLocal(id);
    return this.setFlag(ids, FLAG_TRASHED, true);
  }

  /** Moves a message of a local folder into the Maildir itself (one rename), as a message without a UIDL. */
  private async adoptLocal(id: string): Promise<void> {
    const local = this.localOf(id);
    const found = local?.[1].row(id);
    const from = local?.[1].pathOf(id);
    if (!local || !found || !from) return;
    const file: Stored = { id, dir: 'cur', file: '', size: found.row.size, flags: sortFlags(FLAG_SEEN), row: found.row };
    file.file = fileName(file);
    await local[1].release(id, join(this.maildir, 'cur', file.file));
    this.files.set(id, file);
    this.indexDirty = true;
  }

  restore(ids: string[]): Promise<void> {
    return this.setFlag(ids, FLAG_TRASHED, false);
  }

  /** Removes trashed messages for good. Their UIDLs stay known, so they are not fetched again. */
  async emptyTrash(): Promise<number> {
    let removed = 0;
    for (const file of [...this.files.values()]) {
      if (!file.flags.includes(FLAG_TRASHED)) continue;
      await fs.rm(join(this.maildir, file.dir, file.file), { force: true });
      this.files.delete(file.id);
      removed++;
    }
    if (removed) {
      await fsyncDir(join(this.maildir, 'cur'));
      this.indexDirty = true;
      await this.saveIndex();
    }
    return removed;
  }

  // ---- delivery (fetch only, under the account lock) -------------------------------------------

  /** Removes half-written deliveries left by a crash. Only a lock holder may call this. */
  async cleanTmp(): Promise<void> {
    for (const entry of await fs.readdir(join(this.maildir, 'tmp'), { withFileTypes: true })) {
      if (entry.isFile()) await fs.rm(join(this.maildir, 'tmp', entry.name), { force: true }); // a folder there is not ours
    }
  }

  /** Starts writing one message into tmp/. `partialOf` marks a headers-only copy; `expectedSize` is LIST's. */
  startDelivery(uidl: string, partialOf?: number, expectedSize = 0): Delivery {
    const id = this.state.records.get(uidl)?.id ?? newMessageId(); // completing a partial keeps its id
    return new Delivery(join(this.maildir, 'tmp', `${id}.part`), id, uidl, SUMMARY_BYTES, partialOf, expectedSize);
  }

  /**
   * Makes finished deliveries durable and visible, in the order that keeps the promise "the state
   * never runs ahead of the data": fsync each file, rename into new/, fsync the directory, and only
   * then append their UIDLs to the state journal (fsynced). When this resolves, a DELE is safe.
   */
  async commit(deliveries: Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await Promise.all(deliveries.map((d) => d.sync()));
    const replaced: MaildirFile[] = [];
    const placed = deliveries.map((d) => {
      const file: Stored = { id: d.id, dir: 'new', file: '', size: d.size, uidl: d.uidl, partialOf: d.partialOf, listSize: d.listSize, flags: '' };
      const previous = this.files.get(d.id);
      if (previous) {
        // Completing a headers-only copy: keep its flags and place.
        file.dir = previous.dir;
        file.flags = previous.flags;
        replaced.push(previous);
      }
      file.file = fileName(file);
      return { d, file };
    });
    for (const { d, file } of placed) {
      renameSync(d.tempPath, join(this.maildir, file.dir, file.file)); // metadata only: microseconds, no pool round trip
      file.row = indexedMessage(d.id, d.uidl, file.size, d.partialOf, d.summary);
      this.files.set(d.id, file);
    }
    await fsyncDir(join(this.maildir, 'new'));
    if (replaced.length) await fsyncDir(join(this.maildir, 'cur'));
    for (const old of replaced) {
      if (old.file !== this.files.get(old.id)?.file) await fs.rm(join(this.maildir, old.dir, old.file), { force: true });
    }
    const now = Date.now();
    await this.state.add(
      deliveries.map((d) => ({
        uidl: d.uidl,
        record: { id: d.id, size: d.size, listSize: d.listSize, headerHash: d.headerHash, firstSeen: this.state.records.get(d.uidl)?.firstSeen ?? now },
      })),
    );
    this.indexDirty = true;
  }

  /** Forgets UIDLs that the server no longer has and whose local copy is gone too. */
  forget(uidls: string[]): Promise<void> {
    return this.state.forget(uidls);
  }

  /** Writes the state snapshot and empties the journal; then saves the index. */
  async checkpoint(): Promise<void> {
    await this.state.checkpoint();
    await this.skipped.save();
    await this.saveIndex();
  }

  async close(): Promise<void> {
    await this.pop3?.close();
    await this.saveIndex();
  }

  async saveIndex(): Promise<void> {
    if (!this.indexDirty) return;
    this.indexDirty = false;
    await writeFileAtomic(this.indexPath, encodeIndex(this.files.values(), this.mtimes));
  }

  private get indexPath() {
    return join(this.root, 'index.json');
  }
}

/** Every field written out: one object shape for all entries (a spread made 100,000 entries several times slower to build and to extend). */
function toEntry(row: IndexedMessage, file: MaildirFile): MessageEntry {
  const { id, uidl, from, to, subject, date, size, hasAttachments, snippet, partialOf, messageId, inReplyTo, references } = row;
  return { id, uidl, from, to, subject, date, size, hasAttachments, snippet, partialOf, messageId, inReplyTo, references, seen: file.flags.includes(FLAG_SEEN), trashed: file.flags.includes(FLAG_TRASHED) };
}
