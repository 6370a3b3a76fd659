/**
 * Long list work in slices. A step is written once as a generator that yields now and then; it
 * runs to the end at once (`runNow`, for tests and small lists) or in slices that hand the
 * thread back at least every SLICE_MS (`runSliced`), so 100,000 messages never block the
 * extension host for long: fetches, other panels and VS Code itself keep going.
 */
export type Steps<T> = Generator<void, T, void>;

export const SLICE_MS = 8;

export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs `steps` in slices. Background work passes `busy`: between its slices it waits while that
 * returns a promise (work the user is waiting for), so it never slows a sort or a keystroke.
 */
export async function runSliced<T>(steps: Steps<T>, sliceMs = SLICE_MS, busy?: () => Promise<unknown> | undefined): Promise<T> {
  let since = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      for (let wait = busy?.(); wait; wait = busy?.()) await wait;
      since = performance.now();
    }
  }
}

/** A stable sort of `items` in slices: runs of RUN sorted natively, then merged pairwise. */
export function* sortSteps<T>(items: T[], compare: (a: T, b: T) => number): Steps<T[]> {
  const RUN = 4096;
  let a = items.slice();
  for (let start = 0; start < a.length; start += RUN) {
    const run = a.slice(start, start + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) a[start + i] = run[i];
    yield;
  }
  let b = new Array<T>(a.length);
  for (let width = RUN; width < a.length; width *= 2) {
    for (let lo = 0; lo < a.length; lo += 2 * width) {
      const mid = Math.min(lo + width, a.length);
      const hi = Math.min(lo + 2 * width, a.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) b[k++] = compare(a[j], a[i]) < 0 ? a[j++] : a[i++];
      while (i < mid) b[k++] = a[i++];
      while (j < hi) b[k++] = a[j++];
      yield;
    }
    [a, b] = [b, a];
  }
  return a;
}
