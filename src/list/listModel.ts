/**
 * The message list as data: which messages pass the quick filter, in which order, threaded or
 * flat, with which threads expanded, and the rows of any window of it. Plain Node (no vscode):
 * the host runs it and sends the webview only the rows it draws (src/ui/listPanel.ts).
 *
 * Each step keeps its result, so a change redoes only what depends on it: expanding a thread
 * only re-flattens, sorting does not re-thread, a new filter does not re-fold texts.
 */
import type { MessageEntry } from '../store/accountStore';
import { displayName } from '../shared/format';
import { NO_FILTER, type Column, type QuickFilter, type RowView, type SortOrder } from '../shared/listProtocol';
import { fold } from './fold';
import { baseSubject, buildThreads, type ThreadNode } from './threads';

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

interface Row {
  message: number;
  depth: number;
  node?: ThreadNode;
}

export const keyOf = (m: { accountId: string; id: string }) => `${m.accountId}/${m.id}`;

export class MessageList {
  private messages: ListMessage[] = [];
  private readonly haystacks = new Map<string, string>();
  private filtered: number[] | undefined;
  private threads: ThreadNode[] | undefined;
  private ordered: ThreadNode[] | undefined;
  private rows: Row[] | undefined;
  private rowIndex: Map<string, number> | undefined;
  private readonly expanded = new Set<string>();
  options: ListOptions;

  constructor(messages: ListMessage[], options: Partial<ListOptions> = {}) {
    this.options = { sort: DEFAULT_SORT, filter: NO_FILTER, threaded: false, sent: false, ...options };
    this.setMessages(messages);
  }

  /** New contents (a fetch, a flag change): expanded threads stay expanded. */
  setMessages(messages: ListMessage[]): void {
    this.messages = messages;
    const keys = new Set(messages.map(keyOf));
    for (const key of this.haystacks.keys()) if (!keys.has(key)) this.haystacks.delete(key);
    this.invalidate('filter');
  }

  setSort(sort: SortOrder): void {
    this.options = { ...this.options, sort };
    this.invalidate('sort');
  }

  setFilter(filter: QuickFilter): void {
    this.options = { ...this.options, filter };
    this.invalidate('filter');
  }

  setThreaded(threaded: boolean): void {
    this.options = { ...this.options, threaded };
    this.invalidate('threads');
  }

  /** Expands or collapses the thread whose first message is `key`. */
  setExpanded(key: string, expanded: boolean): void {
    if (expanded) this.expanded.add(key);
    else this.expanded.delete(key);
    this.rows = undefined;
    this.rowIndex = undefined;
  }

  get rowCount(): number {
    return this.visibleRows().length;
  }

  /** Messages that pass the filter. */
  get matches(): number {
    return this.passing().length;
  }

  get total(): number {
    return this.messages.length;
  }

  message(key: string): ListMessage | undefined {
    const index = this.rowIndexOf(key);
    return index === -1 ? undefined : this.messages[this.visibleRows()[index].message];
  }

  /** The row of a message, or -1 when it is filtered out or inside a collapsed thread. */
  rowIndexOf(key: string): number {
    if (!this.rowIndex) {
      this.rowIndex = new Map();
      this.visibleRows().forEach((row, i) => this.rowIndex!.set(keyOf(this.messages[row.message]), i));
    }
    return this.rowIndex.get(key) ?? -1;
  }

  keyAt(index: number): string | undefined {
    const row = this.visibleRows()[index];
    return row && keyOf(this.messages[row.message]);
  }

  /** Rows [start, end) as the webview draws them. */
  window(start: number, end: number): RowView[] {
    const rows = this.visibleRows();
    const out: RowView[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, rows.length); i++) out.push(this.view(rows[i]));
    return out;
  }

  private view(row: Row): RowView {
    const m = this.messages[row.message];
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
      depth: row.depth,
    };
    if (row.node && row.node.children.length > 0) {
      let size = 0;
      let unread = 0;
      walk(row.node, (n) => {
        size++;
        if (!this.messages[n.index].seen) unread++;
      });
      view.thread = { size, unread, expanded: this.expanded.has(view.key) };
    }
    return view;
  }

  // ---- the pipeline: filter -> threads -> order -> rows ---------------------------------------

  private invalidate(from: 'filter' | 'threads' | 'sort'): void {
    if (from === 'filter') this.filtered = undefined;
    if (from !== 'sort') this.threads = undefined;
    this.ordered = undefined;
    this.rows = undefined;
    this.rowIndex = undefined;
  }

  private passing(): number[] {
    if (this.filtered) return this.filtered;
    const { text, unread, attachment, headersOnly } = this.options.filter;
    const words = fold(text).split(/\s+/).filter(Boolean);
    const out: number[] = [];
    this.messages.forEach((m, i) => {
      if (unread && m.seen) return;
      if (attachment && !m.hasAttachments) return;
      if (headersOnly && m.partialOf === undefined) return;
      if (words.length) {
        const haystack = this.haystack(m);
        if (!words.every((w) => haystack.includes(w))) return;
      }
      out.push(i);
    });
    return (this.filtered = out);
  }

  private haystack(m: ListMessage): string {
    const key = keyOf(m);
    let text = this.haystacks.get(key);
    if (text === undefined) {
      text = fold(`${m.from}\n${m.to}\n${m.subject}\n${m.snippet}`);
      this.haystacks.set(key, text);
    }
    return text;
  }

  private threadNodes(): ThreadNode[] {
    if (this.threads) return this.threads;
    const passing = this.passing();
    if (!this.options.threaded) return (this.threads = passing.map((index) => ({ index, children: [] })));
    const subset = passing.map((i) => this.messages[i]);
    return (this.threads = buildThreads(subset).map((root) => remap(root, passing)));
  }

  private orderedThreads(): ThreadNode[] {
    if (this.ordered) return this.ordered;
    const nodes = this.threadNodes();
    const { column, descending } = this.options.sort;
    // One key per thread (for a thread: its newest message's date, else its first message's key).
    const keys = nodes.map((n) => this.sortKey(n, column));
    const order = nodes.map((_, i) => i);
    const dir = descending ? -1 : 1;
    const dates = nodes.map((n) => this.messages[n.index].date);
    order.sort((a, b) => {
      const ka = keys[a];
      const kb = keys[b];
      if (ka !== kb) return (ka < kb ? -1 : 1) * dir;
      return dates[b] - dates[a] || nodes[a].index - nodes[b].index; // ties: newest first, then stable
    });
    return (this.ordered = order.map((i) => nodes[i]));
  }

  private sortKey(node: ThreadNode, column: Column): string | number {
    const m = this.messages[node.index];
    switch (column) {
      case 'date': {
        let newest = m.date;
        if (node.children.length) walk(node, (n) => (newest = Math.max(newest, this.messages[n.index].date)));
        return newest;
      }
      case 'size':
        return m.partialOf ?? m.size;
      case 'unread': {
        let unread = !m.seen;
        if (node.children.length) walk(node, (n) => (unread ||= !this.messages[n.index].seen));
        return unread ? 1 : 0;
      }
      case 'attachment':
        return m.hasAttachments ? 1 : 0;
      case 'from':
        return fold(displayName(this.options.sent ? m.to : m.from));
      case 'subject':
        return baseSubject(m.subject).base;
      case 'account':
        return m.account;
    }
  }

  private visibleRows(): Row[] {
    if (this.rows) return this.rows;
    const rows: Row[] = [];
    for (const root of this.orderedThreads()) {
      rows.push({ message: root.index, depth: 0, node: root });
      if (root.children.length === 0 || !this.expanded.has(keyOf(this.messages[root.index]))) continue;
      // Replies in date order, depth first (iterative: reply chains can be long).
      const stack: Array<{ node: ThreadNode; depth: number }> = root.children.map((node) => ({ node, depth: 1 })).reverse();
      while (stack.length) {
        const { node, depth } = stack.pop()!;
        rows.push({ message: node.index, depth });
        for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
      }
    }
    return (this.rows = rows);
  }
}

function walk(root: ThreadNode, visit: (n: ThreadNode) => void): void {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    visit(n);
    stack.push(...n.children);
  }
}

/** A thread built over a subset, with indices into the whole list. */
function remap(root: ThreadNode, indices: number[]): ThreadNode {
  const top: ThreadNode = { index: indices[root.index], children: [] };
  const stack: Array<[ThreadNode, ThreadNode]> = [[root, top]];
  while (stack.length) {
    const [from, to] = stack.pop()!;
    for (const child of from.children) {
      const copy: ThreadNode = { index: indices[child.index], children: [] };
      to.children.push(copy);
      stack.push([child, copy]);
    }
  }
  return top;
}
