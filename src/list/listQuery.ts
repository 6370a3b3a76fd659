/**
 * The list's filter text as a search query (src/search/query.ts): one box for the quick filter
 * and for search. Each word leaf matches a message when its words are in the sender, recipients,
 * subject or snippet as the list already holds them (at once, and as a prefix while one types) or
 * when the search index found it (body, attachment names, whole words; its answer comes a moment
 * later, from the worker). Flags, dates and accounts come from the messages.
 */
import { compile } from '../search/evaluate';
import { leafId, parseQuery, QueryError, soughtWords, wordLeaves, type Query, type TextField } from '../search/query';
import { UNSPACED, WORD_RUN } from '../search/tokens';
import { fold } from './fold';
import type { IndexAnswer } from '../search/placement';
import type { ListMessage } from './listMessage';

export class ListQuery {
  readonly query: Query | undefined;
  /** Why the text cannot be read as a query, and where. */
  readonly error: { message: string; at: number } | undefined;
  /** The index's last answer for this text's word leaves, about `messages`. */
  private indexed: { messages: readonly ListMessage[]; answer: IndexAnswer } | undefined;

  constructor(readonly text: string) {
    try {
      this.query = parseQuery(text);
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      this.error = { message: e.message, at: e.at };
    }
  }

  /**
   * Where the sought words are in `text` (a snippet), as [start, end) ranges of it: each word of
   * the text that, folded, begins with one of them (as the box matches while one types).
   */
  marks(text: string): Array<[number, number]> {
    const sought = this.query ? soughtWords(this.query) : [];
    if (!sought.length || !text) return [];
    const ranges: Array<[number, number]> = [];
    for (const match of text.matchAll(WORD_RUN)) {
      const folded = fold(match[0]);
      if (sought.some((w) => folded.startsWith(w))) {
        ranges.push([match.index, match.index + match[0].length]);
        continue;
      }
      // A word of a script written without spaces is found inside a longer run, not only at its start.
      const inside = sought.find((w) => UNSPACED.test(w) && folded.includes(w));
      if (inside === undefined) continue;
      const at = match[0].indexOf(inside);
      ranges.push(at >= 0 ? [match.index + at, match.index + at + inside.length] : [match.index, match.index + match[0].length]);
    }
    return ranges;
  }

  /** The word leaves the index is asked about. */
  leaves(): Array<[TextField, string[]]> {
    return this.query ? wordLeaves(this.query) : [];
  }

  /** The index's answer about `messages`. The list carries it over to its next messages (listModel.ts). */
  setIndexHits(messages: readonly ListMessage[], answer: IndexAnswer): void {
    this.indexed = { messages, answer };
  }

  /** The index's answer, if it was given about (or carried over to) `messages`. */
  indexHitsFor(messages: readonly ListMessage[]): IndexAnswer | undefined {
    return this.indexed?.messages === messages ? this.indexed.answer : undefined;
  }

  /**
   * The test of message `i`, or undefined when the text asks nothing (empty, or unreadable: the
   * list then says why and shows what the toggles let through). `folded(i)` gives message i's
   * sender, recipients, subject and snippet, folded.
   */
  test(messages: readonly ListMessage[], folded: (i: number) => [string, string, string, string]): ((i: number) => boolean) | undefined {
    const query = this.query;
    if (!query || query.kind === 'all') return undefined;
    const flags = this.indexHitsFor(messages)?.flags;
    return compile(query, messages, (field, words) => {
      const phrase = words.join(' ');
      const indexed = flags?.get(leafId(field, words));
      const here = (i: number) => {
        if (field === 'attachment') return false; // the index alone knows attachment names
        const [from, to, subject, snippet] = folded(i);
        if (field === 'from') return from.includes(phrase);
        if (field === 'to') return to.includes(phrase);
        if (field === 'subject') return subject.includes(phrase);
        return from.includes(phrase) || to.includes(phrase) || subject.includes(phrase) || snippet.includes(phrase);
      };
      return indexed ? (i) => indexed[i] === 1 || here(i) : here;
    });
  }
}
