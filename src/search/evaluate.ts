/**
 * Which messages a query finds. Word leaves are answered by whoever asks (the index's hits, and in
 * the list also its own match in sender, recipients, subject and snippet); flags, dates and
 * accounts are read from the messages themselves, which change more often than their text.
 * A query compiles to one test per message, so the list runs it in slices of its own.
 */
import { leafId, type Query, type TextField } from './query';
import { tokens } from './tokens';

export interface SearchableMessage {
  accountId: string;
  id: string;
  account: string;
  date: number;
  seen: boolean;
  trashed: boolean;
  hasAttachments: boolean;
}

/** A test of message `i` for one word leaf: whether its `field` holds `words`, in order. */
export type WordTest = (field: TextField, words: string[]) => (i: number) => boolean;

/** The query as a test of message `i` of `messages`. */
export function compile(query: Query, messages: readonly SearchableMessage[], wordTest: WordTest): (i: number) => boolean {
  const accountWords = new Map<string, string>();
  const wordsOf = (account: string) => {
    let words = accountWords.get(account);
    if (words === undefined) accountWords.set(account, (words = ` ${tokens(account).join(' ')} `));
    return words;
  };
  const leaves = new Map<string, (i: number) => boolean>();
  const build = (q: Query): ((i: number) => boolean) => {
    switch (q.kind) {
      case 'all':
        return () => true;
      case 'words': {
        const id = leafId(q.field, q.words);
        let test = leaves.get(id);
        if (!test) leaves.set(id, (test = wordTest(q.field, q.words)));
        return test;
      }
      case 'flag': {
        const flag = q.flag;
        return (i) => (flag === 'unread' ? !messages[i].seen : flag === 'read' ? messages[i].seen : flag === 'trashed' ? messages[i].trashed : messages[i].hasAttachments);
      }
      case 'date': {
        const { from, until } = q;
        return (i) => (from === undefined || messages[i].date >= from) && (until === undefined || messages[i].date < until);
      }
      case 'account': {
        const start = ` ${q.text}`; // from the start of a word
        return (i) => wordsOf(messages[i].account).includes(start);
      }
      case 'not': {
        const inner = build(q.item);
        return (i) => !inner(i);
      }
      case 'and':
      case 'or': {
        const tests = q.items.map(build);
        return q.kind === 'and' ? (i) => tests.every((t) => t(i)) : (i) => tests.some((t) => t(i));
      }
    }
  };
  return build(query);
}

/** For each message, whether the query finds it; `hits` gives each word leaf's flag per message (1: found). */
export function evaluate(query: Query, messages: readonly SearchableMessage[], hits: (field: TextField, words: string[]) => Uint8Array): Uint8Array {
  const test = compile(query, messages, (field, words) => {
    const flags = hits(field, words);
    return (i) => flags[i] === 1;
  });
  return Uint8Array.from(messages, (_, i) => (test(i) ? 1 : 0));
}
