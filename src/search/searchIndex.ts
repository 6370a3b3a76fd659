/**
 * The full-text index of one store: SQLite FTS5 (node-sqlite3-wasm, SQLite built to WebAssembly
 * with a file system VFS, so no native module to rebuild for each VS Code release) in a file
 * beside the store's Maildir. It is derived data, like the listing index: a file that cannot be
 * read or is of another version is deleted and built again from the Maildir.
 *
 * Words go in already made (tokens.ts: folded, CJK split) and joined by spaces, with FTS5's
 * `ascii` tokenizer, which then splits at the spaces only: the index and the queries cut words
 * one way, ours. The table is contentless (the mail is in the Maildir, not copied here) with
 * positions kept, for phrases.
 *
 * Chosen by measurement (20,000 messages of Zipf-distributed text, 1 KB each, on this 2-core
 * machine): FTS5 built at 17,900 messages/s into 21.5 MB on disk, queries 1.2 ms median and
 * 6.7 ms p95, the process's memory unchanged; MiniSearch (in memory) built at 4,600 messages/s,
 * held 95 MB of heap, and must be loaded whole (1.7 s) before the first query.
 */
import { existsSync, rmSync } from 'node:fs';
import { Database } from 'node-sqlite3-wasm';
import { acquireLock, type Lock } from '../store/lock';
import type { TextField } from './query';
import { tokens } from './tokens';

/** Bumped when the schema or the way words are made changes: an older index is built again. */
const VERSION = 1;

/** The searchable text of one message. */
export interface MessageText {
  /** The store's message id. */
  id: string;
  /** The message file's size: a message downloaded in full after its headers is read again. */
  size: number;
  from: string;
  /** To and Cc. */
  to: string;
  subject: string;
  /** Decoded body text (HTML reduced to text). */
  body: string;
  attachments: string[];
}

const COLUMNS: Record<Exclude<TextField, 'any'>, string> = { from: 'sender', to: 'recipients', subject: 'subject', attachment: 'attachments' };
/** BM25's weight of each column, in the table's order: sender, recipients, subject, body, attachments. */
const BM25_WEIGHTS = '2.0, 1.0, 3.0, 1.0, 1.0';

/** FTS5's query for a word leaf: its words as a phrase, in its column. */
function matchExpression(field: TextField, list: string[]): string {
  const phrase = `"${list.join(' ')}"`; // words are letters, marks and digits only: nothing to escape
  return field === 'any' ? phrase : `${COLUMNS[field]} : ${phrase}`;
}

export class SearchIndex {
  private constructor(
    private readonly db: Database,
    /** The index was (re)made empty: the caller fills it from the Maildir. */
    readonly fresh: boolean,
    private readonly owner: Lock,
  ) {}

  /**
   * Opens the index at `path`, making it anew when it is missing, damaged or of another version.
   * One process has it at a time (LockBusyError otherwise): the WebAssembly VFS locks the file with
   * a directory `<path>.lock`, and a process killed while holding it leaves it behind; held by
   * nobody else, it is such a leftover and goes.
   */
  static async open(path: string): Promise<SearchIndex> {
    const owner = await acquireLock(`${path}.owner`, 'Another window updating the search index');
    try {
      rmSync(`${path}.lock`, { recursive: true, force: true });
      const [db, fresh] = openDatabase(path);
      return new SearchIndex(db, fresh, owner);
    } catch (e) {
      await owner.release();
      throw e;
    }
  }

  /** Adds messages, or replaces those already in (a message downloaded in full after its headers). */
  add(messages: MessageText[]): void {
    const sql = ['SELECT n FROM messages WHERE id = ?', 'INSERT INTO messages(id, size) VALUES (?, ?)', 'UPDATE messages SET size = ? WHERE n = ?', 'DELETE FROM words WHERE rowid = ?', 'INSERT INTO words(rowid, sender, recipients, subject, body, attachments) VALUES (?, ?, ?, ?, ?, ?)'];
    this.transaction(sql, ([find, addId, resize, drop, put]) => {
      for (const m of messages) {
        const known = find.get(m.id) as { n: number } | null;
        if (known) {
          drop.run(known.n);
          resize.run([m.size, known.n]);
        }
        const n = known ? known.n : Number(addId.run([m.id, m.size]).lastInsertRowid);
        if (this.ids) this.ids[n] = m.id;
        this.changes++;
        put.run([n, words(m.from), words(m.to), words(m.subject), words(m.body), words(m.attachments.join(' '))]);
      }
    });
  }

  remove(ids: string[]): void {
    this.transaction(['SELECT n FROM messages WHERE id = ?', 'DELETE FROM words WHERE rowid = ?', 'DELETE FROM messages WHERE n = ?'], ([find, drop, forget]) => {
      for (const id of ids) {
        const known = find.get(id) as { n: number } | null;
        if (!known) continue;
        drop.run(known.n);
        forget.run(known.n);
        if (this.ids) delete this.ids[known.n];
        this.changes++;
      }
    });
  }

  /** The messages in the index, id to file size (to compare with the store's). */
  contents(): Map<string, number> {
    return new Map((this.db.all('SELECT id, size FROM messages') as Array<{ id: string; size: number }>).map((r) => [r.id, r.size]));
  }

  /** The ids of the messages whose `field` holds `words` in this order (one word: anywhere). */
  matching(field: TextField, list: string[]): Set<string> {
    const ids = this.idsByRow();
    return new Set(Array.from(this.rowsMatching(field, list), (n) => ids[n]));
  }

  /**
   * The row numbers of the messages whose `field` holds `words` in this order. They come back as
   * one string, read here digit by digit: a row object per match across the WebAssembly boundary
   * took 200-290 ms for 90,000 matches; one string, read here, 13-16 ms with the query itself.
   */
  rowsMatching(field: TextField, list: string[]): Int32Array {
    const { rows } = this.db.get("SELECT group_concat(rowid, ' ') AS rows FROM words WHERE words MATCH ?", [matchExpression(field, list)]) as { rows: string | null };
    return parseRows(rows ?? '');
  }

  /**
   * As rowsMatching, with how well each row matches: FTS5's BM25 (rarer words and shorter texts
   * count more; a word in more than half of the messages scores near 0, yet in the same proportions,
   * so no rounding), a word in the subject three times a word in the body, in the sender twice. Asked
   * only for a list sorted by relevance: it costs about ten times the rows alone (110-270 ms for a
   * word in 87,000 of 100,000 messages). The LIMIT keeps SQLite from folding the inner query into
   * the aggregate, where FTS5's functions cannot run.
   */
  scoredRowsMatching(field: TextField, list: string[]): { rows: Int32Array; scores: Float32Array } {
    const { rows } = this.db.get(`SELECT group_concat(scored, ' ') AS rows FROM (SELECT rowid || ' ' || -bm25(words, ${BM25_WEIGHTS}) AS scored FROM words WHERE words MATCH ? LIMIT -1)`, [matchExpression(field, list)]) as { rows: string | null };
    const parts = rows ? rows.split(' ') : [];
    const scored = { rows: new Int32Array(parts.length / 2), scores: new Float32Array(parts.length / 2) };
    for (let k = 0; k < parts.length; k += 2) {
      scored.rows[k / 2] = Number(parts[k]);
      scored.scores[k / 2] = Number(parts[k + 1]);
    }
    return scored;
  }

  /** Message ids by row number, read once and kept up to date by add and remove. */
  idsByRow(): readonly string[] {
    if (!this.ids) {
      this.ids = [];
      for (const row of this.db.all('SELECT n, id FROM messages') as Array<{ n: number; id: string }>) this.ids[row.n] = row.id;
    }
    return this.ids;
  }

  /** Counts adds and removals (and rollbacks): what was derived from the rows before a change is stale after it. */
  changes = 0;

  private ids: string[] | undefined;

  async close(): Promise<void> {
    this.db.close();
    await this.owner.release();
  }

  /** Runs `work` with these statements prepared, in one transaction: all of it or none. */
  private transaction(sql: string[], work: (statements: Statement[]) => void): void {
    const statements = sql.map((s) => this.db.prepare(s));
    this.db.exec('BEGIN');
    try {
      work(statements);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      this.ids = undefined; // it may hold rows rolled back: read again when needed
      this.changes++;
      throw e;
    } finally {
      for (const statement of statements) statement.finalize();
    }
  }
}

type Statement = ReturnType<Database['prepare']>;

/**
 * The database at `path`, and whether it was made anew (missing, damaged, another version).
 *
 * Written ahead (WAL), never with a rollback journal: the VFS answers "is the file reserved?" by
 * the same lock directory a reader holds, so SQLite never sees a journal left by a killed process
 * as hot, never rolls it back, and reads the half-written transaction (a test found FTS5 pages
 * "corrupt" after such a kill). A write-ahead log is read back to its last whole commit on open
 * whatever the locks say. The lock mode is exclusive, as WAL needs shared memory otherwise, which
 * the VFS has not; one process has the index anyway. A rollback journal still there (left by an
 * older version) cannot be trusted to be undone, so that index is made anew.
 *
 * Synchronous NORMAL: the log is flushed at checkpoints, not at every commit. A killed process
 * loses nothing committed, a power cut at most the last commits and never the index's
 * consistency; what it loses is read again by the next update, which compares the index with
 * the store. A flush per commit put an fsync beside each of a fetch's batches, on the disk the
 * fetch itself flushes to.
 */
function openDatabase(path: string): [Database, boolean] {
  try {
    if (existsSync(`${path}-journal`)) throw new Error('a rollback journal left by a killed process');
    const db = new Database(path);
    try {
      writeAhead(db);
      const version = Number((db.get('PRAGMA user_version') as { user_version: number }).user_version);
      if (version === VERSION) {
        db.get('SELECT count(*) FROM messages'); // reads the schema: a damaged file fails here
        return [db, false];
      }
      if (version === 0 && !db.get("SELECT name FROM sqlite_master WHERE type = 'table'")) {
        create(db);
        return [db, true];
      }
    } catch {
      // damaged: made again below
    }
    db.close();
  } catch {
    // not a database at all, or a journal left
  }
  for (const file of [path, `${path}-journal`, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  const db = new Database(path);
  writeAhead(db);
  create(db);
  return [db, true];
}

function writeAhead(db: Database): void {
  db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA synchronous = NORMAL');
  if ((db.get('PRAGMA journal_mode = WAL') as { journal_mode: string }).journal_mode !== 'wal') throw new Error('SQLite refused a write-ahead log');
}

function create(db: Database): void {
  db.exec(`
    BEGIN;
    CREATE TABLE messages(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, size INTEGER NOT NULL);
    CREATE VIRTUAL TABLE words USING fts5(sender, recipients, subject, body, attachments, tokenize = 'ascii', content = '', contentless_delete = 1);
    PRAGMA user_version = ${VERSION};
    COMMIT;`);
}

const words = (text: string) => tokens(text).join(' ');

/** "3 17 250" as numbers. */
function parseRows(text: string): Int32Array {
  let count = text.length > 0 ? 1 : 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 32) count++;
  const rows = new Int32Array(count);
  let k = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) {
      rows[k++] = n;
      n = 0;
    } else n = n * 10 + c - 48;
  }
  if (count > 0) rows[k] = n;
  return rows;
}
