/**
 * Reading an account's Maildir and index.json into the store's files map, reconciled: every message
 * file once (the Maildir is the truth), each with the index row of that very file, and the messages
 * without a row summarised again from their first bytes.
 *
 * While new/ or cur/ has the mtime recorded in the index, the rows' saved file names stand for its
 * listing, and a view's open takes each file's fields from its row instead of parsing 100,000 names
 * (a row is only ever attached to a file whose name agrees with it); a file not found where its
 * name says is looked for again (accountStore.ts), and the next open lists the directories. A
 * directory that changed is listed, and each name the index saved (most of them: a few were
 * renamed, added or removed) is taken from its row all the same; only the others are parsed. A
 * listing is recorded only when its directory had been quiet for LISTING_QUIET_MS, so a change in
 * the same timestamp tick cannot hide behind it; any later change, the store's own or another
 * program's, moves the mtime on. A fetch, which decides what a server may delete, lists both
 * directories and parses every name.
 */
import { closeSync, openSync, promises as fs, readSync } from 'node:fs';
import { join } from 'node:path';
import { DIRS, flagsOf, messageNames, parseFileName, type MaildirDir, type MaildirFile } from './maildir';
import { parseJson, readJsonText, readStart } from './fsutil';
import { decodeIndex, indexedMessage, MTIMES_BYTES, peekMtimes, type DecodedIndex, type IndexedMessage, type Mtimes } from './listingIndex';
import { summarize, SUMMARY_BYTES } from '../mime/summary';

/** A message file as the store holds it: its Maildir name's fields and its index row. */
export type Stored = MaildirFile & { row?: IndexedMessage };

const LISTING_QUIET_MS = 2000;

export interface FoundFiles {
  files: Map<string, Stored>;
  /** The mtimes of the directories whose listing the files are (to save with the index). */
  mtimes: Mtimes;
  /** index.json should be written again: a listing to record or drop, rows to add or remove. */
  dirty: boolean;
  index: DecodedIndex;
  /** 1 for each of the index's rows already placed with its file (or lost to a fuller copy of it). */
  taken: Uint8Array;
}

/**
 * Every message file of new/ and cur/, from the index while a directory is unchanged, else from
 * its listing. `verify` (a fetch) lists both directories and parses every name whatever the index
 * says: what a server may delete rests on the Maildir alone, never on a copy of its names.
 */
export async function findFiles(maildir: string, indexPath: string, verify: boolean): Promise<FoundFiles> {
  // A directory that changed since the index was saved is listed on libuv's pool while the index is
  // read and parsed here: the mtimes it records are at its head (a hint; the parsed index decides).
  const [head, ...stats] = await Promise.all([readStart(indexPath, MTIMES_BYTES), ...DIRS.map((dir) => fs.stat(join(maildir, dir), { bigint: true }))]);
  const peeked = peekMtimes(head);
  const listed = DIRS.map((dir, i) => (!verify && peeked[dir] === String(stats[i].mtimeNs) ? undefined : handledLater(messageNames(join(maildir, dir)))));
  const index = decodeIndex(parseJson(await readJsonText(indexPath)));
  const { messages, dirs, files } = index;
  const found: FoundFiles = { files: new Map(), mtimes: {}, dirty: false, index, taken: new Uint8Array(messages.length) };
  for (const [i, dir] of DIRS.entries()) {
    const mtime = String(stats[i].mtimeNs);
    const early = await listed[i];
    if (!verify && index.mtimes[dir] === mtime && dirs && files) {
      found.mtimes[dir] = mtime;
      for (let r = 0; r < messages.length; r++) {
        if (dirs[r] !== dir) continue;
        found.taken[r] = 1;
        place(found.files, fileOfRow(messages[r], dir, files[r]), messages[r]);
      }
      for (const name of index.others[dir] ?? []) place(found.files, parseFileName(name, dir));
      continue;
    }
    const names = early ?? (await messageNames(join(maildir, dir)));
    const quiet = Date.now() - Number(stats[i].mtimeMs) >= LISTING_QUIET_MS;
    if (index.mtimes[dir] !== mtime && (quiet || index.mtimes[dir] !== undefined)) found.dirty = true; // the saved listing changes
    if (quiet) found.mtimes[dir] = mtime;
    const saved = dirs && files ? new SavedNames(index, dir) : undefined;
    for (const name of names) {
      const r = saved?.rowOf(name);
      if (r === undefined) {
        place(found.files, parseFileName(name, dir));
        continue;
      }
      found.taken[r] = 1;
      place(found.files, verify ? parseFileName(name, dir) : fileOfRow(messages[r], dir, name), messages[r]);
    }
  }
  return found;
}

/**
 * Gives the files found by listing their directory their rows, and summarises again the messages
 * that have none. True when the index must be written again.
 */
export async function attachRows(maildir: string, { files, index, taken }: FoundFiles): Promise<boolean> {
  const { messages } = index;
  for (let r = 0; r < messages.length; r++) {
    if (taken[r]) continue;
    const row = messages[r];
    const file = files.get(row.id);
    if (file && !file.row && isRowOf(row, file)) file.row = row;
  }
  let matched = 0;
  for (const file of files.values()) if (file.row) matched++;
  if (matched === files.size && matched === messages.length) return false;
  const buffer = Buffer.allocUnsafe(SUMMARY_BYTES); // one buffer for all: a summary keeps strings only
  let read = 0;
  for (const file of files.values()) {
    if (file.row) continue;
    file.row = rowFromFile(maildir, file, buffer);
    if (++read % 256 === 0) await new Promise((resolve) => setImmediate(resolve)); // let the host breathe
  }
  return true;
}

/** A file's row summarised from its first bytes; undefined when it cannot be read. */
export function rowFromFile(maildir: string, file: MaildirFile, buffer = Buffer.allocUnsafe(SUMMARY_BYTES)): IndexedMessage | undefined {
  const head = readHead(join(maildir, file.dir, file.file), buffer);
  return head && indexedMessage(file.id, file.uidl, file.size, file.partialOf, summarize(head));
}

/**
 * The index's row of each name of a directory listed again: most names are still those the index
 * saved (a few were renamed, added or removed), and come in the same order (a listing's order moves
 * only where names changed). So each name is compared with the next saved one, or a few further on
 * (past names since removed); after a run of misses, the rest are looked up by name. 100,000 names:
 * a Map of them took longer to build than parsing them.
 */
class SavedNames {
  private readonly names: string[] = [];
  private readonly rows: number[] = [];
  private next = 0;
  private misses = 0;
  private byName: Map<string, number> | undefined;

  constructor({ dirs, files }: DecodedIndex, dir: MaildirDir) {
    for (let r = 0; r < dirs!.length; r++) {
      if (dirs![r] !== dir) continue;
      this.names.push(files![r]);
      this.rows.push(r);
    }
  }

  /** The row saved with this name, if any. Each name once: a listing names a file once. */
  rowOf(name: string): number | undefined {
    const end = Math.min(this.next + SAVED_NAMES_AHEAD, this.names.length);
    for (let k = this.next; k < end; k++) if (this.names[k] === name) return this.found(k);
    if (++this.misses < SAVED_NAMES_AHEAD) return undefined; // a name added or renamed since
    this.byName ??= new Map(this.names.map((saved, k) => [saved, k]));
    const k = this.byName.get(name);
    return k === undefined ? undefined : this.found(k);
  }

  private found(k: number): number {
    this.next = Math.max(this.next, k + 1);
    this.misses = 0;
    return this.rows[k];
  }
}

/** How far ahead SavedNames looks for a name, and how many misses in a row make it look names up. */
const SAVED_NAMES_AHEAD = 8;

/** Adds a message file, with its row when the row is of this very file. */
function place(files: Map<string, Stored>, file: Stored | undefined, row?: IndexedMessage): void {
  if (!file) return;
  const other = files.get(file.id);
  // A crash while completing a partial copy can leave both: the full one wins.
  if (other && !(other.partialOf !== undefined && file.partialOf === undefined)) return;
  if (row && isRowOf(row, file)) file.row = row;
  files.set(file.id, file);
}

/** The promise, marked as handled: its failure is met where it is awaited, perhaps after other awaits. */
function handledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The row describes this file: same message, same size, same copy. Every row a store holds is, so a saved row can stand for its file's name. */
export function isRowOf(row: IndexedMessage, file: MaildirFile): boolean {
  return row.id === file.id && row.size === file.size && row.partialOf === file.partialOf && row.uidl === file.uidl;
}

/**
 * A file from its row and saved name, without parsing the name: the row holds its id, size, UIDL and
 * partial size (isRowOf held when it was saved), the name only its flags. A name that records a LIST
 * size (rare) is parsed.
 */
function fileOfRow(row: IndexedMessage, dir: MaildirDir, file: string): Stored | undefined {
  if (file.includes(',L=')) return parseFileName(file, dir);
  return { id: row.id, dir, file, size: row.size, uidl: row.uidl, partialOf: row.partialOf, flags: flagsOf(file), row }; // row in the literal: added later, it took each file a property store of its own (3 MB of 100,000)
}

/**
 * The first bytes of a message file, into `buffer`; undefined if the file is gone. Synchronous: a
 * page-cache read of 64 KB takes microseconds, three pool round trips per file took longer
 * (rebuilding an index of 100,000: 18 s).
 */
function readHead(path: string, buffer: Buffer): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // moved or removed meanwhile (another window): the next open sees it
  }
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } catch {
    return undefined; // not readable (a link to a folder): not a message to list
  } finally {
    closeSync(fd);
  }
}
