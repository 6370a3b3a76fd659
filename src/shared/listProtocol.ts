/**
 * The message list panel's protocol: everything that crosses between the extension host
 * (src/ui/listPanel.ts) and the list webview (webview/list/). The host keeps the mailbox and
 * sends only the rows the webview shows; requests that expect an answer carry an id.
 */

export type Column = 'unread' | 'attachment' | 'from' | 'subject' | 'date' | 'size' | 'account';

export const ALL_COLUMNS: readonly Column[] = ['unread', 'attachment', 'from', 'subject', 'date', 'size', 'account'];

/** What a list sorts by: a column, or while searching, how well each message matches the words. */
export type SortKey = Column | 'relevance';

export interface SortOrder {
  column: SortKey;
  descending: boolean;
}

export interface QuickFilter {
  /** A search query (src/search/query.ts): words, "phrases", from:, is:unread, date:, OR, -... */
  text: string;
  unread: boolean;
  attachment: boolean;
  headersOnly: boolean;
}

/** The webview asks for rows in blocks of this many, aligned: a scroll step costs one round trip. */
export const ROW_BLOCK = 50;

export const NO_FILTER: QuickFilter = { text: '', unread: false, attachment: false, headersOnly: false };

/** One row as drawn: already formatted where the host knows best (names), raw where the webview does (dates, sizes). */
export interface RowView {
  /** `<accountId>/<messageId>`: stable across sorts, filters and fetches. */
  key: string;
  /** Sender's display name, or the recipients' in sent mail. */
  correspondent: string;
  /** The full address line, for the tooltip. */
  correspondentTitle: string;
  subject: string;
  date: number;
  size: number;
  unread: boolean;
  attachment: boolean;
  /** Only the headers are downloaded. */
  partial: boolean;
  account: string;
  snippet: string;
  /** While searching: where the sought words are in the snippet, [start, end) (the row then shows it). */
  marks?: Array<[number, number]>;
  /** 0 for a thread's first message, 1 for its replies, and so on. */
  depth: number;
  /** Present on a thread's first message when the thread has replies. */
  thread?: { size: number; unread: number; expanded: boolean };
}

export interface ListState {
  title: string;
  /** Bumped whenever the rows change; a rows answer of an older version is dropped. */
  version: number;
  rowCount: number;
  /** Messages that pass the filter, and all messages in the list. */
  matches: number;
  total: number;
  sort: SortOrder;
  filter: QuickFilter;
  threaded: boolean;
  columns: Column[];
  widths: Partial<Record<Column, number>>;
  /** Rows of the keys the webview tracks (its focus, its first visible row); -1 when gone. */
  tracked: Record<string, number>;
  /** Whether the list shows mail sent by the user (the correspondent column says To). */
  sent: boolean;
  /** The list has more than one account (the Account column makes sense). */
  unified: boolean;
  /** Why the filter text cannot be read as a query, and at which character. */
  queryError?: { message: string; at: number };
  /** The filter text has words to search for: the list can be sorted by relevance. */
  rankable: boolean;
}

/** Rows from row `start` on. */
export interface RowWindow {
  start: number;
  rows: RowView[];
}

/** Host -> webview. */
export type ListHostMessage =
  /** `rows`: the rows where the webview will look (see `track`), so a new state paints without a round trip. */
  | { type: 'state'; state: ListState; rows: RowWindow }
  | { type: 'rows'; requestId: number; version: number; start: number; rows: RowView[] }
  /** The host set the filter (Search Messages from the palette): the box shows it. */
  | { type: 'filter'; filter: QuickFilter }
  /** Select these rows (added to the selection with `add`) and focus row `focus`. */
  | { type: 'select'; requestId?: number; keys: string[]; focus: number; add: boolean };

export type ListAction = 'delete' | 'restore' | 'markRead' | 'markUnread' | 'export' | 'downloadFull';

/** Webview -> host. */
export type ListWebviewMessage =
  | { type: 'ready' }
  | { type: 'getRows'; requestId: number; start: number; end: number }
  | { type: 'setSort'; sort: SortOrder }
  | { type: 'setFilter'; filter: QuickFilter }
  | { type: 'setThreaded'; threaded: boolean }
  | { type: 'setColumns'; columns: Column[]; widths: Partial<Record<Column, number>> }
  | { type: 'toggleThread'; key: string; expanded: boolean }
  /** Shift-click, Shift+End, Ctrl+A: the host knows the keys of rows the webview has not loaded. */
  | { type: 'selectRows'; requestId: number; start: number; end: number; focus: number; add: boolean }
  /**
   * Where the webview is: each state carries the rows of `focus` and `top` (its first visible row),
   * and the rows from `top` on (from the first row when `atTop`: the list then stays at its top).
   */
  | { type: 'track'; focus?: string; top?: string; atTop: boolean }
  /** The selection changed; `focus` is the row with the keyboard focus (shown in the reader). */
  | { type: 'selection'; keys: string[]; focus: string | undefined }
  /** Enter or double click: open the message in a tab of its own. */
  | { type: 'open'; key: string }
  /** Space: page down in the message shown. */
  | { type: 'pageMessage' }
  /** `next`: the row to select once the action is done (Delete moves on). */
  | { type: 'action'; action: ListAction; keys: string[]; next?: string };
