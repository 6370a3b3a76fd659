// Message list webview entry (browser). Talks to the host only through src/shared/listProtocol.ts.
import { ALL_COLUMNS, type ListHostMessage, type ListState, type ListWebviewMessage, type QuickFilter, type RowWindow } from '../../src/shared/listProtocol';
import { prepareDateFormats, queryErrorText } from '../../src/shared/format';
import { addStyles, el, hostChannel, icon } from '../common/dom';
import { COLUMN_INFO, Grid } from './grid';
import { ROW_HEIGHT, STYLES } from './styles';

const vscode = hostChannel<ListWebviewMessage>();
const post = (message: ListWebviewMessage) => vscode.postMessage(message);
addStyles(STYLES);

let state: ListState | undefined;
/** The filter as the user set it: the one source for text and toggles (host answers may lag behind). */
let filter: QuickFilter | undefined;
let nextRequest = 1;
let anchor = -1;

const grid = new Grid({
  needRows: (start, end) => post({ type: 'getRows', requestId: nextRequest++, start, end }),
  rowClick(index, event) {
    grid.root.focus({ preventScroll: true });
    if (event.shiftKey) selectRange(index, event.ctrlKey || event.metaKey);
    else if (event.ctrlKey || event.metaKey) toggle(index);
    else selectOnly(index);
  },
  rowOpen(index) {
    const key = grid.rows.get(index)?.key;
    if (key) post({ type: 'open', key });
  },
  twisty(index) {
    const row = grid.rows.get(index);
    if (row?.thread) post({ type: 'toggleThread', key: row.key, expanded: !row.thread.expanded });
  },
  sort(column) {
    if (!state) return;
    const descending = state.sort.column === column ? !state.sort.descending : column === 'date' || column === 'size' || column === 'unread' || column === 'attachment';
    post({ type: 'setSort', sort: { column, descending } });
  },
  resized(column, width) {
    if (state) post({ type: 'setColumns', columns: state.columns, widths: { ...state.widths, [column]: width } });
  },
  scrolled: () => track(),
});

// ---- toolbar: quick filter, toggles, threads, columns -------------------------------------------

const filterInput = el('input', { id: 'filter', type: 'search', placeholder: 'Search: words, "a phrase", from:, is:unread, date:2026-11, OR, -word', 'aria-label': 'Search messages', 'aria-describedby': 'query-error', spellcheck: 'false' });
/** Why the query cannot be read (the host says; src/search/query.ts). */
const queryError = el('div', { id: 'query-error', role: 'alert', hidden: '' });
const toggles: Array<[keyof Omit<QuickFilter, 'text'>, string, string]> = [
  ['unread', 'mail', 'Unread only'],
  ['attachment', 'attach', 'With attachments only'],
  ['headersOnly', 'cloud-download', 'Headers only (not downloaded in full)'],
];
const toggleButtons = toggles.map(([field, name, label]) => {
  const b = el('button', { class: 'tool', id: `toggle-${field}`, 'aria-pressed': 'false', title: label, 'aria-label': label }, icon(name));
  b.addEventListener('click', () => {
    clearTimeout(filterTimer);
    if (filter) sendFilter({ ...filter, text: filterInput.value, [field]: !filter[field] });
  });
  return b;
});
const count = el('span', { id: 'count', role: 'status' });
// While searching: best matches first (the index's BM25), or back to the order before.
const relevanceButton = el('button', { class: 'tool', id: 'relevance', 'aria-pressed': 'false', title: 'Best matches first', 'aria-label': 'Sort by relevance', hidden: '' }, icon('sparkle'));
/** The order before "by relevance", to go back to. */
let sortBeforeRelevance: ListState['sort'] | undefined;
relevanceButton.addEventListener('click', () => {
  if (!state) return;
  if (state.sort.column !== 'relevance') sortBeforeRelevance = state.sort;
  post({ type: 'setSort', sort: state.sort.column === 'relevance' ? (sortBeforeRelevance ?? { column: 'date', descending: true }) : { column: 'relevance', descending: true } });
});
const threadButton = el('button', { class: 'tool', id: 'threaded', 'aria-pressed': 'false', title: 'Group by conversation', 'aria-label': 'Group by conversation' }, icon('list-tree'));
threadButton.addEventListener('click', () => state && post({ type: 'setThreaded', threaded: !state.threaded }));
const columnsButton = el('button', { class: 'tool', id: 'columns-button', title: 'Choose columns', 'aria-label': 'Choose columns', 'aria-haspopup': 'menu', 'aria-expanded': 'false' }, icon('settings'));
const columnMenu = el('div', { id: 'column-menu', role: 'menu', hidden: '' });
columnsButton.addEventListener('click', () => (columnMenu.hidden ? openColumnMenu() : closeColumnMenu()));

let filterTimer: ReturnType<typeof setTimeout> | undefined;
filterInput.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => filter && sendFilter({ ...filter, text: filterInput.value }), 60);
});
// VS Code focuses the page, not an element in it (a list just opened, Search Messages): the keyboard
// starts in the search box, from where Down or Enter goes into the list. Focus already inside stays.
window.addEventListener('focus', () => {
  if (!document.activeElement || document.activeElement === document.body) filterInput.focus();
});
filterInput.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown' || e.key === 'Enter') {
    e.preventDefault();
    grid.root.focus();
    if (grid.focus < 0 && state?.rowCount) selectOnly(0);
  } else if (e.key === 'Escape' && filterInput.value) {
    filterInput.value = '';
    if (filter) sendFilter({ ...filter, text: '' });
  }
});

function sendFilter(next: QuickFilter): void {
  showFilter(next, false);
  post({ type: 'setFilter', filter: next });
}

/** Makes `next` the filter the box and the toggles show (`text`: put its text in the box too). */
function showFilter(next: QuickFilter, text = true): void {
  filter = next;
  if (text) filterInput.value = next.text;
  toggles.forEach(([field], i) => toggleButtons[i].setAttribute('aria-pressed', String(next[field])));
}

function openColumnMenu(): void {
  if (!state) return;
  const current = state;
  const choices = ALL_COLUMNS.filter((c) => c !== 'subject' && (c !== 'account' || current.unified));
  columnMenu.replaceChildren(
    ...choices.map((column) => {
      const on = current.columns.includes(column);
      const item = el('button', { class: 'menuitem', role: 'menuitemcheckbox', 'aria-checked': String(on), 'data-column': column }, icon(on ? 'check' : 'blank'), COLUMN_INFO[column].label);
      item.addEventListener('click', () => {
        const columns = on ? current.columns.filter((c) => c !== column) : ALL_COLUMNS.filter((c) => c === column || current.columns.includes(c));
        post({ type: 'setColumns', columns, widths: current.widths });
        closeColumnMenu();
      });
      return item;
    }),
  );
  columnMenu.hidden = false;
  columnsButton.setAttribute('aria-expanded', 'true');
  (columnMenu.firstElementChild as HTMLElement | null)?.focus();
}

function closeColumnMenu(): void {
  columnMenu.hidden = true;
  columnsButton.setAttribute('aria-expanded', 'false');
}
columnMenu.addEventListener('keydown', (e) => {
  const items = [...columnMenu.querySelectorAll<HTMLElement>('.menuitem')];
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (e.key === 'Escape') {
    closeColumnMenu();
    columnsButton.focus();
  } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
  }
});
document.addEventListener('click', (e) => {
  if (!columnMenu.hidden && !columnMenu.contains(e.target as Node) && !columnsButton.contains(e.target as Node)) closeColumnMenu();
});

document.body.append(el('div', { id: 'toolbar', role: 'toolbar', 'aria-label': 'Message list' }, filterInput, ...toggleButtons, count, relevanceButton, threadButton, columnsButton), queryError, grid.root, columnMenu);

// ---- selection -----------------------------------------------------------------------------------

function keyAt(index: number): string | undefined {
  return grid.rows.get(index)?.key;
}

function setFocus(index: number): void {
  grid.focus = index;
  grid.scrollTo(index);
  grid.redraw();
}

function announceSelection(): void {
  post({ type: 'selection', keys: [...grid.selected], focus: keyAt(grid.focus) });
  track();
}

function selectOnly(index: number): void {
  if (!state || index < 0 || index >= state.rowCount) return;
  const key = keyAt(index);
  anchor = index;
  grid.selected = new Set(key ? [key] : []);
  setFocus(index);
  if (key) announceSelection();
  else post({ type: 'selectRows', requestId: nextRequest++, start: index, end: index + 1, focus: index, add: false });
}

function toggle(index: number): void {
  const key = keyAt(index);
  if (!key) return;
  if (grid.selected.has(key)) grid.selected.delete(key);
  else grid.selected.add(key);
  anchor = index;
  setFocus(index);
  announceSelection();
}

/** Shift: from the anchor to `index`; the host answers with the keys (rows not loaded included). */
function selectRange(index: number, add: boolean): void {
  if (!state) return;
  const from = anchor < 0 ? index : anchor;
  setFocus(index);
  post({ type: 'selectRows', requestId: nextRequest++, start: Math.min(from, index), end: Math.max(from, index) + 1, focus: index, add });
}

function move(to: number, extend: boolean): void {
  if (!state || state.rowCount === 0) return;
  const index = Math.max(0, Math.min(state.rowCount - 1, to));
  if (extend) selectRange(index, false);
  else selectOnly(index);
}

grid.root.addEventListener('keydown', (e) => {
  if (!state) return;
  const page = grid.pageSize();
  const at = grid.focus;
  const ctrl = e.ctrlKey || e.metaKey;
  const handled = (() => {
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        return move(at + 1, e.shiftKey), true;
      case 'ArrowUp':
      case 'k':
        return move(at < 0 ? 0 : at - 1, e.shiftKey), true;
      case 'Home':
        return move(0, e.shiftKey), true;
      case 'End':
        return move(state.rowCount - 1, e.shiftKey), true;
      case 'PageDown':
        return move(at + page, e.shiftKey), true;
      case 'PageUp':
        return move(at - page, e.shiftKey), true;
      case 'Enter':
        return keyAt(at) && post({ type: 'open', key: keyAt(at)! }), true;
      case ' ':
        return post({ type: 'pageMessage' }), true;
      case 'Delete':
        return act('delete'), true;
      case 'ArrowRight':
      case 'ArrowLeft': {
        const row = grid.rows.get(at);
        if (row?.thread && row.thread.expanded !== (e.key === 'ArrowRight')) post({ type: 'toggleThread', key: row.key, expanded: e.key === 'ArrowRight' });
        return true;
      }
      case 'a':
        if (!ctrl) return false;
        post({ type: 'selectRows', requestId: nextRequest++, start: 0, end: state.rowCount, focus: Math.max(0, at), add: false });
        return true;
      case 'f':
        if (!ctrl) return false;
        filterInput.focus();
        filterInput.select();
        return true;
    }
    return false;
  })();
  if (handled) e.preventDefault();
});

function act(action: 'delete'): void {
  if (!state || grid.selected.size === 0) return;
  // The row after the selection (or before it, at the end) is selected once the host is done.
  let last = -1;
  let first = Infinity;
  for (const [index, row] of grid.rows) {
    if (!grid.selected.has(row.key)) continue;
    last = Math.max(last, index);
    first = Math.min(first, index);
  }
  let next = keyAt(last + 1);
  if (next && grid.selected.has(next)) next = undefined;
  next ??= first > 0 ? keyAt(first - 1) : undefined;
  post({ type: 'action', action, keys: [...grid.selected], next });
}

/** The host reports where the focused row and the first visible row are after each change. */
let trackedTop: string | undefined;
let trackedFocus: string | undefined;
function track(): void {
  const top = keyAt(grid.firstVisible());
  const focus = keyAt(grid.focus);
  if (top === trackedTop && focus === trackedFocus) return;
  trackedTop = top;
  trackedFocus = focus;
  post({ type: 'track', focus, top, atTop: grid.atTop() });
}

// ---- from the host -------------------------------------------------------------------------------

function applyState(next: ListState, rows: RowWindow): void {
  const previous = state;
  const focusKey = keyAt(grid.focus);
  const topKey = keyAt(grid.firstVisible());
  const offsetInTop = grid.scrollOffset() - grid.firstVisible() * ROW_HEIGHT;
  const wasAtTop = grid.atTop();
  state = next;
  if (!filter) showFilter(next.filter);
  threadButton.setAttribute('aria-pressed', String(next.threaded));
  relevanceButton.hidden = !next.rankable && next.sort.column !== 'relevance';
  relevanceButton.setAttribute('aria-pressed', String(next.sort.column === 'relevance'));
  // Shown for the text the box holds now: an answer about an older text is not this one's.
  const error = next.queryError && next.filter.text === filterInput.value ? next.queryError : undefined;
  queryError.hidden = !error;
  queryError.textContent = error ? queryErrorText(error) : '';
  filterInput.setAttribute('aria-invalid', String(!!error));
  const filtered = next.filter.text || next.filter.unread || next.filter.attachment || next.filter.headersOnly;
  count.textContent = filtered ? `${next.matches} of ${next.total}` : `${next.total} message${next.total === 1 ? '' : 's'}`;
  document.title = next.title;
  // Keep the place: the focused row keeps the focus, the first visible row stays first.
  if (focusKey) grid.focus = next.tracked[focusKey] ?? -1;
  if (grid.focus >= next.rowCount) grid.focus = next.rowCount - 1;
  grid.setState(next, rows);
  const topNow = topKey ? (next.tracked[topKey] ?? -1) : -1;
  if (previous && !wasAtTop && topNow >= 0) grid.scrollToOffset(topNow * ROW_HEIGHT + offsetInTop);
}

window.addEventListener('message', (event: MessageEvent<ListHostMessage>) => {
  const message = event.data;
  switch (message?.type) {
    case 'state':
      applyState(message.state, message.rows);
      break;
    case 'filter':
      showFilter(message.filter);
      break;
    case 'rows':
      if (state && message.version === state.version) grid.addRows(message.start, message.rows);
      break;
    case 'select':
      grid.selected = message.add ? new Set([...grid.selected, ...message.keys]) : new Set(message.keys);
      if (anchor < 0 || !message.add) anchor = message.focus;
      setFocus(message.focus);
      post({ type: 'selection', keys: [...grid.selected], focus: message.keys.length ? keyOfSelectFocus(message) : undefined });
      track();
      break;
  }
});

/** The focused key of a select answer: loaded already, or the first key when it is not. */
function keyOfSelectFocus(message: Extract<ListHostMessage, { type: 'select' }>): string | undefined {
  return keyAt(message.focus) ?? (message.keys.length === 1 ? message.keys[0] : undefined);
}

performance.mark('mail-list-ready'); // with 'mail-list-first-rows' (grid.ts): what npm run bench reports
post({ type: 'ready' });
prepareDateFormats();
