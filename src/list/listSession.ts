/**
 * One open message list, host side, without VS Code: it answers the webview's messages
 * (src/shared/listProtocol.ts) from a MessageList model and hands what needs the editor (showing
 * a message, running an action, saving the layout) to its delegate. The VS Code panel
 * (src/ui/listPanel.ts) and the browser tests drive this same class.
 */
import { ALL_COLUMNS, NO_FILTER, ROW_BLOCK, type Column, type ListAction, type ListHostMessage, type ListState, type ListWebviewMessage } from '../shared/listProtocol';
import type { IndexAnswer } from '../search/placement';
import type { TextField } from '../search/query';
import { MessageList, type ListMessage, type ListOptions } from './listModel';
import { runSliced, SLICE_MS } from './slices';

/** Blocks of rows sent with each state: more than a tall screen shows. */
const FIRST_BLOCKS = 2;

export type MessageRef = { accountId: string; messageId: string };

/** What the user chose for a kind of list (Inbox, Trash, All Inboxes), kept across sessions. */
export interface ListLayout {
  sort: ListOptions['sort'];
  threaded: boolean;
  columns: Column[];
  widths: Partial<Record<Column, number>>;
}

export const DEFAULT_COLUMNS: Column[] = ['unread', 'attachment', 'from', 'subject', 'date', 'size'];

/** A saved layout, checked (it comes from storage a user can edit), with the defaults filled in. */
export function layoutFrom(saved: Partial<ListLayout> | undefined, unified: boolean): ListLayout {
  const columns = Array.isArray(saved?.columns) ? ALL_COLUMNS.filter((c) => c === 'subject' || saved.columns!.includes(c)) : [...DEFAULT_COLUMNS, ...(unified ? (['account'] as Column[]) : [])];
  const sort = saved?.sort && ALL_COLUMNS.includes(saved.sort.column as Column) ? { column: saved.sort.column, descending: !!saved.sort.descending } : { column: 'date' as Column, descending: true };
  return { sort, threaded: saved?.threaded === true, columns, widths: saved?.widths && typeof saved.widths === 'object' ? saved.widths : {} };
}

export interface ListDelegate {
  post(message: ListHostMessage): void;
  /** The messages the list shows (read again after every change to the store). */
  load(): Promise<ListMessage[]>;
  /** Show a message: `preview` in the reader the next selection replaces, else in a tab of its own. */
  show(ref: MessageRef, preview: boolean): Promise<void>;
  act(action: ListAction, refs: MessageRef[]): Promise<void>;
  pageMessage(): void;
  saveLayout(layout: ListLayout): void;
  /** A step that failed after the list moved on (showing a message, an action). */
  report(error: unknown): void;
  /** The search index's answer about `messages` for word leaves (with each message's relevance if `scores`). Without it, the list matches what it holds. */
  wordHits?(leaves: Array<[TextField, string[]]>, messages: readonly ListMessage[], scores: boolean): Promise<IndexAnswer>;
}

export class ListSession {
  readonly model: MessageList;
  private version = 0;
  private tracked: { focus?: string; top?: string; atTop: boolean } = { atTop: true };
  /** The selected messages (for commands run from the list's context menu). */
  selection: MessageRef[] = [];
  private focusKey: string | undefined;
  /** After Delete or Restore: the row to select once the change shows. */
  private selectAfterChange: string | undefined;

  constructor(
    private readonly title: () => string,
    private layout: ListLayout,
    private readonly options: { unified: boolean; sent: boolean },
    private readonly delegate: ListDelegate,
  ) {
    this.model = new MessageList([], { sort: layout.sort, threaded: layout.threaded, filter: NO_FILTER, sent: options.sent });
  }

  /** Messages are handled one at a time, in order: a slow step never sees a half-changed model. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;

  private enqueue(work: () => Promise<void> | void): Promise<void> {
    this.queued++;
    const next = this.queue.then(work).finally(() => this.queued--);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private warming: Promise<void> = Promise.resolve();

  /** Resolves when the work done ahead of need (folding texts for the filter) is done. */
  settled(): Promise<void> {
    return this.warming;
  }

  /** For background work: the queue while the webview waits on it. */
  private readonly busy = () => (this.queued > 0 ? this.queue : undefined);

  /** Reads the messages again (after a fetch or any change) and tells the webview. */
  reload(): Promise<void> {
    return this.enqueue(() => this.doReload());
  }

  private async doReload(): Promise<void> {
    this.model.setMessages(await this.delegate.load());
    await this.sendState();
    this.askIndex();
    // Then, in slices whenever nothing else waits: fold texts so the first filter keystroke is quick.
    this.warming = runSliced(this.model.warmSteps(), SLICE_MS, this.busy).catch((e: unknown) => this.delegate.report(e));
    if (this.selectAfterChange) {
      const index = this.model.rowIndexOf(this.selectAfterChange);
      if (index >= 0) this.delegate.post({ type: 'select', keys: [this.selectAfterChange], focus: index, add: false });
      this.selectAfterChange = undefined;
    }
  }

  private async sendState(): Promise<void> {
    const m = this.model;
    await m.prepare(); // in slices: the host stays responsive whatever the mailbox size
    const keys = [this.tracked.focus, this.tracked.top].filter((k): k is string => !!k);
    const tracked: Record<string, number> = {};
    m.rowIndexesOf(keys).forEach((row, k) => (tracked[keys[k]] = row));
    const top = this.tracked.atTop || !this.tracked.top ? 0 : Math.max(0, tracked[this.tracked.top]);
    // Whole blocks, as the webview asks for rows: it knows these are there.
    const start = Math.floor(top / ROW_BLOCK) * ROW_BLOCK;
    const state: ListState = {
      title: this.title(),
      version: ++this.version,
      rowCount: m.rowCount,
      matches: m.matches,
      total: m.total,
      sort: m.options.sort,
      filter: m.options.filter,
      threaded: m.options.threaded,
      columns: this.layout.columns.filter((c) => c !== 'account' || this.options.unified),
      widths: this.layout.widths,
      tracked,
      sent: this.options.sent,
      unified: this.options.unified,
      queryError: m.query.error,
      rankable: m.query.leaves().length > 0,
    };
    this.delegate.post({ type: 'state', state, rows: { start, rows: m.window(start, start + FIRST_BLOCKS * ROW_BLOCK) } });
  }

  onMessage(message: ListWebviewMessage): Promise<void> {
    return this.enqueue(() => this.handle(message));
  }

  private async handle(message: ListWebviewMessage): Promise<void> {
    const m = this.model;
    switch (message.type) {
      case 'ready':
        return this.doReload();
      case 'getRows':
        return this.delegate.post({ type: 'rows', requestId: message.requestId, version: this.version, start: message.start, rows: m.window(message.start, message.end) });
      case 'setSort': {
        const answered = m.query.indexHitsFor(m.messageList)?.relevance;
        m.setSort(message.sort);
        // By relevance is for this search only; a column is the list's order from now on.
        if (message.sort.column !== 'relevance') this.saveLayout({ sort: m.options.sort });
        await this.sendState();
        if (message.sort.column === 'relevance' && !answered) this.askIndex(); // the scores were not asked for
        return;
      }
      case 'setFilter':
        m.setFilter(message.filter);
        await this.sendState();
        return this.askIndex();
      case 'setThreaded':
        m.setThreaded(message.threaded);
        this.saveLayout({ threaded: message.threaded });
        return this.sendState();
      case 'setColumns':
        this.saveLayout(layoutFrom({ ...this.layout, columns: message.columns, widths: message.widths }, this.options.unified));
        return this.sendState();
      case 'toggleThread':
        m.setExpanded(message.key, message.expanded);
        return this.sendState();
      case 'track':
        this.tracked = { focus: message.focus, top: message.top, atTop: message.atTop };
        return;
      case 'selectRows': {
        const keys: string[] = [];
        for (let i = Math.max(0, message.start); i < Math.min(message.end, m.rowCount); i++) keys.push(m.keyAt(i)!);
        return this.delegate.post({ type: 'select', requestId: message.requestId, keys, focus: message.focus, add: message.add });
      }
      case 'selection': {
        this.selection = message.keys.map(refOf);
        const focus = message.focus;
        const moved = focus !== this.focusKey;
        this.focusKey = focus;
        // Not awaited: the list keeps answering while the reader loads.
        if (focus && moved && message.keys.length === 1) this.delegate.show(refOf(focus), true).catch((e: unknown) => this.delegate.report(e));
        return;
      }
      case 'open':
        return void this.delegate.show(refOf(message.key), false).catch((e: unknown) => this.delegate.report(e));
      case 'pageMessage':
        return this.delegate.pageMessage();
      case 'action':
        this.selection = message.keys.map(refOf);
        if (message.action === 'delete' || message.action === 'restore') this.selectAfterChange = message.next;
        return void this.delegate.act(message.action, this.selection).catch((e: unknown) => this.delegate.report(e));
    }
  }

  /** Shows what `text` finds (Search Messages from the palette): the filter box holds the query. */
  search(text: string): Promise<void> {
    return this.enqueue(async () => {
      const filter = { ...this.model.options.filter, text };
      this.model.setFilter(filter);
      this.delegate.post({ type: 'filter', filter });
      await this.sendState();
      this.askIndex();
    });
  }

  /** Asks the search index about the filter's words; its answer refines the list when it comes, if the text is still the same. */
  private askIndex(): void {
    const { text } = this.model.query;
    const leaves = this.model.query.leaves();
    if (!leaves.length || !this.delegate.wordHits) return;
    const messages = this.model.messageList;
    this.delegate.wordHits(leaves, messages, this.model.options.sort.column === 'relevance').then(
      (hits) =>
        this.enqueue(async () => {
          if (this.model.query.text !== text) return;
          this.model.setIndexHits(text, messages, hits);
          await this.sendState();
        }),
      (e: unknown) => this.delegate.report(e),
    );
  }

  private saveLayout(change: Partial<ListLayout>): void {
    this.layout = { ...this.layout, ...change };
    this.delegate.saveLayout(this.layout);
  }
}

export function refOf(key: string): MessageRef {
  const slash = key.indexOf('/');
  return { accountId: key.slice(0, slash), messageId: key.slice(slash + 1) };
}
