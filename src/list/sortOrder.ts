/**
 * The order of a list for a column: every column becomes a whole-number key per message (text
 * columns the rank of the message's text among the distinct texts), then one stable radix sort
 * (order.ts) over messages already newest first, so equal keys keep the newest first.
 */
import type { SortKey, SortOrder } from '../shared/listProtocol';
import type { ListMessage } from './listModel';
import { radixOrder, reverseKeys, wholeKeys } from './order';
import { sortSteps, type Steps } from './slices';
import type { ListTexts } from './texts';
import type { ThreadStats } from './threadStats';

export interface OrderInput {
  messages: readonly ListMessage[];
  /** What to order (all messages, or the threads' first messages), newest first. */
  items: Int32Array;
  sort: SortOrder;
  /** Sent mail sorts by recipients where other mail sorts by sender. */
  sent: boolean;
  texts: ListTexts;
  /** In threaded mode: a thread sorts by its newest message and is unread if any message is. */
  threads?: ThreadStats;
  /** Each message's relevance to the search (the index's answer), for the relevance order. */
  relevance?: Float32Array;
}

export function* orderSteps(input: OrderInput): Steps<Int32Array> {
  const { messages, items, sort } = input;
  const keys = new Float64Array(messages.length);
  if (sort.column === 'from' || sort.column === 'subject' || sort.column === 'account') {
    yield* textRanks(input, keys, textOf(input, sort.column));
  } else {
    const key = numberOf(input, sort.column);
    for (let k = 0; k < items.length; k++) {
      if (k % 8192 === 8191) yield;
      keys[items[k]] = key(items[k]);
    }
    wholeKeys(items, keys);
  }
  if (sort.descending) reverseKeys(items, keys);
  yield;
  return radixOrder(items, keys);
}

function numberOf({ messages, threads, relevance }: OrderInput, column: SortKey): (i: number) => number {
  switch (column) {
    case 'relevance': {
      if (!relevance) return () => 0; // not answered yet: newest first
      // Scores span many orders of magnitude (BM25 of a word in most messages is near 0): their logarithm, as whole numbers.
      const key = (score: number) => (score > 0 ? Math.round((Math.log(score) + 110) * 1e6) : 0);
      if (!threads) return (i) => key(relevance[i]);
      // A thread ranks by its best-matching message.
      const best = new Float32Array(messages.length);
      threads.rootOf.forEach((root, i) => (best[root] = Math.max(best[root], relevance[i])));
      return (i) => key(best[i]);
    }
    case 'date':
      return threads ? (i) => threads.newest[i] : (i) => messages[i].date;
    case 'size':
      return (i) => messages[i].partialOf ?? messages[i].size;
    case 'unread':
      return threads ? (i) => (threads.unread[i] > 0 ? 1 : 0) : (i) => (messages[i].seen ? 0 : 1);
    default:
      return (i) => (messages[i].hasAttachments ? 1 : 0);
  }
}

function textOf({ messages, sent, texts }: OrderInput, column: 'from' | 'subject' | 'account'): (i: number) => string {
  if (column === 'from') return sent ? (i) => texts.name.get(messages[i].to) : (i) => texts.name.get(messages[i].from);
  if (column === 'subject') return (i) => texts.subject.get(messages[i].subject);
  return (i) => messages[i].account;
}

/** Each item's key: the rank of its text among the distinct texts, in code-unit order of the folded texts. */
function* textRanks({ items }: OrderInput, keys: Float64Array, text: (i: number) => string): Steps<void> {
  const slots = new Map<string, number>();
  const distinct: string[] = [];
  for (let k = 0; k < items.length; k++) {
    if (k % 8192 === 8191) yield;
    const t = text(items[k]);
    let slot = slots.get(t);
    if (slot === undefined) {
      slot = distinct.length;
      distinct.push(t);
      slots.set(t, slot);
    }
    keys[items[k]] = slot;
  }
  const sorted = yield* sortSteps(
    distinct.map((_, slot) => slot),
    (a, b) => (distinct[a] < distinct[b] ? -1 : distinct[a] > distinct[b] ? 1 : 0),
  );
  const rank = new Float64Array(distinct.length);
  for (let r = 0; r < sorted.length; r++) rank[sorted[r]] = r;
  for (const i of items) keys[i] = rank[keys[i]];
}
