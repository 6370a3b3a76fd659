/**
 * The message list at 100,000 messages (part of `npm run bench`): what the extension host spends
 * on each step (ListSession over a MessageList: first state and rows, sort by each column, a
 * filter keystroke, threading), the host's memory for it, and in Chromium (the real list page
 * and bundle, the same session behind it): first rows painted, frames while scrolling top to
 * bottom, the page's heap and DOM rows. No assertions: figures for the issue's targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ListMessage } from '../src/list/listModel';
import { layoutFrom, ListSession } from '../src/list/listSession';
import { ALL_COLUMNS, NO_FILTER, type ListHostMessage } from '../src/shared/listProtocol';
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

function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

async function hostSide(messages: ListMessage[]) {
  const before = process.memoryUsage().rss;
  const posted: ListHostMessage[] = [];
  const session = new ListSession(() => 'Inbox', layoutFrom(undefined, false), { unified: false, sent: false }, {
    post: (m) => void posted.push(m),
    load: async () => messages,
    show: async () => undefined,
    act: async () => undefined,
    pageMessage: () => undefined,
    saveLayout: () => undefined,
  });
  const start = performance.now();
  await session.onMessage({ type: 'ready' });
  await session.onMessage({ type: 'getRows', requestId: 1, start: 0, end: 50 });
  const firstRowsMs = performance.now() - start;
  const sortMs: Record<string, number> = {};
  for (const column of ALL_COLUMNS) {
    const [, ms] = timed(() => void session.onMessage({ type: 'setSort', sort: { column, descending: false } }));
    sortMs[column] = ms;
  }
  await session.onMessage({ type: 'setSort', sort: { column: 'date', descending: true } });
  const keystrokes: number[] = [];
  for (const text of ['m', 'mu', 'mun', 'munc', 'munch', 'munche', 'munchen', 'munchen r']) {
    const [, ms] = timed(() => {
      void session.onMessage({ type: 'setFilter', filter: { ...NO_FILTER, text } });
      void session.onMessage({ type: 'getRows', requestId: 2, start: 0, end: 50 });
    });
    keystrokes.push(ms);
  }
  await session.onMessage({ type: 'setFilter', filter: NO_FILTER });
  const [, threadMs] = timed(() => {
    void session.onMessage({ type: 'setThreaded', threaded: true });
    void session.onMessage({ type: 'getRows', requestId: 3, start: 0, end: 50 });
  });
  const rssGrowthMB = (process.memoryUsage().rss - before) / 1024 / 1024;
  return { firstRowsMs, sortMs, filterKeystrokeMs: { first: keystrokes[0], max: Math.max(...keystrokes), median: keystrokes.sort((a, b) => a - b)[4] }, threadMs, rssGrowthMB };
}

async function browserSide(messages: ListMessage[]) {
  const server = await startListServer();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const start = performance.now();
    await openList(page, server.origin, messages);
    const firstPaintMs = performance.now() - start;
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
  console.log(`  host: first state + 50 rows ${f(host.firstRowsMs)} ms; threading ${f(host.threadMs)} ms; RSS +${f(host.rssGrowthMB)} MB`);
  console.log(`  host: sort ${ALL_COLUMNS.map((c) => `${c} ${f(host.sortMs[c])}`).join(', ')} ms`);
  console.log(`  host: filter keystroke median ${f(host.filterKeystrokeMs.median)} ms, slowest ${f(host.filterKeystrokeMs.max)} ms (first, folding every message: ${f(host.filterKeystrokeMs.first)} ms)`);
  console.log(`  Chromium: first rows painted ${f(page.firstPaintMs)} ms after navigation; scrolling ${page.scrollSteps} pages, longest frame ${f(page.longestFrameMs)} ms; DOM rows at most ${page.maxDomRows}; heap ${f(page.heapMB)} MB`);
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'list-results.json'), `${JSON.stringify({ date: new Date().toISOString(), count: COUNT, host, page }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
