/// <reference lib="dom" />
/**
 * The reader webview in a real browser engine (Debian's Chromium): the page and its CSP come
 * from src/reader/html.ts, the message from the real view model, the script is dist/reader.js.
 * A harness stands in for VS Code's acquireVsCodeApi and records what the page posts.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { htmlMail, mailBody, mime, PNG, posted, ROOT, show, startServers, view, type Servers } from '../support/readerPage';
import { needTool } from '../support/tier';

const skip = needTool('chromium', CHROMIUM_BIN, CHROMIUM_INSTALL);
const ARTIFACTS = join(ROOT, 'test-artifacts');

describe('reader webview in Chromium', { skip }, () => {
  let browser: Browser;
  let servers: Servers;
  let page: Page;
  before(async () => {
    servers = await startServers();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    servers?.close();
  });

  test('remote images make no request until "Load remote content", then load', async () => {
    const html = [
      '<p>Newsletter</p>',
      `<img id="pic" src="${servers.remoteOrigin}/pixel.png" width="10" height="10">`,
      `<div style="background-image:url('${servers.remoteOrigin}/bg.png');width:10px;height:10px"></div>`,
      `<style>@import url("${servers.remoteOrigin}/style.css"); .x{background:url(${servers.remoteOrigin}/css-bg.png)}</style>`,
      `<img srcset="${servers.remoteOrigin}/srcset.png 1x">`,
      `<link rel="stylesheet" href="${servers.remoteOrigin}/link.css">`,
    ].join('\n');
    const message = await view(mime(['Subject: remote', 'Content-Type: text/html; charset=utf-8'], html));
    assert.equal(message.hasRemoteContent, true);
    servers.remoteHits.length = 0;
    await show(page, servers, message);
    await page.waitForTimeout(500);
    assert.deepEqual(servers.remoteHits, [], 'no request before the user asks');
    await page.screenshot({ path: join(ARTIFACTS, 'reader-remote-blocked.png') });
    await page.locator('#load-remote').click();
    assert.ok((await posted(page)).some((m) => m.type === 'loadRemote'));
    // The host answers by rebuilding the page with the remote-allowing policy and re-sending.
    await show(page, servers, message, { remote: true });
    await page.waitForFunction(() => {
      const img = (document.getElementById('mail-frame') as HTMLIFrameElement | null)?.contentDocument?.getElementById('pic') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    const hits: string[] = servers.remoteHits; // (deepEqual above narrowed the field's type to never[])
    assert.ok(hits.includes('/pixel.png'), `hits: ${hits.join(', ')}`);
    assert.equal(await page.locator('#remote-banner').count(), 0);
  });

  test('cid: inline images render from the message itself', async () => {
    const raw = mime(
      ['Subject: inline', 'MIME-Version: 1.0', 'Content-Type: multipart/related; boundary="rel"'],
      [
        '--rel',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Logo:</p><img id="logo" src="cid:logo@example" width="20" height="20">',
        '--rel',
        'Content-Type: image/png',
        'Content-ID: <logo@example>',
        'Content-Transfer-Encoding: base64',
        '',
        PNG.toString('base64'),
        '--rel--',
        '',
      ].join('\r\n'),
    );
    const message = await view(raw);
    assert.equal(message.attachments.length, 0, 'an inline image is not listed as an attachment');
    servers.remoteHits.length = 0;
    await show(page, servers, message);
    await page.waitForFunction(() => {
      const img = (document.getElementById('mail-frame') as HTMLIFrameElement | null)?.contentDocument?.getElementById('logo') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth === 1;
    });
    assert.deepEqual(servers.remoteHits, []);
  });

  test('plain text keeps its line breaks and its links are clickable through the host', async () => {
    const message = await view(mime(['Subject: text', 'From: Ann <ann@example.org>', 'Content-Type: text/plain; charset=utf-8'], 'Hello Bob,\r\n\r\nsee https://example.org/path?x=1.\r\nBye'));
    await show(page, servers, message);
    const text = await page.locator('#mail-text').innerText();
    assert.equal(text, 'Hello Bob,\n\nsee https://example.org/path?x=1.\nBye');
    await page.locator('#mail-text a').click();
    assert.ok((await posted(page)).some((m) => m.type === 'openLink' && m.url === 'https://example.org/path?x=1'));
    assert.equal(await page.locator('#from').innerText(), 'Ann <ann@example.org>');
    assert.equal(page.url().startsWith(servers.pageOrigin), true, 'the click did not navigate');
  });

  test('plain text: right-to-left paragraphs read right to left, quoted lines nest as quotes, links show their target', async () => {
    const body = ['مرحبا بكم في الاجتماع', '', 'On Monday Ann wrote:', '> First level', '> > Second level with https://example.org/deep', '> back to first', '', 'English reply.'].join('\r\n');
    await show(page, servers, await view(mime(['Subject: text', 'Content-Type: text/plain; charset=utf-8'], body)));
    const layout = await page.evaluate(() => {
      const paragraphs = [...document.querySelectorAll<HTMLElement>('#mail-text p')];
      const depth = (el: Element) => { let d = 0; for (let e = el.parentElement; e && e.id !== 'mail-text'; e = e.parentElement) if (e.matches('blockquote')) d++; return d; };
      return paragraphs.map((p) => [p.innerText, getComputedStyle(p).direction, depth(p)]);
    });
    assert.deepEqual(layout, [
      ['مرحبا بكم في الاجتماع', 'rtl', 0],
      ['On Monday Ann wrote:', 'ltr', 0],
      ['First level', 'ltr', 1],
      ['Second level with https://example.org/deep', 'ltr', 2],
      ['back to first', 'ltr', 1],
      ['English reply.', 'ltr', 0],
    ]);
    assert.equal(await page.locator('#mail-text blockquote a').getAttribute('title'), 'https://example.org/deep');
    await page.screenshot({ path: join(ARTIFACTS, 'reader-plain-text.png') });
  });

  test('a message that left the store says so and its actions are turned off', async () => {
    await show(page, servers, await htmlMail('<p>Soon gone</p>'));
    assert.equal(await page.locator('#reply').getAttribute('disabled'), null);
    await page.evaluate(() => window.postMessage({ type: 'gone' }, '*'));
    await page.waitForSelector('#gone-banner');
    assert.match(await page.locator('#gone-banner').innerText(), /no longer stored/);
    for (const id of ['#reply', '#open-source']) assert.equal(await page.locator(id).getAttribute('disabled'), '', `${id} is disabled`);
    const before = (await posted(page)).length;
    await page.locator('#reply').click({ force: true });
    assert.equal((await posted(page)).length, before, 'a disabled Reply posts nothing');
    assert.match(await mailBody(page).locator('body').innerText(), /Soon gone/, 'the view stays');
  });

  test('the reader keeps which message it shows in its webview state, for VS Code to bring it back after a reload', async () => {
    const message = await htmlMail('<p>Keep me</p>');
    await show(page, servers, message);
    assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), { ref: { accountId: 'account-1', messageId: message.id } });
  });

  test('HTML mail shows its text; attachments are listed with a Save action; screenshots in each theme', async () => {
    const raw = mime(
      ['Subject: Quarterly report', 'From: Renée Dupont <renee@example.org>', 'To: team@example.org', 'Date: Tue, 03 Nov 2026 10:00:00 +0100', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="mix"'],
      [
        '--mix',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<h2>Q3 figures</h2><p>Revenue is <b>up 12%</b>. Details in the <a href="https://example.org/report">online report</a>.</p>',
        '--mix',
        'Content-Type: application/pdf; name="report.pdf"',
        'Content-Disposition: attachment; filename="report.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.alloc(3000, 1).toString('base64'),
        '--mix',
        'Content-Type: application/octet-stream; name="setup.exe"',
        'Content-Disposition: attachment; filename="setup.exe"',
        '',
        'MZ',
        '--mix--',
        '',
      ].join('\r\n'),
    );
    const message = await view(raw);
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      await show(page, servers, message, { theme });
      assert.match(await mailBody(page).locator('#mail-html').innerText(), /Revenue is up 12%/);
      assert.equal(await page.locator('#subject').innerText(), 'Quarterly report');
      assert.deepEqual(await page.locator('#attachments .name').allInnerTexts(), ['report.pdf', 'setup.exe']);
      assert.equal(await page.locator('#attachments .warning').count(), 1, 'the executable is marked');
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, { light: 'rgb(255, 255, 255)', dark: 'rgb(31, 31, 31)', 'high-contrast': 'rgb(0, 0, 0)' }[theme]);
      await page.screenshot({ path: join(ARTIFACTS, `reader-${theme}.png`), fullPage: true });
    }
    await page.locator('#attachments vscode-button').first().click();
    assert.ok((await posted(page)).some((m) => m.type === 'saveAttachment' && m.index === 0));
  });
});
