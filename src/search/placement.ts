/**
 * The index's answers as places in a list. The message list asks which of its messages (100,000)
 * hold some words; a string key per match, looked up on the extension host's thread, took
 * 100-150 ms. Instead each account's part of the list (its message ids and their places) goes to
 * the worker once per version of the list, and the worker turns index rows into places through a
 * table it makes once per version and index change: an answer is a typed array of places.
 */
import type { SearchIndex } from './searchIndex';

/**
 * What the index found about a list's messages: for each word leaf (by leafId) a flag per message
 * (1: found), and when asked for, how well each message matches the query's words (the sum over
 * the leaves of their BM25 scores; 0 where no leaf was found).
 */
export interface IndexAnswer {
  flags: Map<string, Uint8Array>;
  relevance?: Float32Array;
}

/**
 * One account's messages in a list: ids joined by NUL (one string crosses threads at once; a file
 * name, and so an id, can hold any other character), and the place of each.
 */
export interface PlacedIds {
  ids: string;
  places: Int32Array;
}

const ID_SEPARATOR = '\0';

/** Each account's message ids in `messages`, and their places. */
export function placeByAccount(messages: ReadonlyArray<{ accountId: string; id: string }>): Map<string, PlacedIds> {
  const byAccount = new Map<string, { ids: string[]; places: number[] }>();
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    let placed = byAccount.get(m.accountId);
    if (!placed) byAccount.set(m.accountId, (placed = { ids: [], places: [] }));
    placed.ids.push(m.id);
    placed.places.push(i);
  }
  return new Map([...byAccount].map(([accountId, { ids, places }]) => [accountId, { ids: ids.join(ID_SEPARATOR), places: Int32Array.from(places) }]));
}

/** Where the messages of one index stand in one version of a list (worker side). */
export class Placement {
  private readonly placeOf: Map<string, number>;
  private byRow = new Int32Array(0);
  private madeAt = -1;

  constructor(
    readonly version: number,
    placed: PlacedIds,
  ) {
    const ids = placed.ids ? placed.ids.split(ID_SEPARATOR) : [];
    this.placeOf = new Map(ids.map((id, k) => [id, placed.places[k]]));
  }

  /** The places of those of `rows` (of `index`) that the list holds, and their `scores` if given. */
  places(index: SearchIndex, rows: Int32Array, scores?: Float32Array): { places: Int32Array; scores?: Float32Array } {
    if (this.madeAt !== index.changes) {
      const ids = index.idsByRow();
      this.byRow = new Int32Array(ids.length).fill(-1);
      ids.forEach((id, n) => (this.byRow[n] = this.placeOf.get(id) ?? -1)); // skips the rows of removed messages
      this.madeAt = index.changes;
    }
    const out = new Int32Array(rows.length);
    const outScores = scores && new Float32Array(rows.length);
    let k = 0;
    for (let r = 0; r < rows.length; r++) {
      const n = rows[r];
      const place = n < this.byRow.length ? this.byRow[n] : -1;
      if (place < 0) continue;
      if (outScores) outScores[k] = scores![r];
      out[k++] = place;
    }
    return { places: out.slice(0, k), scores: outScores?.slice(0, k) };
  }
}
