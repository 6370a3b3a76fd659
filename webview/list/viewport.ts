/**
 * Which rows of the list are in view. Every row has the same height, so that is a division; a
 * general virtualizer (@tanstack/virtual-core, used before) keeps a measurement object per row and
 * rebuilt 100,000 of them whenever the row count changed: 49 ms of a first paint and 5 MB of heap.
 */
export interface RowSlot {
  index: number;
  /** Offset from the top of the list, in pixels. */
  start: number;
}

export class Viewport {
  private count = 0;
  private offset = 0;
  private height = 0;

  /** `changed` runs after a scroll or a resize (not after the calls below, which the caller paints after). */
  constructor(
    private readonly scroller: HTMLElement,
    private readonly rowHeight: number,
    /** Rows drawn beyond each edge of the view. */
    private readonly overscan: number,
    changed: () => void,
  ) {
    scroller.addEventListener(
      'scroll',
      () => {
        this.offset = scroller.scrollTop;
        changed();
      },
      { passive: true },
    );
    new ResizeObserver(() => {
      this.height = scroller.clientHeight;
      changed();
    }).observe(scroller);
  }

  setCount(count: number): void {
    this.count = count;
  }

  get totalSize(): number {
    return this.count * this.rowHeight;
  }

  /** The last known scroll offset (reading scrollTop after drawing would force a layout). */
  get scrollOffset(): number {
    return this.offset;
  }

  /** The rows to draw, top to bottom. */
  slots(): RowSlot[] {
    if (this.height === 0) this.height = this.scroller.clientHeight; // before the first resize report
    const first = Math.max(0, Math.floor(this.offset / this.rowHeight) - this.overscan);
    const end = Math.min(this.count, Math.ceil((this.offset + this.height) / this.rowHeight) + this.overscan);
    const slots: RowSlot[] = [];
    for (let index = first; index < end; index++) slots.push({ index, start: index * this.rowHeight });
    return slots;
  }

  scrollToOffset(offset: number): void {
    this.scroller.scrollTop = offset;
    this.offset = this.scroller.scrollTop; // clamped by the browser
  }

  /** Brings row `index` into view: at the top with 'start', else only as far as needed. */
  scrollToIndex(index: number, align: 'auto' | 'start'): void {
    const top = index * this.rowHeight;
    if (align === 'start' || top < this.offset) this.scrollToOffset(top);
    else if (top + this.rowHeight > this.offset + this.height) this.scrollToOffset(top + this.rowHeight - this.height);
  }
}
