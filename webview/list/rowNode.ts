/**
 * One row of the list as DOM, made once and filled again as the view moves: a scroll step changes
 * text and attributes of the nodes it has instead of making hundreds of elements and dropping as
 * many (at 100,000 rows that churn cost a major garbage collection every few dozen steps, each a
 * frame of 30-60 ms). A row not yet sent by the host shows as a placeholder in the same node.
 */
import type { Column, RowView } from '../../src/shared/listProtocol';
import { displayName, formatDate, formatFullDate, formatSize, isolate } from '../../src/shared/format';
import { el, icon } from '../common/dom';

export interface RowLook {
  threaded: boolean;
  selected: boolean;
  focused: boolean;
}

export class RowNode {
  readonly node: HTMLElement;
  private readonly cells = new Map<Column, HTMLElement>();
  /** The text of the cells that hold only text: its data changes, the node stays. */
  private readonly texts = new Map<Column, Text>();
  private readonly unreadIcon = icon('circle-filled', 'Unread');
  private readonly attachmentIcon = icon('attach', 'Has attachments');
  private readonly twisty = el('span', { class: 'twisty' });
  private readonly chevron = icon('chevron-right');
  private readonly partialIcon = icon('cloud-download', 'Only the headers are downloaded');
  private readonly subjectText = el('span', { class: 'subject-text' });
  private readonly threadCount = el('span', { class: 'thread-count' });
  /** While searching: the snippet, its sought words marked. */
  private readonly snippet = el('span', { class: 'snippet' });

  constructor(readonly columns: readonly Column[]) {
    // The native context menu of VS Code (package.json, menus "webview/context") acts on the selection.
    this.node = el('div', { role: 'row', 'data-vscode-context': JSON.stringify({ webviewSection: 'message', preventDefaultContextMenuItems: true }) });
    for (const column of columns) {
      const cell = el('div', { class: `cell ${column}${column === 'unread' || column === 'attachment' ? ' icon' : column === 'date' || column === 'size' ? ' num' : ''}`, role: 'gridcell' });
      if (column === 'unread') cell.append(this.unreadIcon);
      if (column === 'attachment') cell.append(this.attachmentIcon);
      if (column === 'from' || column === 'date' || column === 'size' || column === 'account') {
        const text = document.createTextNode('');
        this.texts.set(column, text);
        cell.append(text);
      }
      if (column === 'subject') {
        this.twisty.append(this.chevron);
        cell.append(this.twisty, this.partialIcon, this.subjectText, this.threadCount, this.snippet);
      }
      this.cells.set(column, cell);
      this.node.append(cell);
    }
  }

  /** Shows `row` (a placeholder when undefined) as row `index` of the list. */
  fill(row: RowView | undefined, index: number, look: RowLook): void {
    const node = this.node;
    node.id = `row-${index}`;
    node.className = row ? `row${row.unread ? ' unread' : ''}${row.partial ? ' partial' : ''}${look.focused ? ' focused' : ''}` : 'row loading';
    node.setAttribute('aria-rowindex', String(index + 2));
    node.dataset.index = String(index);
    if (row) {
      node.dataset.key = row.key;
      node.setAttribute('aria-selected', String(look.selected));
    } else {
      delete node.dataset.key;
      node.removeAttribute('aria-selected');
    }
    if (look.threaded && row) node.setAttribute('aria-level', String(row.depth + 1));
    else node.removeAttribute('aria-level');
    if (look.threaded && row?.thread) node.setAttribute('aria-expanded', String(row.thread.expanded));
    else node.removeAttribute('aria-expanded');
    for (const [column, cell] of this.cells) this.fillCell(column, cell, row, look);
  }

  private fillCell(column: Column, cell: HTMLElement, row: RowView | undefined, look: RowLook): void {
    switch (column) {
      case 'unread':
        this.unreadIcon.hidden = !row?.unread;
        return;
      case 'attachment':
        this.attachmentIcon.hidden = !row?.attachment;
        return;
      case 'from':
        return this.text(column, cell, row ? isolate(row.correspondent) : '', row?.correspondentTitle ?? '');
      case 'subject':
        return this.fillSubject(cell, row, look);
      case 'date':
        return this.text(column, cell, row ? formatDate(row.date, Date.now()) : '', row ? formatFullDate(row.date) : '');
      case 'size':
        return this.text(column, cell, row ? formatSize(row.size) : '', '');
      case 'account':
        return this.text(column, cell, row ? displayName(row.account) : '', '');
    }
  }

  /** Sets a cell's text and tooltip, touching the DOM only when they change. */
  private text(column: Column, cell: HTMLElement, content: string, title: string): void {
    const text = this.texts.get(column)!;
    if (text.data !== content) text.data = content;
    if (cell.title !== title) cell.title = title;
  }

  private fillSubject(cell: HTMLElement, row: RowView | undefined, look: RowLook): void {
    cell.style.paddingLeft = `${6 + (row?.depth ?? 0) * 16}px`;
    // Top-level rows of a threaded list keep the twisty's room, so subjects line up.
    this.twisty.hidden = !(row && look.threaded && (row.thread || row.depth === 0));
    this.chevron.hidden = !row?.thread;
    if (row?.thread) {
      this.twisty.dataset.twisty = '1';
      this.chevron.className = `codicon codicon-${row.thread.expanded ? 'chevron-down' : 'chevron-right'}`;
    } else {
      delete this.twisty.dataset.twisty;
    }
    this.partialIcon.hidden = !row?.partial;
    this.subjectText.textContent = row ? isolate(row.subject || '(no subject)') : '…';
    const thread = row?.thread;
    this.threadCount.hidden = !thread || thread.expanded;
    if (thread && !thread.expanded) {
      this.threadCount.textContent = `${thread.size}${thread.unread ? ` · ${thread.unread}` : ''}`;
      this.threadCount.title = `${thread.size} messages${thread.unread ? `, ${thread.unread} unread` : ''}`;
    }
    this.snippet.hidden = !row?.marks;
    if (row?.marks) this.snippet.replaceChildren(...marked(row.snippet, row.marks));
    cell.title = row ? `${row.subject || '(no subject)'}${row.snippet ? `\n\n${row.snippet}` : ''}` : '';
  }
}

/** `text` with its [start, end) ranges in <mark>. */
function marked(text: string, ranges: Array<[number, number]>): Array<Node | string> {
  const out: Array<Node | string> = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > text.length) continue; // not in order or past the end: a range we cannot trust
    out.push(text.slice(at, start), el('mark', {}, text.slice(start, end)));
    at = end;
  }
  out.push(text.slice(at));
  return out;
}
