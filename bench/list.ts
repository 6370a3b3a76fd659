/**
 * The message list at 100,000 messages (part of `npm run bench`): what the extension host spends
 * on each step (ListSession over a MessageList: first state and rows, sort by each column, a
 * filter keystroke, threading), the host's memory for it, and in Chromium (the real list page
 * and bundle, the same session behind it): first rows painted, frames while scrolling top to
 * bottom, the page's heap and DOM rows. No assertions: figures for the issue's targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ListMessage } from '../src/list/listModel';
import { layoutFrom, ListSession } from '../src/list/listSession';
import { ALL_COLUMNS, NO_FILTER } from '../src/shared/listProtocol';
import { launchChromium } from '../test/support/browser';
import { openList, startListServer } from '../test/support/listPage';
import { listMessage } from '../test/support/listMessages';
import { rng } from '../test/support/mailcheck';

const ROOT = join(__dirname, '..', '..');
const COUNT = Number(process.env.LIST_BENCH_COUNT ?? 100_000);
const NAMES = ['Renée Dupont', 'Zoë Ünal', 'Jürgen Groß', 'Ana Núñez', 'Li Wei', 'محمد علي', 'Olga Петрова', 'Sam Smith', 'Ève Lefèvre', 'Bob Jones'];
const WORDS = 'release plan budget lunch meeting report München café review draft invoice travel build failure weekly notes'.split(' ');

/** Realistic threads: 40 % of messages answer a recent one (References chain kept), some with Re: only. */
function corpus(count: number): ListMessage[] {
  const random = rng(7);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const messages: ListMessage[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(NAMES);
    const base: Partial<ListMessage> = {
      from: `${name} <user${i % 500}@example.org>`,
      subject: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`,
      snippet: Array.from({ length: 20 }, () => pick(WORDS)).join(' '),
      date: Date.UTC(2020, 0, 1) + i * 60_000 * 30 + Math.floor(random() * 60_000),
      size: Math.floor(Math.exp(Math.log(20_000) + random() * 2 - 1)),
      seen: random() < 0.8,
      hasAttachments: random() < 0.15,
    };
    if (i > 10 && random() < 0.4) {
      const parent = messages[i - 1 - Math.floor(random() * Math.min(i - 1, 2000))];
      base.subject = `Re: ${parent.subject.replace(/^Re: /, '')}`;
      if (random() < 0.9) {
        base.inReplyTo = parent.messageId;
        base.references = [...parent.references, parent.messageId].slice(-20);
      }
    }
    messages.push(listMessage(i, base));
  }
  return messages;
}

/** Wall time of an async step, and the longest the event loop was blocked meanwhile. */
async function timed(work: () => Promise<unknown>): Promise<{ ms: number; blockedMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  delay.disable();
  return { ms, blockedMs: delay.max / 1e6 };
}

async function hostSide(messages: ListMessage[]) {
  const before = process.memoryUsage().rss;
  const session = new ListSession(() => 'Inbox', layoutFrom(undefined, false), { unified: false, sent: false }, {
    post: () => undefined,
    load: async () => messages,
    show: async () => undefined,
    act: async () => undefined,
    pageMessage: () => undefined,
    saveLayout: () => undefined,
    report: (err) => console.error(err),
  });
  const rows = (id: number) => session.onMessage({ type: 'getRows', requestId: id, start: 0, end: 50 });
  const first = await timed(async () => {
    await session.onMessage({ type: 'ready' });
    await rows(1);
  });
  const sort: Record<string, { ms: number; blockedMs: number }> = {};
  for (const column of ALL_COLUMNS) sort[column] = await timed(() => session.onMessage({ type: 'setSort', sort: { column, descending: false } }).then(() => rows(2)));
  await session.onMessage({ type: 'setSort', sort: { column: 'date', descending: true } });
  const keystrokes: Array<{ ms: number; blockedMs: number }> = [];
  for (const text of ['m', 'mu', 'mun', 'munc', 'munch', 'munche', 'munchen', 'munchen r']) {
    keystrokes.push(await timed(() => session.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text } }).then(() => rows(3))));
  }
  await session.onMessage({ type: 'setFilter', filter: NO_FILTER });
  const thread = await timed(() => session.onMessage({ type: 'setThreaded', threaded: true }).then(() => rows(4)));
  const rssGrowthMB = (process.memoryUsage().rss - before) / 1024 / 1024;
  const all = [first, ...Object.values(sort), ...keystrokes, thread];
  return { first, sort, keystrokes, thread, rssGrowthMB, longestBlockMs: Math.max(...all.map((t) => t.blockedMs)) };
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
  console.log(`  host: first state + 50 rows ${f(host.first.ms)} ms; threading ${f(host.thread.ms)} ms; RSS +${f(host.rssGrowthMB)} MB`);
  console.log(`  host: sort ${ALL_COLUMNS.map((c) => `${c} ${f(host.sort[c].ms)}`).join(', ')} ms`);
  console.log(`  host: filter keystroke median ${f(keys[Math.floor(keys.length / 2)])} ms, slowest ${f(keys.at(-1)!)} ms (the first folds every message: ${f(host.keystrokes[0].ms)} ms)`);
  console.log(`  host: longest time the event loop was blocked during all of the above: ${f(host.longestBlockMs)} ms`);
  console.log(`  Chromium: first rows painted ${f(page.firstPaintMs)} ms after the page said ready (the host's work and two round trips); scrolling ${page.scrollSteps} pages, longest frame ${f(page.longestFrameMs)} ms; DOM rows at most ${page.maxDomRows}; heap ${f(page.heapMB)} MB`);
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'list-results.json'), `${JSON.stringify({ date: new Date().toISOString(), count: COUNT, host, page }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
