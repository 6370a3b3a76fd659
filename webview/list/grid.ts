/**
 * The list's grid: a header of sortable, resizable columns and a virtualized body. Only the rows
 * in view (and a small buffer) exist in the DOM, whatever the mailbox size (viewport.ts says
 * which). Rows not yet sent by the host draw as placeholders and are asked for.
 *
 * Accessibility: an ARIA treegrid (grid when flat) with aria-rowcount/aria-rowindex over the whole
 * list, so a screen reader knows where it is though most rows are not in the DOM; the keyboard
 * focus stays on the grid and aria-activedescendant names the focused row.
 */
import { ROW_BLOCK, type Column, type ListState, type RowView, type RowWindow } from '../../src/shared/listProtocol';
import { el, icon } from '../common/dom';
import { RowNode } from './rowNode';
import { ROW_HEIGHT } from './styles';
import { Viewport } from './viewport';

/** Rows kept in the webview at most; enough for several screens either way. */
const KEPT_ROWS = 600;

export const COLUMN_INFO: Record<Column, { label: string; icon?: string; width: number; min: number }> = {
  unread: { label: 'Unread', icon: 'circle-filled', width: 26, min: 26 },
  attachment: { label: 'Attachment', icon: 'attach', width: 26, min: 26 },
  from: { label: 'From', width: 200, min: 60 },
  subject: { label: 'Subject', width: 0, min: 120 }, // takes the remaining width
  date: { label: 'Date', width: 130, min: 60 },
  size: { label: 'Size', width: 72, min: 50 },
  account: { label: 'Account', width: 160, min: 60 },
};

/** Rows asked for beyond each end of the view, so a scroll step seldom waits for the host. */
const AHEAD = 2 * ROW_BLOCK;

export interface GridEvents {
  /** Asks the host for rows [start, end): one block (ROW_BLOCK), once until they are let go. */
  needRows(start: number, end: number): void;
  rowClick(index: number, event: MouseEvent): void;
  rowOpen(index: number): void;
  twisty(index: number): void;
  sort(column: Column): void;
  resized(column: Column, width: number): void;
  scrolled(): void;
}

export class Grid {
  readonly root: HTMLElement;
  private readonly header: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly viewport: Viewport;
  private state: ListState | undefined;
  /** Rows the host sent, by row index; those far from the view are let go (see addRows). */
  rows = new Map<number, RowView>();
  /** Blocks asked for (or sent with the state) and not let go, by first row: a repaint asks once. */
  private requested = new Set<number>();
  selected = new Set<string>();
  focus = -1;
  private painted = false;
  /** The nodes on screen by row index, with the row each shows: a scroll step fills only new rows. */
  private drawn = new Map<number, { row: RowView | undefined; node: RowNode }>();
  /** Nodes of rows that left the view, to be filled again (rowNode.ts). */
  private spare: RowNode[] = [];

  constructor(private readonly events: GridEvents) {
    this.header = el('div', { id: 'header', class: 'row', role: 'row', 'aria-rowindex': '1' });
    this.spacer = el('div', { id: 'spacer', role: 'rowgroup' });
    this.scroller = el('div', { id: 'scroller', role: 'presentation' }, this.spacer);
    this.root = el('div', { id: 'grid', role: 'treegrid', tabindex: '0', 'aria-multiselectable': 'true', 'aria-label': 'Messages' },
      el('div', { role: 'rowgroup' }, this.header), this.scroller);
    this.viewport = new Viewport(this.scroller, ROW_HEIGHT, 4, () => {
      this.paint();
      this.events.scrolled();
    });
    this.spacer.addEventListener('click', (e) => this.onRowEvent(e, (i) => this.events.rowClick(i, e)));
    this.spacer.addEventListener('dblclick', (e) => this.onRowEvent(e, (i) => this.events.rowOpen(i)));
  }

  /** A new state, with the rows the host sent along (where the view will be). */
  setState(state: ListState, rows: RowWindow): void {
    const old = this.state;
    this.state = state;
    this.root.setAttribute('role', state.threaded ? 'treegrid' : 'grid');
    this.root.setAttribute('aria-rowcount', String(state.rowCount + 1));
    document.documentElement.style.setProperty('--columns', this.template(state));
    if (!old || old.columns.join() !== state.columns.join() || old.sort.column !== state.sort.column || old.sort.descending !== state.sort.descending || old.sent !== state.sent) this.drawHeader();
    if (!old || old.version !== state.version) {
      this.rows.clear();
      this.requested.clear();
    }
    rows.rows.forEach((row, i) => this.rows.set(rows.start + i, row));
    for (let start = rows.start; start < rows.start + rows.rows.length; start += ROW_BLOCK) this.requested.add(start);
    this.viewport.setCount(state.rowCount);
    this.redraw();
  }

  addRows(start: number, rows: RowView[]): void {
    rows.forEach((row, i) => this.rows.set(start + i, row));
    if (this.rows.size > KEPT_ROWS) this.forgetFarRows();
    this.paint();
  }

  /** Rows far from the view go (the host sends them again when needed): memory stays flat however far one scrolls. */
  private forgetFarRows(): void {
    const middle = this.firstVisible();
    for (const index of this.rows.keys()) {
      if (Math.abs(index - middle) <= KEPT_ROWS / 2 || index === this.focus) continue;
      this.rows.delete(index);
      this.requested.delete(blockOf(index)); // asked for again if the view comes back
    }
  }

  /** Paints every row again (selection, focus or columns changed). */
  redraw(): void {
    const columns = this.state?.columns.join();
    const nodes = [...[...this.drawn.values()].map((entry) => entry.node), ...this.spare];
    // Nodes are made for a set of columns: kept while it holds.
    this.spare = nodes.filter((node) => node.columns.join() === columns);
    this.drawn.clear();
    this.spacer.replaceChildren();
    this.paint();
  }

  scrollTo(index: number, align: 'auto' | 'start' = 'auto'): void {
    if (index >= 0) {
      this.viewport.scrollToIndex(index, align);
      this.paint();
    }
  }

  scrollOffset(): number {
    return this.viewport.scrollOffset;
  }

  scrollToOffset(offset: number): void {
    this.viewport.scrollToOffset(offset);
    this.paint();
  }

  /** The first row in view (for keeping one's place when rows arrive above it). */
  firstVisible(): number {
    return Math.floor(this.scrollOffset() / ROW_HEIGHT);
  }

  atTop(): boolean {
    return this.scrollOffset() < ROW_HEIGHT / 2;
  }

  /** Rows in one page of the viewport. */
  pageSize(): number {
    return Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 1);
  }

  paint(): void {
    const state = this.state;
    if (!state) return;
    const items = this.viewport.slots();
    this.spacer.style.height = `${this.viewport.totalSize}px`;
    const drawn = new Map<number, { row: RowView | undefined; node: RowNode }>();
    const inView = new Set(items.map((item) => item.index));
    for (const [index, entry] of this.drawn) {
      if (inView.has(index)) continue;
      entry.node.node.remove();
      this.spare.push(entry.node);
    }
    let missing = false;
    // Nodes stay in row order (screen readers walk the DOM): kept ones are, new ones go between.
    let next = this.spacer.firstChild;
    for (const item of items) {
      const row = this.rows.get(item.index);
      missing ||= !row;
      let entry = this.drawn.get(item.index);
      if (!entry || entry.row !== row) {
        const node = entry?.node ?? this.spare.pop() ?? new RowNode(state.columns);
        node.fill(row, item.index, { threaded: state.threaded, selected: !!row && this.selected.has(row.key), focused: item.index === this.focus });
        node.node.style.transform = `translateY(${item.start}px)`;
        entry = { row, node };
      }
      drawn.set(item.index, entry);
      if (entry.node.node === next) next = next.nextSibling;
      else this.spacer.insertBefore(entry.node.node, next);
    }
    this.drawn = drawn;
    if (!this.painted && items.length && !missing) {
      this.painted = true;
      performance.mark('mail-list-first-rows');
    }
    const focused = this.focus >= 0 && items.some((i) => i.index === this.focus) ? `row-${this.focus}` : '';
    if (focused) this.root.setAttribute('aria-activedescendant', focused);
    else this.root.removeAttribute('aria-activedescendant');
    if (items.length) this.askFor(items[0].index - AHEAD, items[items.length - 1].index + AHEAD);
  }

  /** Asks for the blocks of rows [first, last] not asked for yet. */
  private askFor(first: number, last: number): void {
    const count = this.state!.rowCount;
    for (let start = blockOf(Math.max(0, first)); start <= last && start < count; start += ROW_BLOCK) {
      if (this.requested.has(start)) continue;
      this.requested.add(start);
      this.events.needRows(start, Math.min(start + ROW_BLOCK, count));
    }
  }

  private template(state: ListState): string {
    // Names shrink (to their minimum) before the subject does; icons, dates and sizes keep their width.
    return state.columns
      .map((c) => {
        const width = state.widths[c] ?? COLUMN_INFO[c].width;
        if (c === 'subject') return `minmax(${COLUMN_INFO.subject.min}px, 1fr)`;
        return c === 'from' || c === 'account' ? `minmax(${COLUMN_INFO[c].min}px, ${width}px)` : `${width}px`;
      })
      .join(' ');
  }

  private drawHeader(): void {
    const state = this.state!;
    this.header.replaceChildren(
      ...state.columns.map((column) => {
        const info = COLUMN_INFO[column];
        const label = column === 'from' && state.sent ? 'To' : info.label;
        const sorted = state.sort.column === column;
        const cell = el('div', { class: 'colhead', role: 'columnheader', tabindex: '-1', 'data-column': column, title: `Sort by ${label}`, 'aria-sort': sorted ? (state.sort.descending ? 'descending' : 'ascending') : 'none' });
        cell.append(info.icon ? icon(info.icon, label) : el('span', {}, label));
        if (sorted) cell.append(icon(state.sort.descending ? 'chevron-down' : 'chevron-up'));
        cell.addEventListener('click', (e) => {
          if (!(e.target as Element).classList.contains('resize')) this.events.sort(column);
        });
        if (column !== 'subject') cell.append(this.resizeHandle(column, cell));
        return cell;
      }),
    );
  }

  private resizeHandle(column: Column, cell: HTMLElement): HTMLElement {
    const handle = el('div', { class: 'resize', role: 'separator', 'aria-orientation': 'vertical', 'aria-label': `Resize ${COLUMN_INFO[column].label}` });
    handle.addEventListener('pointerdown', (down) => {
      down.preventDefault();
      down.stopPropagation();
      handle.setPointerCapture(down.pointerId);
      const startWidth = cell.getBoundingClientRect().width;
      const state = this.state!;
      const move = (e: PointerEvent) => {
        state.widths = { ...state.widths, [column]: Math.max(COLUMN_INFO[column].min, Math.round(startWidth + e.clientX - down.clientX)) };
        document.documentElement.style.setProperty('--columns', this.template(state));
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        this.events.resized(column, state.widths[column] ?? COLUMN_INFO[column].width);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    return handle;
  }

  private onRowEvent(event: MouseEvent, handle: (index: number) => void): void {
    const target = event.target as Element;
    const rowNode = target.closest<HTMLElement>('.row[data-index]');
    if (!rowNode) return;
    const index = Number(rowNode.dataset.index);
    if (target.closest('[data-twisty]') && event.type === 'click') return this.events.twisty(index);
    handle(index);
  }
}

const blockOf = (index: number) => Math.floor(index / ROW_BLOCK) * ROW_BLOCK;
