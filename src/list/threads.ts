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
 * Works on indices into the caller's array; children are ordered by date, oldest first.
 */
import { runNow, type Steps } from './slices';

export interface ThreadInput {
  messageId: string;
  inReplyTo: string;
  references: string[];
  subject: string;
  date: number;
}

export interface ThreadNode {
  /** Index of the message in the input. */
  index: number;
  children: ThreadNode[];
}

interface Container {
  index: number; // -1: no message (yet)
  parent: Container | undefined;
  children: Container[];
}

export function buildThreads(messages: readonly ThreadInput[]): ThreadNode[] {
  return runNow(threadSteps(messages));
}

/** buildThreads as steps (src/list/slices.ts): yields every few thousand messages. */
export function* threadSteps(messages: readonly ThreadInput[]): Steps<ThreadNode[]> {
  const byId = new Map<string, Container>();
  const containers: Container[] = [];
  const containerOf = (id: string): Container => {
    let c = byId.get(id);
    if (!c) {
      c = { index: -1, parent: undefined, children: [] };
      byId.set(id, c);
    }
    return c;
  };

  for (let index = 0; index < messages.length; index++) {
    if (index % 2000 === 1999) yield;
    const m = messages[index];
    const id = normalizeId(m.messageId);
    let own = id ? byId.get(id) : undefined;
    // A missing or repeated Message-ID: the message stands alone under a key of its own.
    if (!own || own.index !== -1) own = id && !own ? containerOf(id) : { index: -1, parent: undefined, children: [] };
    own.index = index;
    containers.push(own);

    // The References chain, then In-Reply-To unless References already ends with it.
    const refs = m.references;
    const reply = normalizeId(m.inReplyTo);
    let previous: Container | undefined;
    let last = '';
    for (let r = 0; r <= refs.length; r++) {
      const ref = r < refs.length ? normalizeId(refs[r]) : reply !== last ? reply : '';
      if (!ref) continue;
      last = ref;
      const c = containerOf(ref);
      // Earlier messages' links win: only an unlinked container is attached here.
      if (previous && !c.parent && c !== previous && !reaches(c, previous)) link(previous, c);
      previous = c;
    }
    if (previous && previous !== own && !reaches(own, previous)) {
      if (own.parent) unlink(own);
      link(previous, own);
    }
  }

  const roots = new Set<Container>();
  for (const c of byId.values()) if (!c.parent) roots.add(c);
  for (const c of containers) if (!c.parent) roots.add(c);

  yield;
  const nodes: ThreadNode[] = [];
  let done = 0;
  for (const root of roots) {
    for (const n of prune(root, messages)) {
      sortChildren(n, messages);
      nodes.push(n);
    }
    if (++done % 2000 === 0) yield;
  }
  return yield* groupBySubject(nodes, messages);
}

/** A msg-id as a map key: `<id>` (the common form, kept as is: no copy), or '' when absent. */
function normalizeId(id: string): string {
  if (id.charCodeAt(0) === 0x3c && id.charCodeAt(id.length - 1) === 0x3e) return id;
  const trimmed = id.trim();
  if (!trimmed) return '';
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed : `<${trimmed}>`;
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const siblings = child.parent!.children;
  siblings.splice(siblings.indexOf(child), 1);
  child.parent = undefined;
}

/** Whether `target` is `from` or below it (linking `from` under `target` would close a loop). */
function reaches(from: Container, target: Container): boolean {
  for (let c: Container | undefined = target; c; c = c.parent) if (c === from) return true;
  return false;
}

/**
 * The thread nodes a container stands for: itself, or, when it holds no message, its children
 * kept together under the earliest of them. Iterative (children before parents, by walking a
 * pre-order list backwards): a reply chain can be thousands deep.
 */
function prune(root: Container, messages: readonly ThreadInput[]): ThreadNode[] {
  if (root.children.length === 0) return root.index === -1 ? [] : [{ index: root.index, children: [] }]; // most roots: a lone message
  const order: Container[] = [];
  const stack = [root];
  while (stack.length) {
    const c = stack.pop()!;
    order.push(c);
    stack.push(...c.children);
  }
  const built = new Map<Container, ThreadNode[]>();
  for (let i = order.length - 1; i >= 0; i--) {
    const c = order[i];
    const kids = c.children.flatMap((child) => built.get(child)!);
    for (const child of c.children) built.delete(child);
    if (c.index !== -1) {
      built.set(c, [{ index: c.index, children: kids }]);
    } else if (kids.length === 0) {
      built.set(c, []);
    } else {
      kids.sort((a, b) => messages[a.index].date - messages[b.index].date || a.index - b.index);
      kids[0].children.push(...kids.slice(1));
      built.set(c, [kids[0]]);
    }
  }
  return built.get(root)!;
}

function sortChildren(root: ThreadNode, messages: readonly ThreadInput[]): void {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.children.length > 1) n.children.sort((a, b) => messages[a.index].date - messages[b.index].date || a.index - b.index);
    stack.push(...n.children);
  }
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

/** Step 3: reference-less "Re:" roots join the earliest thread of the same base subject. */
function* groupBySubject(roots: ThreadNode[], messages: readonly ThreadInput[]): Steps<ThreadNode[]> {
  const earliest = new Map<string, ThreadNode>();
  const byDate = [...roots].sort((a, b) => messages[a.index].date - messages[b.index].date || a.index - b.index);
  const joined = new Set<ThreadNode>();
  let done = 0;
  for (const node of byDate) {
    if (++done % 2000 === 0) yield;
    const m = messages[node.index];
    const { base, reply } = baseSubject(m.subject);
    if (!base) continue;
    const holder = earliest.get(base);
    const referenceless = !m.inReplyTo && m.references.length === 0;
    if (holder && reply && referenceless) {
      holder.children.push(node);
      joined.add(node);
    } else if (!holder) {
      earliest.set(base, node);
    }
  }
  if (joined.size === 0) return roots;
  for (const holder of earliest.values()) sortChildren(holder, messages);
  return roots.filter((n) => !joined.has(n));
}
