/**
 * The message list at 100,000 messages (part of `npm run bench`). The extension host's side runs
 * as the panel runs it, in a process of its own (bench/listHost.ts): a real account store of
 * 100,000 message files opened from its index on disk, its Inbox handed to a ListSession, then
 * first rows, a sort by each column, filter keystrokes, threading and a reload, with the time the
 * event loop was blocked and the process's memory for the list. In Chromium (the real list page
 * and bundle, the same session behind it): first rows painted, frames while scrolling top to
 * bottom, the page's heap and DOM rows. No assertions: figures for the issue's targets.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListMessage } from '../src/list/listModel';
import { AccountStore } from '../src/store/accountStore';
import { launchChromium } from '../test/support/browser';
import { openList, startListServer } from '../test/support/listPage';
import { ALL_COLUMNS } from '../src/shared/listProtocol';
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
  rssGrowthMB: number;
  longestBlockMs: number;
}

/** The store path in a process of its own: index built here first, then opened there from disk. */
async function hostSide(messages: ListMessage[]): Promise<HostFigures & { indexBuildMs: number }> {
  const root = mkdtempSync(join(tmpdir(), 'mail-panel-list-bench-'));
  try {
    writeMaildir(root, messages);
    const start = performance.now();
    await (await AccountStore.open(root)).close(); // reads every file once and saves the index
    const indexBuildMs = performance.now() - start;
    const run = spawnSync(process.execPath, [join(__dirname, 'listHost.js'), root], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`listHost failed: ${run.stderr}`);
    return { ...(JSON.parse(run.stdout) as HostFigures), indexBuildMs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function browserSide(messages: ListMessage[]) {
  const server = await startListServer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await openList(page, server.origin, messages);
    await page.waitForFunction(() => performance.getEntriesByName('mail-list-first-rows').length > 0);
    const firstPaintMs = await page.evaluate(() => performance.getEntriesByName('mail-list-first-rows')[0].startTime - performance.getEntriesByName('mail-list-ready')[0].startTime);
    // Scroll top to bottom a viewport at a time, recording the longest frame.
    const scroll = await page.evaluate(async () => {
      const scroller = document.getElementById('scroller')!;
      let longest = 0;
      let last = performance.now();
      let maxRows = 0;
      while (scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 2) {
        scroller.scrollTop += scroller.clientHeight;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        maxRows = Math.max(maxRows, document.querySelectorAll('#spacer .row').length);
      }
      return { longest, maxRows, steps: Math.round(scroller.scrollHeight / scroller.clientHeight) };
    });
    const client = await page.context().newCDPSession(page);
    await client.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await client.send('Runtime.getHeapUsage')) as { usedSize: number };
    return { firstPaintMs, longestFrameMs: scroll.longest, scrollSteps: scroll.steps, maxDomRows: scroll.maxRows, heapMB: usedSize / 1024 / 1024 };
  } finally {
    await browser.close();
    server.close();
  }
}

async function main(): Promise<void> {
  console.log(`\nmessage list, ${COUNT.toLocaleString('en-US')} messages (40 % replies):`);
  const messages = corpus(COUNT);
  const host = await hostSide(messages);
  const page = await browserSide(messages);
  const f = (n: number) => n.toFixed(0);
  const keys = host.keystrokes.map((k) => k.ms).sort((a, b) => a - b);
  console.log(`  host: store of ${host.messages.toLocaleString('en-US')} opened from its index in ${f(host.open.ms)} ms (index built from the files in ${f(host.indexBuildMs)} ms)`);
  console.log(`  host: first state + 50 rows ${f(host.first.ms)} ms; threading ${f(host.thread.ms)} ms; reload ${f(host.reload.ms)} ms; RSS +${f(host.rssGrowthMB)} MB with the list open`);
  console.log(`  host: sort ${ALL_COLUMNS.map((c) => `${c} ${f(host.sort[c].ms)}`).join(', ')} ms`);
  console.log(`  host: filter keystroke median ${f(keys[Math.floor(keys.length / 2)])} ms, slowest ${f(keys.at(-1)!)} ms; typed the moment the list shows, before its texts are folded: ${f(host.typedAtOnce.ms)} ms`);
  console.log(`  host: longest time the event loop was blocked during all of the above: ${f(host.longestBlockMs)} ms`);
  console.log(`  Chromium: first rows painted ${f(page.firstPaintMs)} ms after the page said ready (the host's work and two round trips); scrolling ${page.scrollSteps} pages, longest frame ${f(page.longestFrameMs)} ms; DOM rows at most ${page.maxDomRows}; heap ${f(page.heapMB)} MB`);
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'list-results.json'), `${JSON.stringify({ date: new Date().toISOString(), count: COUNT, host, page }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
