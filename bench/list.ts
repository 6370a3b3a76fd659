/**
 * The message list at 100,000 messages (part of `npm run bench`). The extension host's side runs
 * as the panel runs it, in a process of its own (bench/listHost.ts): a real account store of
 * 100,000 message files opened from its index on disk, its Inbox handed to a ListSession, then
 * first rows, a sort by each column, filter keystrokes, threading and a reload, with the time the
 * event loop was blocked and the process's memory for the list. In Chromium (the real list page
 * and bundle, with the same store and session behind it in a process of its own, as the extension
 * host is): first rows painted, frames while scrolling top to bottom, the page's heap and DOM rows.
 * No assertions: figures for the issue's targets.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountStore } from '../src/store/accountStore';
import { launchChromium } from '../test/support/browser';
import { loadListPage, startListServer } from '../test/support/listPage';
import { ALL_COLUMNS, type ListHostMessage } from '../src/shared/listProtocol';
import { corpus, writeMaildir } from './listCorpus';

const ROOT = join(__dirname, '..', '..');
const COUNT = Number(process.env.LIST_BENCH_COUNT ?? 100_000);

type Timing = { ms: number; blockedMs: number };
interface HostFigures {
  messages: number;
  open: Timing;
  first: Timing;
  typedAtOnce: Timing;
  sort: Record<string, Timing>;
  keystrokes: Timing[];
  thread: Timing;
  reload: Timing;
  /** The host's RSS with the list open, and its growth from the store's open. */
  rssMB: number;
  rssGrowthMB: number;
  heldMB: number;
  longestBlockMs: number;
}

/** The store path in a process of its own, the index on disk (built by the caller). */
function hostSide(root: string, settled: boolean): HostFigures {
  const run = spawnSync(process.execPath, ['--expose-gc', join(__dirname, 'listHost.js'), root, ...(settled ? ['settled'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`listHost failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as HostFigures;
}

/**
 * Opens of the store, each in a fresh process as a window's first, closed as a window closes: with
 * cur/ changed since the index was saved (its mtime set to another moment in the past, as when a
 * message was read in the last session: cur/ is listed), then of the unchanged store (the rows stand
 * for the listings). Each list of times sorted.
 */
function opens(root: string, runs: number): { changedMs: number[]; unchangedMs: number[] } {
  const once = () => {
    const run = spawnSync(process.execPath, [join(__dirname, 'listHost.js'), root, 'open'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`listHost failed: ${run.stderr}`);
    return (JSON.parse(run.stdout) as { ms: number }).ms;
  };
  const changedMs = Array.from({ length: runs }, (_, k) => {
    const past = new Date(Date.now() - 60_000 - k * 1000);
    utimesSync(join(root, 'Maildir', 'cur'), past, past);
    return once();
  });
  once(); // records the listing of cur/ as it now is
  const unchangedMs = Array.from({ length: runs }, once);
  return { changedMs: changedMs.sort((a, b) => a - b), unchangedMs: unchangedMs.sort((a, b) => a - b) };
}

/** A list host over the store in a process of its own, bridged to the page's channel. */
async function servedHost(root: string, post: (message: ListHostMessage) => void): Promise<ChildProcess> {
  const host = fork(join(__dirname, 'listHost.js'), [root, 'serve']);
  await new Promise<void>((resolve, reject) => {
    host.once('error', reject);
    host.on('message', (message: ListHostMessage | { type: 'host-open' }) => (message.type === 'host-open' ? resolve() : post(message)));
  });
  return host;
}

async function browserSide(root: string) {
  const server = await startListServer();
  const browser = await launchChromium();
  let host: ChildProcess | undefined;
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    host = await servedHost(root, server.toPage);
    await loadListPage(page, server.origin, (message) => host!.send(message), 'light', true);
    await page.waitForFunction(() => performance.getEntriesByName('mail-list-first-rows').length > 0);
    const firstPaintMs = await page.evaluate(() => performance.getEntriesByName('mail-list-first-rows')[0].startTime - performance.getEntriesByName('mail-list-ready')[0].startTime);
    // Scroll top to bottom a viewport at a time, recording the longest frame.
    const scroll = await page.evaluate(async () => {
      const scroller = document.getElementById('scroller')!;
      const frames: number[] = [];
      let last = performance.now();
      let maxRows = 0;
      while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 2) {
        scroller.scrollTop += scroller.clientHeight;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        frames.push(now - last);
        last = now;
        maxRows = Math.max(maxRows, document.querySelectorAll('#spacer .row').length);
      }
      frames.sort((a, b) => a - b);
      return { longest: frames.at(-1)!, p99: frames[Math.floor(frames.length * 0.99)], over50: frames.filter((ms) => ms > 50).length, maxRows, steps: frames.length };
    });
    const client = await page.context().newCDPSession(page);
    await client.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await client.send('Runtime.getHeapUsage')) as { usedSize: number };
    return { firstPaintMs, longestFrameMs: scroll.longest, p99FrameMs: scroll.p99, framesOver50: scroll.over50, scrollSteps: scroll.steps, maxDomRows: scroll.maxRows, heapMB: usedSize / 1024 / 1024 };
  } finally {
    host?.disconnect();
    await browser.close();
    server.close();
  }
}

async function main(): Promise<void> {
  console.log(`\nmessage list, ${COUNT.toLocaleString('en-US')} messages (40 % replies):`);
  const root = mkdtempSync(join(tmpdir(), 'mail-panel-list-bench-'));
  let host: HostFigures;
  let unsettledGrowthMB: number;
  let page: Awaited<ReturnType<typeof browserSide>>;
  let indexBuildMs: number;
  let open: ReturnType<typeof opens>;
  try {
    writeMaildir(root, corpus(COUNT));
    const start = performance.now();
    await (await AccountStore.open(root)).close(); // reads every file once and saves the index
    indexBuildMs = performance.now() - start;
    spawnSync('sync'); // the 100,000 files just written are flushed first: the opens are timed, not the kernel's writeback
    open = opens(root, 5);
    host = hostSide(root, true);
    unsettledGrowthMB = hostSide(root, false).rssGrowthMB;
    page = await browserSide(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const f = (n: number) => n.toFixed(0);
  const signed = (n: number) => `${n >= 0 ? '+' : ''}${f(n)}`;
  const keys = host.keystrokes.map((k) => k.ms).sort((a, b) => a - b);
  const spread = (ms: number[]) => `${f(ms[Math.floor(ms.length / 2)])} ms (median of ${ms.length}, ${f(ms[0])}-${f(ms.at(-1)!)})`;
  console.log(`  host: store of ${host.messages.toLocaleString('en-US')} opened from its index in ${spread(open.unchangedMs)} unchanged, ${spread(open.changedMs)} with cur/ changed since the index was saved (listed); index built from the files in ${f(indexBuildMs)} ms`);
  console.log(`  host: first state + 50 rows ${f(host.first.ms)} ms; threading ${f(host.thread.ms)} ms; reload ${f(host.reload.ms)} ms; RSS ${f(host.rssMB)} MB with the list open, ${signed(host.rssGrowthMB)} MB from a host whose store's opening garbage was collected (${signed(unsettledGrowthMB)} MB when it was not yet: the list's work grows the heap or has that garbage collected, by chance; held after a full collection: +${f(host.heldMB)} MB of heap)`);
  console.log(`  host: sort ${ALL_COLUMNS.map((c) => `${c} ${f(host.sort[c].ms)}`).join(', ')} ms`);
  console.log(`  host: filter keystroke median ${f(keys[Math.floor(keys.length / 2)])} ms, slowest ${f(keys.at(-1)!)} ms; typed the moment the list shows, before its texts are folded: ${f(host.typedAtOnce.ms)} ms`);
  console.log(`  host: longest time the event loop was blocked during all of the above: ${f(host.longestBlockMs)} ms`);
  console.log(`  Chromium: first rows painted ${f(page.firstPaintMs)} ms after the page said ready (the host's work and a round trip through the test's bridge); scrolling ${page.scrollSteps} pages a frame at a time: longest frame ${f(page.longestFrameMs)} ms, 99th percentile ${f(page.p99FrameMs)} ms, ${page.framesOver50} frames over 50 ms; DOM rows at most ${page.maxDomRows}; heap ${f(page.heapMB)} MB`);
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'list-results.json'), `${JSON.stringify({ date: new Date().toISOString(), count: COUNT, indexBuildMs, open, host, unsettledGrowthMB, page }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
