/**
 * The message list as data: which messages pass the quick filter, in which order, threaded or
 * flat, with which threads expanded, and the rows of any window of it. Plain Node (no vscode):
 * the host runs it and sends the webview only the rows it draws (src/ui/listPanel.ts).
 *
 * Each step keeps its result, so a change redoes only what depends on it:
 *   messages -> order (by the sort) and threads -> rows (by the filter and the expanded threads).
 * The filter is a pass over messages already in order, so a keystroke never sorts or threads.
 * Orders, threads and rows are typed arrays over message indices, not objects: 100,000 messages
 * cost a few MB, and sorting is a linear radix sort (order.ts). Texts are derived once per distinct
 * text (texts.ts), so a reload after a fetch derives only the new messages' texts.
 */
import { displayName } from '../shared/format';
import { NO_FILTER, type QuickFilter, type RowView, type SortOrder } from '../shared/listProtocol';
import { foldWords } from './fold';
import type { IndexAnswer } from '../search/placement';
import { ListQuery } from './listQuery';
import { keyOf, type ListMessage } from './listMessage';
import { byDate } from './order';
import { runNow, runSliced, type Steps } from './slices';
import { orderSteps } from './sortOrder';
import { ListTexts } from './texts';
import { forEachReply, threadStats, type ThreadStats } from './threadStats';
import { threadSteps, type ThreadForest } from './threads';

export interface ListOptions {
  sort: SortOrder;
  filter: QuickFilter;
  threaded: boolean;
  /** Sent mail lists recipients where other mail lists senders. */
  sent: boolean;
}

export const DEFAULT_SORT: SortOrder = { column: 'date', descending: true };

export type { ListMessage } from './listMessage';

export { keyOf } from './listMessage';

export class MessageList {
  private messages: ListMessage[] = [];
  /** What depends on headers and dates only, kept across reloads that change flags alone. */
  private newestFirst: Int32Array | undefined;
  private forest: ThreadForest | undefined;
  private stats: ThreadStats | undefined;
  /** Flat: all message indices in order. Threaded: the threads' first messages in order. */
  private order: Int32Array | undefined;
  private pass: Uint8Array | undefined;
  private matchCount = 0;
  /** The filter's texts per message: sender, recipients, subject, snippet (folded), kept across reloads. */
  private folded: string[][] = [[], [], [], []];
  /** Bumped by every setMessages. */
  private generation = 0;
  private rowMessage: Int32Array | undefined;
  private rowDepth: Uint16Array | undefined;
  private rowCountValue = 0;
  private rowOfMessage: Int32Array | undefined;
  private readonly expanded = new Set<string>();
  private readonly texts = new ListTexts();
  options: ListOptions;

  constructor(messages: ListMessage[], options: Partial<ListOptions> = {}) {
    this.options = { sort: DEFAULT_SORT, filter: NO_FILTER, threaded: false, sent: false, ...options };
    this.query = new ListQuery(this.options.filter.text);
    this.setMessages(messages);
  }

  /** New contents (a fetch, a flag change): expanded threads stay expanded, derived texts are kept. */
  setMessages(messages: ListMessage[]): void {
    const sameMail = sameMessages(this.messages, messages);
    const answer = sameMail ? this.query.indexHitsFor(this.messages) : undefined;
    if (answer) this.query.setIndexHits(messages, answer); // the same messages in the same places
    this.texts.turn();
    this.stats = undefined;
    if (!sameMail) {
      // Folded texts are matched up by message in prepare's first slices (carrySteps).
      if (this.messages.length > 0) this.before = { messages: this.messages, folded: this.folded };
      this.folded = [0, 1, 2, 3].map(() => new Array<string>(messages.length)); // sized once: filled in any order
      this.newestFirst = undefined;
      this.forest = undefined;
    }
    this.messages = messages;
    this.generation++;
    this.invalidate('order');
  }

  /** Until carried over: the messages listed before and their folded texts. */
  private before: { messages: ListMessage[]; folded: string[][] } | undefined;

  /**
   * Folded texts of messages listed before, and the search index's answer about them, carried over
   * to the same messages now (the list asks the index again, and shows the old answer meanwhile).
   */
  private *carrySteps(): Steps<void> {
    const before = this.before;
    if (!before) return;
    this.before = undefined;
    const { query } = this;
    const answer = query.indexHitsFor(before.messages);
    const carried = answer && new Map([...answer.flags].map(([leaf, flags]) => [leaf, { was: flags, now: new Uint8Array(this.messages.length) }]));
    const relevance = answer?.relevance && { was: answer.relevance, now: new Float32Array(this.messages.length) };
    const was = new Map<string, Map<string, number>>();
    for (let i = 0; i < before.messages.length; i++) {
      if (i % 8192 === 8191) yield;
      const m = before.messages[i];
      if (before.folded[0][i] === undefined && !carried) continue;
      let ids = was.get(m.accountId);
      if (!ids) was.set(m.accountId, (ids = new Map()));
      ids.set(m.id, i);
    }
    for (let i = 0; i < this.messages.length; i++) {
      if (i % 8192 === 8191) yield;
      const m = this.messages[i];
      const old = was.get(m.accountId)?.get(m.id);
      if (old === undefined) continue;
      if (before.folded[0][old] !== undefined) for (let f = 0; f < 4; f++) this.folded[f][i] = before.folded[f][old];
      if (carried) for (const flags of carried.values()) flags.now[i] = flags.was[old];
      if (relevance) relevance.now[i] = relevance.was[old];
    }
    if (carried) query.setIndexHits(this.messages, { flags: new Map([...carried].map(([leaf, flags]) => [leaf, flags.now])), relevance: relevance?.now });
  }

  setSort(sort: SortOrder): void {
    this.options = { ...this.options, sort };
    this.invalidate('order');
  }

  setFilter(filter: QuickFilter): void {
    this.options = { ...this.options, filter };
    if (filter.text !== this.query.text) this.query = new ListQuery(filter.text);
    this.invalidate(this.byRelevance ? 'order' : 'filter');
  }

  /** Sorted by how well messages match the search: the order follows the index's answers. */
  private get byRelevance(): boolean {
    return this.options.sort.column === 'relevance';
  }

  /** The filter text as a query; its error, if it cannot be read. */
  query = new ListQuery('');

  /** What the search index found in `messages` for the filter text `text` (ignored if the text changed meanwhile). */
  setIndexHits(text: string, messages: readonly ListMessage[], answer: IndexAnswer): void {
    if (text !== this.query.text) return;
    this.query.setIndexHits(messages, answer);
    this.invalidate(this.byRelevance ? 'order' : 'filter');
  }

  /** The messages listed now, in no order (a new array after each change: an answer about them is known by it). */
  get messageList(): readonly ListMessage[] {
    return this.messages;
  }

  setThreaded(threaded: boolean): void {
    this.options = { ...this.options, threaded };
    this.invalidate('order');
  }

  /** Expands or collapses the thread whose first message is `key`. */
  setExpanded(key: string, expanded: boolean): void {
    if (expanded) this.expanded.add(key);
    else this.expanded.delete(key);
    this.invalidate('rows');
  }

  /**
   * Computes what the current options need (threads, order, filter) in slices that hand the
   * thread back every few milliseconds (slices.ts). The host awaits this before reading rows; the
   * getters below compute whatever is still missing at once (tests, small lists).
   */
  async prepare(): Promise<void> {
    await runSliced(this.carrySteps());
    await runSliced(this.orderSteps());
    await runSliced(this.passSteps());
    await runSliced(this.rowSteps());
  }

  /** Folds every message's texts for the filter ahead of use (run it sliced, when idle). */
  *warmSteps(): Steps<void> {
    yield* this.carrySteps();
    // Not holding on to the messages while paused: a reload meanwhile lets the old ones go.
    const generation = this.generation;
    for (let i = 0; i < this.messages.length && generation === this.generation; i++) {
      this.foldedTexts(i);
      if (i % 2048 === 2047) yield;
    }
  }

  get rowCount(): number {
    this.buildRows();
    return this.rowCountValue;
  }

  /** Messages that pass the filter. */
  get matches(): number {
    this.buildRows();
    return this.matchCount;
  }

  get total(): number {
    return this.messages.length;
  }

  /** The row of a message, or -1 when it is filtered out, inside a collapsed thread or gone. */
  rowIndexOf(key: string): number {
    return this.rowIndexesOf([key])[0];
  }

  /** rowIndexOf for a few keys in one pass over the messages (no index of 100,000 keys kept for it). */
  rowIndexesOf(keys: string[]): number[] {
    const wanted = new Map<string, number[]>(); // message id -> positions in keys
    keys.forEach((key, k) => {
      const id = key.slice(key.indexOf('/') + 1);
      wanted.set(id, [...(wanted.get(id) ?? []), k]);
    });
    const rows = keys.map(() => -1);
    if (wanted.size === 0) return rows;
    this.buildRows();
    for (let i = 0; i < this.messages.length; i++) {
      const m = this.messages[i];
      const at = wanted.get(m.id);
      if (at) for (const k of at) if (keys[k] === keyOf(m)) rows[k] = this.rowOfMessage![i];
    }
    return rows;
  }

  keyAt(row: number): string | undefined {
    this.buildRows();
    return row >= 0 && row < this.rowCountValue ? keyOf(this.messages[this.rowMessage![row]]) : undefined;
  }

  /** Rows [start, end) as the webview draws them. */
  window(start: number, end: number): RowView[] {
    this.buildRows();
    const out: RowView[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.rowCountValue); i++) out.push(this.view(this.rowMessage![i], this.rowDepth![i]));
    return out;
  }

  private view(index: number, depth: number): RowView {
    const m = this.messages[index];
    const correspondent = this.options.sent ? m.to : m.from;
    const view: RowView = {
      key: keyOf(m),
      correspondent: this.options.sent ? correspondent.split(',').map((a) => displayName(a)).join(', ') : displayName(correspondent),
      correspondentTitle: correspondent,
      subject: m.subject,
      date: m.date,
      size: m.partialOf ?? m.size,
      unread: !m.seen,
      attachment: m.hasAttachments,
      partial: m.partialOf !== undefined,
      account: m.account,
      snippet: m.snippet,
      marks: this.query.query && this.query.query.kind !== 'all' ? this.query.marks(m.snippet) : undefined,
      depth,
    };
    if (depth === 0 && this.options.threaded && this.forest && this.stats && this.forest.firstChild[index] !== -1) {
      view.thread = { size: this.stats.size[index], unread: this.stats.unread[index], expanded: this.expanded.has(view.key) };
    }
    return view;
  }

  // ---- the pipeline ------------------------------------------------------------------------------

  private invalidate(from: 'order' | 'filter' | 'rows'): void {
    if (from === 'order') this.order = undefined;
    if (from !== 'rows') this.pass = undefined;
    this.rowMessage = undefined;
  }

  /** A message's filter texts, folded (names and subjects repeat: each distinct one once, texts.ts). */
  private foldedTexts(i: number): void {
    const [from, to, subject, snippet] = this.folded;
    if (from[i] !== undefined) return;
    const m = this.messages[i];
    const cache = this.texts.folded;
    from[i] = cache.get(m.from);
    to[i] = cache.get(m.to);
    subject[i] = cache.get(m.subject);
    snippet[i] = foldWords(m.snippet);
  }

  private *passSteps(): Steps<Uint8Array> {
    if (this.pass) return this.pass;
    yield* this.carrySteps();
    const { unread, attachment, headersOnly } = this.options.filter;
    const [from, to, subject, snippet] = this.folded;
    const test = this.query.test(this.messages, (i) => {
      this.foldedTexts(i);
      return [from[i], to[i], subject[i], snippet[i]];
    });
    const pass = new Uint8Array(this.messages.length);
    let count = 0;
    for (let i = 0; i < this.messages.length; i++) {
      if (i % 4096 === 4095) yield;
      const m = this.messages[i];
      if ((unread && m.seen) || (attachment && !m.hasAttachments) || (headersOnly && m.partialOf === undefined)) continue;
      if (test && !test(i)) continue;
      pass[i] = 1;
      count++;
    }
    this.matchCount = count;
    return (this.pass = pass);
  }

  private *threadSteps(): Steps<ThreadStats> {
    this.forest ??= yield* threadSteps(this.messages);
    return (this.stats ??= yield* threadStats(this.forest, this.messages));
  }

  private newestFirstOrder(): Int32Array {
    return (this.newestFirst ??= byDate(this.messages, true));
  }

  /** Flat: every message in order. Threaded: each thread's first message, threads in order. */
  private *orderSteps(): Steps<Int32Array> {
    if (this.order) return this.order;
    const all = this.newestFirstOrder();
    const threads = this.options.threaded ? yield* this.threadSteps() : undefined;
    const items = threads ? all.filter((i) => this.forest!.parent[i] === -1) : all;
    const { messages, texts } = this;
    const relevance = this.byRelevance ? this.query.indexHitsFor(messages)?.relevance : undefined;
    return (this.order = yield* orderSteps({ messages, items, sort: this.options.sort, sent: this.options.sent, texts, threads, relevance }));
  }

  private buildRows(): void {
    runNow(this.rowSteps());
  }

  private *rowSteps(): Steps<void> {
    if (this.rowMessage) return;
    const order = yield* this.orderSteps();
    const pass = yield* this.passSteps();
    const n = this.messages.length;
    const rowMessage = new Int32Array(n);
    const rowDepth = new Uint16Array(n);
    const rowOfMessage = new Int32Array(n).fill(-1);
    let rows = 0;
    const push = (index: number, depth: number) => {
      rowOfMessage[index] = rows;
      rowMessage[rows] = index;
      rowDepth[rows++] = Math.min(depth, 0xffff);
    };
    if (!this.options.threaded) {
      for (let k = 0; k < order.length; k++) {
        if (k % 16384 === 16383) yield;
        if (pass[order[k]]) push(order[k], 0);
      }
    } else {
      const forest = this.forest!;
      // A thread shows when any of its messages passes the filter; inside it, the ones that pass.
      const shown = new Uint8Array(n);
      for (let i = 0; i < n; i++) if (pass[i]) shown[this.stats!.rootOf[i]] = 1;
      yield;
      for (let k = 0; k < order.length; k++) {
        if (k % 8192 === 8191) yield;
        const root = order[k];
        if (!shown[root]) continue;
        push(root, 0);
        if (forest.firstChild[root] !== -1 && this.expanded.size > 0 && this.expanded.has(keyOf(this.messages[root]))) {
          forEachReply(forest, root, (index, depth) => pass[index] && push(index, depth));
        }
      }
    }
    this.rowMessage = rowMessage;
    this.rowDepth = rowDepth;
    this.rowOfMessage = rowOfMessage;
    this.rowCountValue = rows;
  }
}

/** The same messages in the same order (a reload after flags changed): threads and dates still hold. */
function sameMessages(before: readonly ListMessage[], after: readonly ListMessage[]): boolean {
  // The same array may have been changed in place: nothing can be assumed of it.
  if (before === after || before.length !== after.length || before.length === 0) return false;
  for (let i = 0; i < before.length; i++) {
    const a = before[i];
    const b = after[i];
    if (a.id !== b.id || a.accountId !== b.accountId || a.date !== b.date) return false;
  }
  return true;
}
