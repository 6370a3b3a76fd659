/**
 * The listing index: what the views need of each stored message (summary, size, thread headers),
 * kept in index.json so a store opens without reading every message. Derived data: a missing,
 * corrupt or older-version file is rebuilt from the Maildir (accountStore.ts reconciles it on open).
 *
 * In memory each message is an object with named fields. On disk the file is a column per field
 * (named once, in `fields`), each a list with one value per message: 15 lists instead of 100,000,
 * which JSON.parse makes a third faster (100,000 messages: 230-260 ms to read and decode, against
 * 320-350 as rows) and the file stays readable by any tool.
 *
 * Each message also records its file's directory and name as they were when the index was saved,
 * `mtimes` the mtime of new/ and cur/ at a moment they had been quiet, and `others` any names there
 * with no row. While a directory keeps that mtime, its messages are exactly those, and an open
 * neither lists the directory nor parses its 100,000 names.
 */
import type { MessageSummary } from '../mime/summary';
import { asciiJson } from './fsutil';
import { DIRS, type MaildirDir } from './maildir';

export interface IndexedMessage extends MessageSummary {
  /** The Maildir id (file name up to the first ','). */
  id: string;
  uidl?: string;
  /** Bytes on disk (only the headers when partialOf is set). */
  size: number;
  /** A headers-only copy: the size of the whole message on the server. */
  partialOf?: number;
}

/** Bump when a field is added or changes meaning: an index of another version is rebuilt. */
export const INDEX_VERSION = 3;


const ROW_FIELDS = ['id', 'uidl', 'from', 'to', 'subject', 'date', 'size', 'hasAttachments', 'snippet', 'partialOf', 'messageId', 'inReplyTo', 'references'] as const;
/** After the row's own fields: where its file was when the index was saved. */
const FIELDS = [...ROW_FIELDS, 'dir', 'file'] as const;

/** Each directory's mtime (nanoseconds, as text) when its listing was taken, for those whose listing stands. */
export type Mtimes = Partial<Record<MaildirDir, string>>;

/** A message file as the store saves it: where it is, and its row when it has one. */
export interface IndexedFile {
  dir: MaildirDir;
  file: string;
  row?: IndexedMessage;
}

export interface DecodedIndex {
  messages: IndexedMessage[];
  /** Where messages[i]'s file was when the index was saved (version 2 recorded none). */
  dirs: MaildirDir[] | undefined;
  files: string[] | undefined;
  /** The directories whose listing was recorded, and their names with no row. */
  mtimes: Mtimes;
  others: Partial<Record<MaildirDir, string[]>>;
}

interface SavedIndex {
  version: number;
  /** First, so a reader can find them before parsing the columns (peekMtimes). */
  mtimes: Mtimes;
  others: Partial<Record<MaildirDir, string[]>>;
  fields: readonly string[];
  columns: unknown[][];
}

/**
 * A row, its fields written out in the order decodeIndex writes them: one hidden class for every row,
 * read from index.json or made on delivery. Rows made by a spread had a class of their own, and the
 * list's reads of their fields (a date filter over 100,000) took 30-45 ms instead of 2-6.
 */
export function indexedMessage(id: string, uidl: string | undefined, size: number, partialOf: number | undefined, summary: MessageSummary): IndexedMessage {
  const { from, to, subject, date, hasAttachments, snippet, messageId, inReplyTo, references } = summary;
  return { id, uidl, from, to, subject, date, size, hasAttachments, snippet, partialOf, messageId, inReplyTo, references };
}

/** `mtimes` holds those still vouched for: only those directories' listings are saved. */
export function encodeIndex(files: Iterable<IndexedFile>, mtimes: Mtimes): string {
  const columns: unknown[][] = FIELDS.map(() => []);
  const others: Record<MaildirDir, string[]> = { new: [], cur: [] };
  for (const { dir, file, row } of files) {
    if (!row) {
      others[dir].push(file);
      continue;
    }
    for (let f = 0; f < ROW_FIELDS.length; f++) columns[f].push(row[ROW_FIELDS[f]] ?? null);
    columns[ROW_FIELDS.length].push(dir);
    columns[ROW_FIELDS.length + 1].push(file);
  }
  const saved: SavedIndex = { version: INDEX_VERSION, mtimes: {}, others: {}, fields: FIELDS, columns };
  for (const dir of DIRS) {
    if (mtimes[dir] === undefined) continue;
    saved.mtimes[dir] = mtimes[dir];
    saved.others[dir] = others[dir];
  }
  return asciiJson(saved);
}

const nothing = (): DecodedIndex => ({ messages: [], dirs: undefined, files: undefined, mtimes: {}, others: {} });

/**
 * The rows, places and listings of a saved index; nothing when it is of another version or
 * malformed. A damaged row is dropped (its message is read from its file again), and then no
 * listing is trusted: the dropped row's file must be found by listing its directory.
 */
export function decodeIndex(saved: unknown): DecodedIndex {
  const index = saved as Partial<SavedIndex & { rows: unknown }> | undefined;
  if (index?.version === 2) return decodeVersion2(index.fields, index.rows);
  if (index?.version !== INDEX_VERSION || !sameFields(index.fields, FIELDS) || !Array.isArray(index.columns)) return nothing();
  const columns = index.columns;
  if (columns.length !== FIELDS.length || !columns.every((c) => Array.isArray(c) && c.length === columns[0].length)) return nothing();
  const dirColumn = columns[ROW_FIELDS.length], fileColumn = columns[ROW_FIELDS.length + 1];
  const messages: IndexedMessage[] = [], dirs: MaildirDir[] = [], files: string[] = [];
  for (let i = 0; i < columns[0].length; i++) {
    const m = decodeRow(columns, i);
    const dir = dirColumn[i] === 'new' ? 'new' : dirColumn[i] === 'cur' ? 'cur' : undefined;
    const file: unknown = fileColumn[i];
    if (!m || !dir || typeof file !== 'string' || !namesId(file, m.id)) continue;
    messages.push(m);
    dirs.push(dir);
    files.push(file);
  }
  const { mtimes, others } = messages.length === columns[0].length ? decodeListings(index.mtimes, index.others) : nothing();
  return { messages, dirs, files, mtimes, others };
}

/** Version 2 kept a row per message and no places: its rows are good, its listings are not used. */
function decodeVersion2(fields: unknown, rows: unknown): DecodedIndex {
  if (!sameFields(fields, ROW_FIELDS) || !Array.isArray(rows)) return nothing();
  const columns = ROW_FIELDS.map((_, f) => rows.map((row: unknown) => (Array.isArray(row) && row.length === ROW_FIELDS.length ? row[f] : undefined)));
  const messages: IndexedMessage[] = [];
  for (let i = 0; i < rows.length; i++) {
    const m = decodeRow(columns, i);
    if (m) messages.push(m);
  }
  return { ...nothing(), messages };
}

function sameFields(fields: unknown, expected: readonly string[]): boolean {
  return Array.isArray(fields) && fields.length === expected.length && expected.every((f, i) => fields[i] === f);
}

/** The file name belongs to the id: the id, then the end, a ',' field or the ':' of the flags. */
function namesId(file: string, id: string): boolean {
  const next = file.charCodeAt(id.length);
  return file.startsWith(id) && (Number.isNaN(next) || next === 44 /* , */ || next === 58 /* : */);
}

/** A directory's listing counts only with its mtime and its list of names, both well formed. */
function decodeListings(mtimes: unknown, others: unknown): Pick<DecodedIndex, 'mtimes' | 'others'> {
  const out: Pick<DecodedIndex, 'mtimes' | 'others'> = { mtimes: {}, others: {} };
  if (!mtimes || typeof mtimes !== 'object' || !others || typeof others !== 'object') return out;
  for (const dir of DIRS) {
    const mtime: unknown = (mtimes as Record<string, unknown>)[dir];
    const names: unknown = (others as Record<string, unknown>)[dir];
    if (typeof mtime !== 'string' || !Array.isArray(names) || !names.every((name) => typeof name === 'string')) continue;
    out.mtimes[dir] = mtime;
    out.others[dir] = names;
  }
  return out;
}

/** How far into the text the mtimes end, at most. */
export const MTIMES_BYTES = 200;

/**
 * The mtimes an index's text records, from its first bytes, before it is parsed (encodeIndex writes
 * them first): lets an open start listing a changed directory while the rest is parsed. A hint only;
 * the parsed index decides.
 */
export function peekMtimes(text: string): Mtimes {
  const head = /^\{"version":3,"mtimes":\{(?:"new":"(\d+)",?)?(?:"cur":"(\d+)")?\}/.exec(text.slice(0, MTIMES_BYTES));
  return { new: head?.[1], cur: head?.[2] };
}

const EMPTY = Object.freeze([]) as unknown as string[];

/**
 * Message i, checked field by field: a hand-edited or damaged row is dropped (and so re-read from its
 * file). Hot on open (100,000 rows): indexed reads and plain tests, no array or closure per row.
 */
function decodeRow(columns: unknown[][], i: number): IndexedMessage | undefined {
  const id: unknown = columns[0][i], uidl: unknown = columns[1][i], from: unknown = columns[2][i], to: unknown = columns[3][i], subject: unknown = columns[4][i];
  const date: unknown = columns[5][i], size: unknown = columns[6][i], hasAttachments: unknown = columns[7][i], snippet: unknown = columns[8][i];
  const partialOf: unknown = columns[9][i], messageId: unknown = columns[10][i], inReplyTo: unknown = columns[11][i], references: unknown = columns[12][i];
  if (typeof id !== 'string' || typeof from !== 'string' || typeof to !== 'string' || typeof subject !== 'string' || typeof snippet !== 'string' || typeof messageId !== 'string' || typeof inReplyTo !== 'string') return undefined;
  if (typeof date !== 'number' || typeof size !== 'number' || typeof hasAttachments !== 'boolean') return undefined;
  if (!(uidl === null || typeof uidl === 'string') || !(partialOf === null || typeof partialOf === 'number')) return undefined;
  if (!Array.isArray(references)) return undefined;
  for (let r = 0; r < references.length; r++) if (typeof references[r] !== 'string') return undefined;
  // Most messages have no references: one shared empty list, not 100,000 (nothing changes a row's lists).
  return { id, uidl: uidl ?? undefined, from, to, subject, date, size, hasAttachments, snippet, partialOf: partialOf ?? undefined, messageId, inReplyTo, references: references.length ? (references as string[]) : EMPTY };
}
