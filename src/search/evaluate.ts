/**
 * Which messages a query finds. The index answers the word leaves (a set of message keys each);
 * flags, dates and accounts are read from the messages themselves, which the list holds anyway
 * and which change more often than their text (a message read, trashed).
 */
import type { Query, TextField } from './query';
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

/** The keys (`accountId/id`) of the messages whose `field` holds `words`, in order. */
export type WordHits = (field: TextField, words: string[]) => Set<string>;

/** One word leaf, as a key: the same leaf asked twice is answered once. */
export const leafId = (field: TextField, words: string[]) => `${field}:${words.join(' ')}`;

/** For each message, whether the query finds it. */
export function evaluate(query: Query, messages: readonly SearchableMessage[], hits: WordHits): Uint8Array {
  const keys = messages.map((m) => `${m.accountId}/${m.id}`);
  const asked = new Map<string, Set<string>>();
  const leaf = (field: TextField, words: string[]) => {
    const id = leafId(field, words);
    let set = asked.get(id);
    if (!set) asked.set(id, (set = hits(field, words)));
    return set;
  };
  const accountWords = new Map<string, string>();
  const wordsOf = (account: string) => {
    let words = accountWords.get(account);
    if (words === undefined) accountWords.set(account, (words = ` ${tokens(account).join(' ')} `));
    return words;
  };
  const each = (test: (m: SearchableMessage, i: number) => boolean) => Uint8Array.from(messages, (m, i) => (test(m, i) ? 1 : 0));

  function run(q: Query): Uint8Array {
    switch (q.kind) {
      case 'all':
        return new Uint8Array(messages.length).fill(1);
      case 'words': {
        const set = leaf(q.field, q.words);
        return each((_, i) => set.has(keys[i]));
      }
      case 'flag':
        return each((m) => (q.flag === 'unread' ? !m.seen : q.flag === 'read' ? m.seen : q.flag === 'trashed' ? m.trashed : m.hasAttachments));
      case 'date':
        return each((m) => (q.from === undefined || m.date >= q.from) && (q.until === undefined || m.date < q.until));
      case 'account':
        return each((m) => wordsOf(m.account).includes(` ${q.text}`)); // from the start of a word
      case 'not':
        return run(q.item).map((v) => 1 - v);
      case 'and':
      case 'or': {
        const [first, ...rest] = q.items.map(run);
        for (const other of rest) for (let i = 0; i < first.length; i++) first[i] = q.kind === 'and' ? first[i] & other[i] : first[i] | other[i];
        return first;
      }
    }
  }
  return run(query);
}
