/**
 * The extension host's side of the message list at scale, in a process of its own (so its memory
 * is the list's alone), as the panel runs it: the account's store opened from its index on disk,
 * its Inbox read (AccountStore.list) and handed to a ListSession, then each step the webview can
 * ask for. Prints one JSON line for bench/list.ts. Usage: node --expose-gc out/bench/listHost.js <store root> [settled]
 *
 * With `serve` after the root, it is the host of a list page instead: messages from the parent
 * process (the page's, bridged by bench/list.ts) go to a ListSession over the store, and what the
 * session posts goes back, as between VS Code's extension host and a webview.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { folderMessages } from '../src/list/listMessage';
import { layoutFrom, ListSession } from '../src/list/listSession';
import { ALL_COLUMNS, NO_FILTER, type ListHostMessage, type ListWebviewMessage } from '../src/shared/listProtocol';
import { AccountStore } from '../src/store/accountStore';

type Timing = { ms: number; blockedMs: number };

/** Wall time of an async step, and the longest the event loop was blocked meanwhile. */
async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  delay.disable();
  return { ms, blockedMs: delay.max / 1e6 };
}

/** The panel's session over the store's Inbox. */
function inboxSession(store: AccountStore, post: (message: ListHostMessage) => void): ListSession {
  return new ListSession(() => 'Inbox', layoutFrom(undefined, false), { unified: false, sent: false }, {
    post,
    load: async () => folderMessages(store, 'inbox', 'a', 'alice@example.org'),
    show: async () => undefined,
    act: async () => undefined,
    pageMessage: () => undefined,
    saveLayout: () => undefined,
    report: (err) => console.error(err),
  });
}

async function serve(root: string): Promise<void> {
  const store = await AccountStore.open(root);
  const session = inboxSession(store, (message) => process.send!(message));
  process.on('message', (message: ListWebviewMessage) => void session.onMessage(message));
  process.on('disconnect', () => void store.close().then(() => process.exit(0)));
  process.send!({ type: 'host-open' });
}

/** A full collection, then until V8 has handed the freed pages back: RSS steady for 3 polls 50 ms apart (at most 3 s). */
async function settle(rss: () => number): Promise<void> {
  global.gc!();
  const deadline = performance.now() + 3000;
  for (let last = rss(), steady = 0; steady < 3 && performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = rss();
    steady = Math.abs(now - last) < 0.5 ? steady + 1 : 0;
    last = now;
  }
}

async function main(root: string, settled: boolean): Promise<void> {
  const rss = () => process.memoryUsage().rss / 1024 / 1024;
  /** Memory still held after a full collection: what the list keeps, not garbage not yet collected. */
  const held = () => {
    global.gc!();
    return process.memoryUsage().heapUsed / 1024 / 1024;
  };
  let store: AccountStore | undefined;
  const open = await timed(async () => (store = await AccountStore.open(root)));
  // The store is open before any list is (the Mail view shows its counts): the list's memory counts
  // from here. With `settled`, from the host once the garbage of that open (the index file's text,
  // tens of MB) is collected, as it is when other work has run between: left in the heap, it makes
  // V8 grow the heap in larger steps and when it is collected is chance. Both are printed.
  if (settled) await settle(rss);
  const before = rss();
  let session = inboxSession(store!, () => undefined);
  const rows = (id: number) => session.onMessage({ type: 'getRows', requestId: id, start: 0, end: 50 });
  const first = await timed(async () => {
    await session.onMessage({ type: 'ready' });
    await rows(1);
  });
  // Typed the moment the list shows, before its texts are folded (they fold in the background).
  const typedAtOnce = await timed(() => session.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text: 'm' } }).then(() => rows(3)));
  await session.onMessage({ type: 'setFilter', filter: NO_FILTER });
  const sort: Record<string, Timing> = {};
  for (const column of ALL_COLUMNS) sort[column] = await timed(() => session.onMessage({ type: 'setSort', sort: { column, descending: false } }).then(() => rows(2)));
  await session.onMessage({ type: 'setSort', sort: { column: 'date', descending: true } });
  await session.settled();
  const keystrokes: Timing[] = [];
  for (const text of ['m', 'mu', 'mun', 'munc', 'munch', 'munche', 'munchen', 'munchen r']) {
    keystrokes.push(await timed(() => session.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text } }).then(() => rows(3))));
  }
  await session.onMessage({ type: 'setFilter', filter: NO_FILTER });
  const thread = await timed(() => session.onMessage({ type: 'setThreaded', threaded: true }).then(() => rows(4)));
  const reload = await timed(() => session.reload().then(() => rows(5)));
  const rssMB = rss();
  const rssGrowthMB = rssMB - before;
  // What the list itself holds: the heap after a full collection with it, less without it.
  const messages = session.model.total;
  await session.settled(); // background folding let go of it too
  const withList = held();
  session = undefined as unknown as ListSession;
  const heldMB = withList - held();
  const all = [first, typedAtOnce, ...Object.values(sort), ...keystrokes, thread, reload];
  await store!.close();
  console.log(JSON.stringify({ messages, open, first, typedAtOnce, sort, keystrokes, thread, reload, rssMB, rssGrowthMB, heldMB, longestBlockMs: Math.max(...all.map((t) => t.blockedMs)) }));
}

/** One open of the store, timed, then closed (saving what the open found out, as a window does). */
async function openOnce(root: string): Promise<void> {
  const start = performance.now();
  const store = await AccountStore.open(root);
  const ms = performance.now() - start;
  await store.close();
  console.log(JSON.stringify({ ms }));
}

const [root, mode] = process.argv.slice(2);
(mode === 'serve' ? serve(root) : mode === 'open' ? openOnce(root) : main(root, mode === 'settled')).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
