/**
 * What a collapsed thread shows and sorts by, kept on its first message: how many messages it
 * holds, how many are unread, its newest date. The forest depends on headers only; these depend on
 * flags too, so they are counted again after every reload (one linear pass).
 */
import type { Steps } from './slices';
import type { ThreadForest } from './threads';

export interface ThreadStats {
  /** Each message's thread, as the index of the thread's first message. */
  rootOf: Int32Array;
  /** On a thread's first message: its number of messages, unread messages, newest date. */
  size: Int32Array;
  unread: Int32Array;
  newest: Float64Array;
}

export function* threadStats(forest: ThreadForest, messages: readonly { seen: boolean; date: number }[]): Steps<ThreadStats> {
  const n = messages.length;
  const stats: ThreadStats = { rootOf: new Int32Array(n), size: new Int32Array(n), unread: new Int32Array(n), newest: new Float64Array(n) };
  const stack = new Int32Array(n);
  // The counting loop is a plain function called per block of threads: V8 optimizes it better than a generator's body.
  for (let from = 0; from < forest.roots.length; from += 4096) {
    countThreads(forest, messages, stats, stack, from, Math.min(from + 4096, forest.roots.length));
    yield;
  }
  return stats;
}

function countThreads(forest: ThreadForest, messages: readonly { seen: boolean; date: number }[], stats: ThreadStats, stack: Int32Array, from: number, to: number): void {
  const { rootOf, size, unread, newest } = stats;
  for (let r = from; r < to; r++) {
    const root = forest.roots[r];
    let top = 0;
    stack[top++] = root;
    newest[root] = messages[root].date;
    while (top > 0) {
      const i = stack[--top];
      rootOf[i] = root;
      size[root]++;
      if (!messages[i].seen) unread[root]++;
      if (messages[i].date > newest[root]) newest[root] = messages[i].date;
      for (let c = forest.firstChild[i]; c !== -1; c = forest.nextSibling[c]) stack[top++] = c;
    }
  }
}

/**
 * A thread's messages in reading order (each after its parent, siblings oldest first), with their
 * depth below the first message, which is not included. Iterative: a chain can be thousands deep.
 */
export function forEachReply(forest: ThreadForest, root: number, visit: (index: number, depth: number) => void): void {
  const { parent, firstChild, nextSibling } = forest;
  let i = firstChild[root];
  let depth = 1;
  while (i !== -1) {
    visit(i, depth);
    if (firstChild[i] !== -1) {
      i = firstChild[i];
      depth++;
      continue;
    }
    while (i !== root && nextSibling[i] === -1) {
      i = parent[i];
      depth--;
    }
    i = i === root ? -1 : nextSibling[i];
  }
}
