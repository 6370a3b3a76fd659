/**
 * The message list as data: which messages pass the quick filter, in which order, threaded or
 * flat, with which threads expanded, and the rows of any window of it. Plain Node (no vscode):
 * the host runs it and sends the webview only the rows it draws (src/ui/listPanel.ts).
 *
 * Each step keeps its result, so a change redoes only what depends on it:
 *   messages -> order (by the sort) and threads -> rows (by the filter and the expanded threads).
 * The filter is a pass over messages already in order, so a keystroke never sorts or threads.
 * Rows are typed arrays (message index, depth), not objects: 100,000 rows cost under a megabyte.
 * Folded texts and sort keys are kept per message key, so a fetch that adds one message folds one.
 */
import type { MessageEntry } from '../store/accountStore';
import { displayName } from '../shared/format';
import { NO_FILTER, type Column, type QuickFilter, type RowView, type SortOrder } from '../shared/listProtocol';
import { fold } from './fold';
import { runNow, runSliced, sortSteps, type Steps } from './slices';
import { baseSubject, threadSteps, type ThreadNode } from './threads';

export interface ListMessage extends MessageEntry {
  accountId: string;
  /** The account's address, for the Account column of a list of several accounts. */
  account: string;
}

export interface ListOptions {
  sort: SortOrder;
  filter: QuickFilter;
  threaded: boolean;
  /** Sent mail lists recipients where other mail lists senders. */
  sent: boolean;
}

export const DEFAULT_SORT: SortOrder = { column: 'date', descending: true };

export const keyOf = (m: { accountId: string; id: string }) => `${m.accountId}/${m.id}`;

/** What is derived from a message's text once: the filter's haystack and the text sort keys. */
interface Derived {
  haystack?: string;
  name?: string;
  subject?: string;
}

export class MessageList {
  private messages: ListMessage[] = [];
  private keys: string[] = [];
  private indexOfKey = new Map<string, number>();
  private derivedByKey = new Map<string, Derived>();
  private derived: Derived[] = [];
  /** Thread trees over all messages (threaded mode); rootNode finds a root's tree by message index. */
  private threads: ThreadNode[] | undefined;
  /** Flat: all message indices in order. Threaded: the roots' message indices in order. */
  private order: number[] | undefined;
  private pass: Uint8Array | undefined;
  private matchCount = 0;
  private rowMessage: Int32Array | undefined;
  private rowDepth: Uint16Array | undefined;
  private rowCountValue = 0;
  private rowOfMessage: Int32Array | undefined;
  private rootNode = new Map<number, ThreadNode>();
  private readonly expanded = new Set<string>();
  private readonly foldedNames = new Map<string, string>();
  options: ListOptions;

  constructor(messages: ListMessage[], options: Partial<ListOptions> = {}) {
    this.options = { sort: DEFAULT_SORT, filter: NO_FILTER, threaded: false, sent: false, ...options };
    this.setMessages(messages);
  }

  /** New contents (a fetch, a flag change): expanded threads stay expanded, derived texts are kept. */
  setMessages(messages: ListMessage[]): void {
    this.messages = messages;
    this.indexed = false; // keys and kept texts are matched up in prepare's first slices
    this.threads = undefined;
    this.invalidate('order');
  }

  private indexed = false;

  /** Each message's key, its position by key, and the texts derived from it before (by key). */
  private *indexSteps(): Steps<void> {
    if (this.indexed) return;
    const messages = this.messages;
    const old = this.derivedByKey;
    this.keys = new Array<string>(messages.length);
    this.indexOfKey = new Map();
    this.derivedByKey = new Map();
    this.derived = [];
    for (let i = 0; i < messages.length; i++) {
      if (i % 4096 === 4095) yield;
      const key = keyOf(messages[i]);
      this.keys[i] = key;
      this.indexOfKey.set(key, i);
      const kept = old.get(key);
      if (kept) {
        this.derivedByKey.set(key, kept);
        this.derived[i] = kept;
      }
    }
    this.indexed = true;
  }

  private ensureIndexed(): void {
    runNow(this.indexSteps());
  }

  setSort(sort: SortOrder): void {
    this.options = { ...this.options, sort };
    this.invalidate('order');
  }

  setFilter(filter: QuickFilter): void {
    this.options = { ...this.options, filter };
    this.invalidate('filter');
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
    await runSliced(this.indexSteps());
    await runSliced(this.orderSteps());
    await runSliced(this.passSteps());
  }

  /** Folds every message's texts for the filter and the text sorts ahead of use (run it sliced, when idle). */
  *warmSteps(): Steps<void> {
    yield* this.indexSteps();
    const messages = this.messages;
    for (let i = 0; i < messages.length && messages === this.messages; i++) {
      this.haystack(i);
      this.sortKey(i, 'from', undefined); // and the text sort keys, kept with it
      this.sortKey(i, 'subject', undefined);
      if (i % 1024 === 1023) yield;
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

  /** The row of a message, or -1 when it is filtered out or inside a collapsed thread. */
  rowIndexOf(key: string): number {
    this.ensureIndexed();
    const index = this.indexOfKey.get(key);
    if (index === undefined) return -1;
    this.buildRows();
    return this.rowOfMessage![index];
  }

  keyAt(row: number): string | undefined {
    this.buildRows();
    return row >= 0 && row < this.rowCountValue ? this.keys[this.rowMessage![row]] : undefined;
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
      key: this.keys[index],
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
      depth,
    };
    const node = depth === 0 && this.options.threaded ? this.rootNode.get(index) : undefined;
    if (node && node.children.length > 0) {
      let size = 0;
      let unread = 0;
      walk(node, (n) => {
        size++;
        if (!this.messages[n.index].seen) unread++;
      });
      view.thread = { size, unread, expanded: this.expanded.has(view.key) };
    }
    return view;
  }

  // ---- the pipeline ------------------------------------------------------------------------------

  private invalidate(from: 'order' | 'filter' | 'rows'): void {
    if (from === 'order') this.order = undefined;
    if (from !== 'rows') this.pass = undefined;
    this.rowMessage = undefined;
  }

  private derivedOf(i: number): Derived {
    let d = this.derived[i];
    if (!d) {
      d = {};
      this.derived[i] = d;
      this.derivedByKey.set(this.keys[i], d);
    }
    return d;
  }

  private haystack(i: number): string {
    const d = this.derivedOf(i);
    const m = this.messages[i];
    return (d.haystack ??= fold(`${m.from}\n${m.to}\n${m.subject}\n${m.snippet}`));
  }

  private passes(): Uint8Array {
    return runNow(this.passSteps());
  }

  private *passSteps(): Steps<Uint8Array> {
    if (this.pass) return this.pass;
    yield* this.indexSteps();
    const { text, unread, attachment, headersOnly } = this.options.filter;
    const words = fold(text).split(/\s+/).filter(Boolean);
    const pass = new Uint8Array(this.messages.length);
    let count = 0;
    for (let i = 0; i < this.messages.length; i++) {
      if (i % 4096 === 4095) yield;
      const m = this.messages[i];
      if ((unread && m.seen) || (attachment && !m.hasAttachments) || (headersOnly && m.partialOf === undefined)) continue;
      if (words.length) {
        const haystack = this.haystack(i);
        if (!words.every((w) => haystack.includes(w))) continue;
      }
      pass[i] = 1;
      count++;
    }
    this.matchCount = count;
    return (this.pass = pass);
  }

  private *threadSteps(): Steps<ThreadNode[]> {
    if (!this.threads) {
      this.threads = yield* threadSteps(this.messages);
      this.rootNode = new Map(this.threads.map((n) => [n.index, n]));
    }
    return this.threads;
  }

  private ordered(): number[] {
    return runNow(this.orderSteps());
  }

  /** Flat: every message in order. Threaded: each thread's first message, threads in order. */
  private *orderSteps(): Steps<number[]> {
    if (this.order) return this.order;
    yield* this.indexSteps();
    const threaded = this.options.threaded;
    const items = threaded ? (yield* this.threadSteps()).map((n) => n.index) : this.messages.map((_, i) => i);
    const { column, descending } = this.options.sort;
    const keys = new Array<string | number>(this.messages.length);
    for (let i = 0; i < items.length; i++) {
      if (i % 4096 === 4095) yield;
      keys[items[i]] = this.sortKey(items[i], column, threaded ? this.rootNode.get(items[i]) : undefined);
    }
    const dir = descending ? -1 : 1;
    const m = this.messages;
    return (this.order = yield* sortSteps(items, (a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (ka !== kb) return (ka < kb ? -1 : 1) * dir;
      return m[b].date - m[a].date || a - b; // ties: newest first, then stable
    }));
  }

  private sortKey(index: number, column: Column, node: ThreadNode | undefined): string | number {
    const m = this.messages[index];
    switch (column) {
      case 'date': {
        let newest = m.date; // a thread sorts by its newest message
        if (node?.children.length) walk(node, (n) => (newest = Math.max(newest, this.messages[n.index].date)));
        return newest;
      }
      case 'size':
        return m.partialOf ?? m.size;
      case 'unread': {
        let unread = !m.seen;
        if (node?.children.length) walk(node, (n) => (unread ||= !this.messages[n.index].seen));
        return unread ? 1 : 0;
      }
      case 'attachment':
        return m.hasAttachments ? 1 : 0;
      case 'from': {
        const d = this.derivedOf(index);
        if (d.name === undefined) {
          // Senders repeat (a mailbox has thousands of messages from tens of people): fold each once.
          const raw = this.options.sent ? m.to : m.from;
          let name = this.foldedNames.get(raw);
          if (name === undefined) this.foldedNames.set(raw, (name = fold(displayName(raw))));
          d.name = name;
        }
        return d.name;
      }
      case 'subject': {
        const d = this.derivedOf(index);
        return (d.subject ??= baseSubject(m.subject).base);
      }
      case 'account':
        return m.account;
    }
  }

  private buildRows(): void {
    if (this.rowMessage) return;
    this.ensureIndexed();
    const order = this.ordered();
    const pass = this.passes();
    const filtering = this.matchCount !== this.messages.length;
    const rowMessage = new Int32Array(this.messages.length);
    const rowDepth = new Uint16Array(this.messages.length);
    const rowOfMessage = new Int32Array(this.messages.length).fill(-1);
    let rows = 0;
    const push = (index: number, depth: number) => {
      rowOfMessage[index] = rows;
      rowMessage[rows] = index;
      rowDepth[rows++] = Math.min(depth, 0xffff);
    };
    if (!this.options.threaded) {
      for (const index of order) if (pass[index]) push(index, 0);
    } else {
      for (const rootIndex of order) {
        const root = this.rootNode.get(rootIndex)!;
        // A thread shows when any of its messages passes the filter; inside it, the ones that pass.
        if (filtering && !pass[rootIndex] && !some(root, (n) => pass[n.index] === 1)) continue;
        push(rootIndex, 0);
        if (root.children.length === 0 || !this.expanded.has(this.keys[rootIndex])) continue;
        const stack: Array<{ node: ThreadNode; depth: number }> = root.children.map((node) => ({ node, depth: 1 })).reverse();
        while (stack.length) {
          const { node, depth } = stack.pop()!;
          if (pass[node.index]) push(node.index, depth);
          for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
        }
      }
    }
    this.rowMessage = rowMessage;
    this.rowDepth = rowDepth;
    this.rowOfMessage = rowOfMessage;
    this.rowCountValue = rows;
  }
}

function walk(root: ThreadNode, visit: (n: ThreadNode) => void): void {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    visit(n);
    for (const c of n.children) stack.push(c);
  }
}

function some(root: ThreadNode, test: (n: ThreadNode) => boolean): boolean {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (test(n)) return true;
    for (const c of n.children) stack.push(c);
  }
  return false;
}
