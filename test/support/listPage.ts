/// <reference lib="dom" />
/**
 * The message list webview as the browser tier serves it: the page and CSP from src/list/html.ts,
 * the script dist/list.js, and on the other end of its channel the real host side, a ListSession
 * (src/list/listSession.ts) over a given mailbox, run here in Node. What the session hands its
 * delegate (messages shown, actions) is recorded for the tests to check.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { listHtml } from '../../src/list/html';
import type { ListMessage } from '../../src/list/listModel';
import { layoutFrom, ListSession, type ListDelegate, type ListLayout, type MessageRef } from '../../src/list/listSession';
import type { ListAction, ListHostMessage, ListWebviewMessage } from '../../src/shared/listProtocol';
import { THEMES } from './browser';
import { ROOT } from './readerPage';

const NONCE = 'bGlzdC1ub25jZS0xMjM0';

/**
 * The list page's server. `toPage` on it sends host messages down one open response (Server-Sent
 * Events) that the page posts to itself, as VS Code's webview.postMessage does: the benchmark's
 * channel, for Playwright's evaluate per message compiled code in the page at each (a quarter of
 * what the page allocated while scrolling) where VS Code's channel compiles nothing. The tests use
 * the module's toPage, which needs no page option.
 */
export async function startListServer(): Promise<{ origin: string; close(): void; toPage(message: ListHostMessage): void }> {
  let events: http.ServerResponse | undefined;
  const waiting: string[] = [];
  const files: Record<string, [string, string]> = {
    '/list.js': [join(ROOT, 'dist', 'list.js'), 'text/javascript'],
    '/codicons/codicon.css': [join(ROOT, 'dist', 'codicons', 'codicon.css'), 'text/css'],
    '/codicons/codicon.ttf': [join(ROOT, 'dist', 'codicons', 'codicon.ttf'), 'font/ttf'],
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/host-events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      events = res;
      for (const data of waiting.splice(0)) res.write(data);
      return;
    }
    const file = files[url.pathname];
    if (file) {
      res.writeHead(200, { 'content-type': file[1] });
      return res.end(readFileSync(file[0]));
    }
    const theme = THEMES[(url.searchParams.get('theme') ?? 'light') as keyof typeof THEMES];
    // What VS Code does around a webview: theme variables on <html>, acquireVsCodeApi defined.
    const sse = url.searchParams.has('events');
    const harness =
      `<script nonce="${NONCE}">window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__toHost(m),getState:()=>undefined,setState:()=>undefined});` +
      (sse ? `new EventSource('/host-events').onmessage=(e)=>window.postMessage(JSON.parse(e.data),'*');` : '') +
      '</script>';
    let html = listHtml({ cspSource: `http://${req.headers.host}`, scriptUri: '/list.js', codiconsUri: '/codicons/codicon.css', nonce: NONCE })
      .replace('<html lang="en">', `<html lang="en" style="${Object.entries(theme).map(([k, v]) => `${k}:${v}`).join(';')}">`)
      .replace('<body>', `<body class="vscode-${url.searchParams.get('theme') ?? 'light'}">`)
      .replace('<script nonce', `${harness}<script nonce`);
    if (sse) html = html.replace("default-src 'none'", `default-src 'none'; connect-src http://${req.headers.host}`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      events?.end();
      server.close();
    },
    toPage: (message) => {
      const data = `data: ${JSON.stringify(message)}\n\n`;
      if (events) events.write(data);
      else waiting.push(data);
    },
  };
}

export interface ListHarness {
  session: ListSession;
  messages: ListMessage[];
  shown: Array<{ ref: MessageRef; preview: boolean }>;
  actions: Array<{ action: ListAction; refs: MessageRef[] }>;
  layouts: ListLayout[];
  paged: number;
  /** Every message the webview sent, in order. */
  received: ListWebviewMessage[];
}

/**
 * Opens the list page with a ListSession over `messages` behind it. `onAction` stands in for the
 * store: it may change `harness.messages` (the session reloads after it, as the panel does on a
 * store change).
 */
export async function openList(page: Page, origin: string, messages: ListMessage[], options: { theme?: string; unified?: boolean; layout?: Partial<ListLayout>; onAction?: (h: ListHarness, action: ListAction, refs: MessageRef[]) => void; wordHits?: ListDelegate['wordHits'] } = {}): Promise<ListHarness> {
  const harness = { messages, shown: [], actions: [], layouts: [], paged: 0, received: [] } as unknown as ListHarness;
  harness.session = new ListSession(() => 'Inbox — me@example.org', layoutFrom(options.layout, !!options.unified), { unified: !!options.unified, sent: false }, {
    post: toPage(page),
    load: async () => harness.messages,
    show: async (ref, preview) => void harness.shown.push({ ref, preview }),
    act: async (action, refs) => {
      harness.actions.push({ action, refs });
      options.onAction?.(harness, action, refs);
      void harness.session.reload(); // as a store change does: queued behind this message
    },
    pageMessage: () => void harness.paged++,
    saveLayout: (layout) => void harness.layouts.push(layout),
    report: (err) => {
      throw err;
    },
    wordHits: options.wordHits,
  });
  await loadListPage(page, origin, (message) => {
    harness.received.push(message);
    void harness.session.onMessage(message);
  }, options.theme);
  await page.waitForSelector('#spacer .row[data-key]');
  return harness;
}

/** Posts a host message to the list page, as VS Code's webview.postMessage does. */
export const toPage = (page: Page) => (message: ListHostMessage) => void page.evaluate((m) => window.postMessage(m, '*'), message).catch(() => undefined);

/**
 * Loads the list page with `toHost` receiving what the webview posts (openList puts a ListSession
 * behind it in this process; the benchmark puts one in a process of its own).
 */
export async function loadListPage(page: Page, origin: string, toHost: (message: ListWebviewMessage) => void, theme = 'light', events = false): Promise<void> {
  await page.exposeBinding('__toHost', (_source, message: ListWebviewMessage) => toHost(message));
  await page.goto(`${origin}/?theme=${theme}${events ? '&events' : ''}`);
}

/**
 * Rows drawn for the list's current state: after a change the webview draws placeholders at once
 * and the rows when the host's answer arrives; reading in between would see none.
 */
const rowsArrived = (page: Page) => page.waitForFunction(() => !document.querySelector('#spacer .row.loading'));

/** The keys of the rows drawn, top to bottom. */
export async function drawnKeys(page: Page): Promise<string[]> {
  await rowsArrived(page);
  return page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#spacer .row[data-key]')].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((r) => r.dataset.key!));
}

export async function selectedKeys(page: Page): Promise<string[]> {
  await rowsArrived(page);
  return page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#spacer .row[aria-selected="true"]')].map((r) => r.dataset.key!));
}

/** Waits until `check` holds, polling the page (rows arrive asynchronously from the host). */
export async function until(page: Page, what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await page.waitForTimeout(20);
  }
}

/** Waits until the rows drawn are `expected` (the host answers asynchronously), then checks them. */
export async function expectKeys(page: Page, expected: string[], timeout = 10_000): Promise<void> {
  await page
    .waitForFunction((want) => JSON.stringify([...document.querySelectorAll<HTMLElement>('#spacer .row[data-key]')].sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index)).map((r) => r.dataset.key)) === want, JSON.stringify(expected), { timeout })
    .catch(() => undefined); // the assertion below says what was drawn instead
  assert.deepEqual(await drawnKeys(page), expected);
}
