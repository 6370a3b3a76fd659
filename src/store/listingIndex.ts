/**
 * The listing index: what the views need of each stored message (summary, size, thread headers),
 * kept in index.json so a store opens without reading every message. Derived data: a missing,
 * corrupt or older-version file is rebuilt from the Maildir (accountStore.ts reconciles it on open).
 *
 * In memory each message is an object with named fields. On disk each is an array in the order of
 * FIELDS (written once at the top of the file): 100,000 rows without 100,000 copies of each field
 * name, and a file any tool can still read by the header.
 */
import type { MessageSummary } from '../mime/summary';
import { asciiJson } from './fsutil';

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
export const INDEX_VERSION = 2;

const FIELDS = ['id', 'uidl', 'from', 'to', 'subject', 'date', 'size', 'hasAttachments', 'snippet', 'partialOf', 'messageId', 'inReplyTo', 'references'] as const;
type DiskRow = unknown[];

export type Listing = { mtime: string; names: string[] };
export type Listings = Partial<Record<'new' | 'cur', Listing>>;

interface SavedIndex {
  version: number;
  fields: readonly string[];
  rows: DiskRow[];
  listing?: Listings;
}

/**
 * A row, its fields written out in the order decodeRow writes them: one hidden class for every row,
 * read from index.json or made on delivery. Rows made by a spread had a class of their own, and the
 * list's reads of their fields (a date filter over 100,000) took 30-45 ms instead of 2-6.
 */
export function indexedMessage(id: string, uidl: string | undefined, size: number, partialOf: number | undefined, summary: MessageSummary): IndexedMessage {
  const { from, to, subject, date, hasAttachments, snippet, messageId, inReplyTo, references } = summary;
  return { id, uidl, from, to, subject, date, size, hasAttachments, snippet, partialOf, messageId, inReplyTo, references };
}

export function encodeIndex(messages: Iterable<IndexedMessage>, listing: Listings): string {
  const rows: DiskRow[] = [];
  for (const m of messages) rows.push(FIELDS.map((f) => m[f] ?? null));
  const saved: SavedIndex = { version: INDEX_VERSION, fields: FIELDS, rows, listing };
  return asciiJson(saved);
}

/** The rows and listings of a saved index; nothing when it is of another version or malformed. */
export function decodeIndex(saved: unknown): { messages: IndexedMessage[]; listing: Listings } {
  const index = saved as Partial<SavedIndex> | undefined;
  const sameFields = Array.isArray(index?.fields) && index.fields.length === FIELDS.length && FIELDS.every((f, i) => index.fields![i] === f);
  if (index?.version !== INDEX_VERSION || !sameFields || !Array.isArray(index.rows)) return { messages: [], listing: {} };
  const messages: IndexedMessage[] = [];
  for (const row of index.rows) {
    const m = decodeRow(row);
    if (m) messages.push(m);
  }
  return { messages, listing: index.listing && typeof index.listing === 'object' ? index.listing : {} };
}

/**
 * One row, checked field by field: a hand-edited or damaged row is dropped (and so re-read from its
 * file). Hot on open (100,000 rows): indexed reads and plain tests, no array or closure per row.
 */
function decodeRow(row: unknown): IndexedMessage | undefined {
  if (!Array.isArray(row) || row.length !== FIELDS.length) return undefined;
  const id: unknown = row[0], uidl: unknown = row[1], from: unknown = row[2], to: unknown = row[3], subject: unknown = row[4], date: unknown = row[5], size: unknown = row[6];
  const hasAttachments: unknown = row[7], snippet: unknown = row[8], partialOf: unknown = row[9], messageId: unknown = row[10], inReplyTo: unknown = row[11], references: unknown = row[12];
  if (typeof id !== 'string' || typeof from !== 'string' || typeof to !== 'string' || typeof subject !== 'string' || typeof snippet !== 'string' || typeof messageId !== 'string' || typeof inReplyTo !== 'string') return undefined;
  if (typeof date !== 'number' || typeof size !== 'number' || typeof hasAttachments !== 'boolean') return undefined;
  if (!(uidl === null || typeof uidl === 'string') || !(partialOf === null || typeof partialOf === 'number')) return undefined;
  if (!Array.isArray(references)) return undefined;
  for (let i = 0; i < references.length; i++) if (typeof references[i] !== 'string') return undefined;
  return { id, uidl: uidl ?? undefined, from, to, subject, date, size, hasAttachments, snippet, partialOf: partialOf ?? undefined, messageId, inReplyTo, references: references as string[] };
}
