/**
 * Conversations from Message-ID, In-Reply-To and References, after Jamie Zawinski's algorithm
 * (the one Netscape, Thunderbird and mutt descend from):
 *
 *  1. Each message-id gets a container; a message fills its own. The References chain (with
 *     In-Reply-To as its last link when References lacks it) links each id to the next, and the
 *     message to the last one. A link that would close a loop is not made, so malicious or broken
 *     headers can never hang or recurse without end.
 *  2. Containers no message filled (a parent we do not have) are dropped and their children move
 *     up; several orphans of one missing parent stay together under the earliest of them.
 *  3. A root that has no references at all but whose subject says "Re:" joins the thread of the
 *     same base subject (mail from clients that send no references), as Thunderbird does.
 *
 * Containers are integers into typed arrays and the result is three arrays over message indices,
 * not a tree of objects: 100,000 messages thread in a few tens of milliseconds and a few MB.
 * Children are ordered by date, oldest first.
 */
import { byDate, ranks } from './order';
import { runNow, type Steps } from './slices';

export interface ThreadInput {
  messageId: string;
  inReplyTo: string;
  references: string[];
  subject: string;
  date: number;
}

/** Threads over message indices; -1 means none. */
export interface ThreadForest {
  /** Each message's parent (-1: it starts a thread). */
  parent: Int32Array;
  /** Each message's earliest reply, and its next sibling by date. */
  firstChild: Int32Array;
  nextSibling: Int32Array;
  /** The first message of each thread, oldest thread first. */
  roots: Int32Array;
}

/** References beyond the last this many are ignored: real chains are far shorter (clients trim them). */
const MAX_REFERENCES = 100;

export function buildThreads(messages: readonly ThreadInput[]): ThreadForest {
  return runNow(threadSteps(messages));
}

/**
 * buildThreads as steps (src/list/slices.ts), yielding every few thousand messages.
 */
export function* threadSteps(messages: readonly ThreadInput[]): Steps<ThreadForest> {
  const n = messages.length;
  const c = new Containers(n);
  const containerOfMessage = new Int32Array(n);

  for (let index = 0; index < n; index++) {
    if (index % 4096 === 4095) yield;
    const m = messages[index];
    const id = normalizeId(m.messageId);
    let own = id ? c.byId.get(id) : undefined;
    // A missing or repeated Message-ID: the message stands alone in a container of its own.
    if (own === undefined) own = id ? c.of(id) : c.add();
    else if (c.message[own] !== -1) own = c.add();
    c.message[own] = index;
    containerOfMessage[index] = own;

    // The References chain, then In-Reply-To unless References already ends with it.
    const refs = m.references;
    const reply = normalizeId(m.inReplyTo);
    let previous = -1;
    let last = '';
    for (let r = Math.max(0, refs.length - MAX_REFERENCES); r <= refs.length; r++) {
      const ref = r < refs.length ? normalizeId(refs[r]) : reply !== last ? reply : '';
      if (!ref) continue;
      last = ref;
      const next = c.of(ref);
      // Earlier messages' links win: only an unlinked container is attached here.
      if (previous !== -1 && c.parent[next] === -1 && next !== previous && !c.reaches(next, previous)) c.link(previous, next);
      previous = next;
    }
    if (previous !== -1 && previous !== own && !c.reaches(own, previous)) {
      if (c.parent[own] !== -1) c.unlink(own);
      c.link(previous, own);
    }
  }
  yield;

  // Step 2. A container with no message stands for the earliest message below it reached through
  // empty containers only; the others hang under that one.
  const order = byDate(messages); // oldest first, ties by index
  const rank = ranks(order);
  const stand = new Int32Array(c.count).fill(-1);
  for (let index = 0; index < n; index++) {
    if (index % 8192 === 8191) yield;
    for (let p = c.parent[containerOfMessage[index]]; p !== -1 && c.message[p] === -1; p = c.parent[p]) {
      if (stand[p] === -1 || rank[index] < rank[stand[p]]) stand[p] = index;
    }
  }
  const parent = new Int32Array(n);
  for (let index = 0; index < n; index++) {
    if (index % 8192 === 8191) yield;
    let at = containerOfMessage[index];
    for (;;) {
      const p = c.parent[at];
      if (p === -1) parent[index] = -1;
      else if (c.message[p] !== -1) parent[index] = c.message[p];
      else if (stand[p] !== index) parent[index] = stand[p];
      else {
        at = p; // this message takes the empty container's place: look above it
        continue;
      }
      break;
    }
  }
  yield;

  yield* joinBySubject(messages, parent, rank);

  // Children by date: walking newest to oldest and putting each first leaves them oldest first.
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  let rootCount = 0;
  for (let k = n - 1; k >= 0; k--) {
    if (k % 8192 === 0) yield;
    const index = order[k];
    const p = parent[index];
    if (p === -1) {
      rootCount++;
      continue;
    }
    nextSibling[index] = firstChild[p];
    firstChild[p] = index;
  }
  const roots = new Int32Array(rootCount);
  let r = 0;
  for (let k = 0; k < n; k++) if (parent[order[k]] === -1) roots[r++] = order[k];
  return { parent, firstChild, nextSibling, roots };
}

/** The containers of step 1 as parallel typed arrays, grown as ids appear. */
class Containers {
  readonly byId = new Map<string, number>();
  count = 0;
  message: Int32Array;
  parent: Int32Array;
  private firstChild: Int32Array;
  private nextSibling: Int32Array;

  constructor(capacity: number) {
    capacity = Math.max(16, capacity * 2);
    this.message = new Int32Array(capacity);
    this.parent = new Int32Array(capacity);
    this.firstChild = new Int32Array(capacity);
    this.nextSibling = new Int32Array(capacity);
  }

  add(): number {
    if (this.count === this.message.length) this.grow();
    const id = this.count++;
    this.message[id] = -1;
    this.parent[id] = -1;
    this.firstChild[id] = -1;
    this.nextSibling[id] = -1;
    return id;
  }

  of(id: string): number {
    let c = this.byId.get(id);
    if (c === undefined) this.byId.set(id, (c = this.add()));
    return c;
  }

  link(parent: number, child: number): void {
    this.parent[child] = parent;
    this.nextSibling[child] = this.firstChild[parent];
    this.firstChild[parent] = child;
  }

  unlink(child: number): void {
    const p = this.parent[child];
    if (this.firstChild[p] === child) this.firstChild[p] = this.nextSibling[child];
    else {
      let s = this.firstChild[p];
      while (this.nextSibling[s] !== child) s = this.nextSibling[s];
      this.nextSibling[s] = this.nextSibling[child];
    }
    this.parent[child] = -1;
    this.nextSibling[child] = -1;
  }

  /** Whether `target` is `from` or below it (linking `from` under `target` would close a loop). */
  reaches(from: number, target: number): boolean {
    for (let c = target; c !== -1; c = this.parent[c]) if (c === from) return true;
    return false;
  }

  private grow(): void {
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.message = bigger(this.message);
    this.parent = bigger(this.parent);
    this.firstChild = bigger(this.firstChild);
    this.nextSibling = bigger(this.nextSibling);
  }
}

/** Step 3: a reference-less "Re:" thread joins the earliest thread of the same base subject. */
function* joinBySubject(messages: readonly ThreadInput[], parent: Int32Array, rank: Int32Array): Steps<void> {
  const bases = new Map<string, { base: string; reply: boolean }>(); // subjects repeat: strip each once
  const earliest = new Map<string, number>();
  const joiners: number[] = [];
  for (let index = 0; index < messages.length; index++) {
    if (index % 4096 === 4095) yield;
    if (parent[index] !== -1) continue;
    const m = messages[index];
    let subject = bases.get(m.subject);
    if (!subject) bases.set(m.subject, (subject = baseSubject(m.subject)));
    if (!subject.base) continue;
    const holder = earliest.get(subject.base);
    if (holder === undefined || rank[index] < rank[holder]) earliest.set(subject.base, index);
    if (subject.reply && !m.inReplyTo && m.references.length === 0) joiners.push(index);
  }
  for (const index of joiners) {
    const holder = earliest.get(bases.get(messages[index].subject)!.base)!;
    if (holder !== index) parent[index] = holder;
  }
}

/** A msg-id as a map key: `<id>` (the common form, kept as is: no copy), or '' when absent. */
function normalizeId(id: string): string {
  if (id.charCodeAt(0) === 0x3c && id.charCodeAt(id.length - 1) === 0x3e) return id;
  const trimmed = id.trim();
  if (!trimmed) return '';
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed : `<${trimmed}>`;
}

/** "Re: Fwd: [list] Hello" -> "hello"; whether it had a reply prefix. */
export function baseSubject(subject: string): { base: string; reply: boolean } {
  let s = subject.trim();
  let reply = false;
  for (;;) {
    const prefix = /^(?:\[[^\]]*\]\s*|(re|aw|sv|vs|fwd?|wg|tr)(?:\[\d+\]|\(\d+\))?\s*:\s*)/i.exec(s);
    if (!prefix) break;
    if (prefix[1]) reply = true;
    s = s.slice(prefix[0].length);
  }
  return { base: s.replace(/\s+/g, ' ').toLowerCase(), reply };
}
