/// <reference lib="dom" />
/**
 * The reader webview as the browser tier serves it: the page and CSP from src/reader/html.ts, the
 * script dist/reader.js, a harness standing in for VS Code's acquireVsCodeApi that records what
 * the page posts, and a "remote" server that counts every request made to it.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { readerHtml } from '../../src/reader/html';
import { buildMessageView } from '../../src/reader/viewModel';
import type { MessageView, WebviewMessage } from '../../src/shared/readerProtocol';
import { THEMES } from './browser';

export const ROOT = join(__dirname, '..', '..', '..');
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

export interface Servers {
  /** What `/raw` serves inside the reader's CSP, with no sanitizer at all. */
  raw: string;
  page: http.Server;
  remote: http.Server;
  pageOrigin: string;
  remoteOrigin: string;
  remoteHits: string[];
  close(): void;
}

async function listen(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * Each wall alone: `/raw` serves `servers.raw` as it is under the reader's CSP (a sanitizer that
 * lets everything through); `/bare` serves a page without any CSP that loads the sanitizer alone
 * (`window.MailSanitize`, bundled from webview/reader/sanitize.ts).
 */
export async function startServers(): Promise<Servers> {
  const remoteHits: string[] = [];
  const remote = await listen((req, res) => {
    remoteHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': req.url?.endsWith('.css') ? 'text/css' : 'image/png', 'access-control-allow-origin': '*' });
    res.end(req.url?.endsWith('.css') ? 'body{}' : PNG);
  });
  // Under `npm run mutate -- --sanitizer` the page's code is the mutated build: it learns which
  // mutant is on from the page, as code in Node learns it from the environment.
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  const withMutant = (js: Uint8Array) => (mutant ? Buffer.concat([Buffer.from(`globalThis.__stryker__={activeMutant:${JSON.stringify(mutant)}};\n`), js]) : js);
  const webviewJs = withMutant(readFileSync(join(ROOT, 'dist', 'reader.js')));
  const { buildSync } = await import('esbuild');
  const sanitizeJs = withMutant(buildSync({ entryPoints: [join(ROOT, 'webview', 'reader', 'sanitize.ts')], bundle: true, format: 'iife', globalName: 'MailSanitize', write: false }).outputFiles[0].contents);
  const servers = {} as Servers;
  const page = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const script = (body: Uint8Array) => (res.writeHead(200, { 'content-type': 'text/javascript' }), res.end(body));
    if (url.pathname === '/reader.js') return script(webviewJs);
    if (url.pathname === '/sanitize.js') return script(sanitizeJs);
    if (url.pathname === '/bare') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!DOCTYPE html><html><head><script src="/sanitize.js"></script></head><body><div id="out"></div></body></html>');
    }
    if (url.pathname === '/raw') {
      const policy = /<meta http-equiv="Content-Security-Policy"[^>]*>/.exec(readerHtml({ cspSource: `http://${req.headers.host}`, scriptUri: '/none.js', remoteAllowed: false, nonce: NONCE }))![0];
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!DOCTYPE html><html><head>${policy}<script nonce="${NONCE}">window.__xss=0</script></head><body>${servers.raw}</body></html>`);
    }
    const theme = THEMES[(url.searchParams.get('theme') ?? 'light') as keyof typeof THEMES];
    const origin = `http://${req.headers.host}`;
    // What VS Code does around a webview: theme variables on <html>, acquireVsCodeApi defined.
    const harness = `<script nonce="${NONCE}">window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(m),getState:()=>window.__state,setState:(s)=>{window.__state=s;}});</script>`;
    const html = readerHtml({ cspSource: origin, scriptUri: '/reader.js', remoteAllowed: url.searchParams.get('remote') === '1', nonce: NONCE })
      .replace('<html lang="en">', `<html lang="en" style="${Object.entries(theme).map(([k, v]) => `${k}:${v}`).join(';')}">`)
      .replace('<script nonce', `${harness}<script nonce`);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return Object.assign(servers, {
    raw: '',
    page,
    remote,
    pageOrigin: `http://127.0.0.1:${(page.address() as AddressInfo).port}`,
    remoteOrigin: `http://127.0.0.1:${(remote.address() as AddressInfo).port}`,
    remoteHits,
    close() {
      page.close();
      remote.close();
    },
  });
}

export function mime(headers: string[], body: string): Buffer {
  return Buffer.from([...headers, '', body].join('\r\n'));
}

export async function view(raw: Buffer): Promise<MessageView> {
  return (await buildMessageView('test-id', raw, false)).view;
}

export const htmlMail = (html: string) => view(mime(['Subject: test', 'From: Real Sender <real@example.org>', 'Content-Type: text/html; charset=utf-8'], html));

export interface PageOptions {
  remote?: boolean;
  theme?: string;
}

/** Loads the panel page (once per set of options) and waits for its "ready". */
export async function openPanel(page: Page, servers: Servers, options: PageOptions = {}): Promise<void> {
  const query = `remote=${options.remote ? 1 : 0}&theme=${options.theme ?? 'light'}`;
  await page.goto(`${servers.pageOrigin}/?${query}`);
  await page.waitForFunction(() => (window as unknown as { __posted: WebviewMessage[] }).__posted.some((m) => m.type === 'ready'));
}

/** Sends a message to the open panel as the host does, and waits for it to be drawn. */
export async function showMessage(page: Page, message: MessageView, remoteAllowed = false): Promise<void> {
  await page.evaluate(() => document.getElementById('subject')?.remove());
  const ref = { accountId: 'account-1', messageId: message.id };
  await page.evaluate(([m, r, f]) => window.postMessage({ type: 'show', message: m, remoteAllowed: r, ref: f }, '*'), [message, remoteAllowed, ref] as const);
  await page.waitForSelector('#subject');
}

export async function show(page: Page, servers: Servers, message: MessageView, options: PageOptions = {}): Promise<void> {
  await openPanel(page, servers, options);
  await showMessage(page, message, !!options.remote);
}

export const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: WebviewMessage[] }).__posted);

/** The HTML body's frame (sandboxed, same origin: the page reaches into it as the panel does). */
export const mailBody = (page: Page) => page.frameLocator('#mail-frame');

/** A global of the mail frame's window (where a script that escaped the sanitizer would write). */
export const frameGlobal = (page: Page, name: string) =>
  page.evaluate((n) => ((document.getElementById('mail-frame') as HTMLIFrameElement | null)?.contentWindow as unknown as Record<string, unknown> | null)?.[n], name);
