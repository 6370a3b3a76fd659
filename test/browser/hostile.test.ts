/// <reference lib="dom" />
/**
 * A corpus of hostile mail in the real reader page (Debian's Chromium): scripts that must never
 * run, remote loads that must wait for consent (and show the banner), links that must never
 * navigate the reader, and overlays that must never cover the reader's own header and buttons.
 * Each wall alone (the sanitizer without the CSP, the CSP without the sanitizer): walls.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { frameGlobal, htmlMail, mailBody, mime, openPanel, posted, showMessage, startServers, view, type Servers } from '../support/readerPage';
import { NAVIGATION_VECTORS, OVERLAY_VECTORS, REMOTE_VECTORS, SCRIPT_VECTORS } from '../support/hostileVectors';
import { needTool } from '../support/tier';

const skip = needTool('chromium', CHROMIUM_BIN, CHROMIUM_INSTALL);

describe(`hostile mail in Chromium (${SCRIPT_VECTORS.length + REMOTE_VECTORS.length + NAVIGATION_VECTORS.length + OVERLAY_VECTORS.length} vectors)`, { skip }, () => {
  let browser: Browser;
  let servers: Servers;
  let page: Page;
  const R = () => servers.remoteOrigin;
  const withRemote = (v: string) => v.replaceAll('PR/', `${R().replace('http:', '')}/`).replaceAll('R/', `${R()}/`).replaceAll('HOST', R().replace('http://', ''));

  before(async () => {
    servers = await startServers();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  });
  after(async () => {
    await browser?.close();
    servers?.close();
  });

  /** Clicks, hovers and focuses every element of the mail, as a curious user would. */
  const poke = (p: Page) =>
    p.evaluate(() => {
      const doc = (document.getElementById('mail-frame') as HTMLIFrameElement | null)?.contentDocument;
      for (const el of Array.from(doc?.querySelectorAll('*') ?? [])) {
        for (const type of ['mouseover', 'pointerover', 'focus', 'mouseenter']) el.dispatchEvent(new Event(type, { bubbles: true }));
        (el as HTMLElement).focus?.();
        if (el instanceof HTMLElement) el.click();
        else el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
      }
    });

  test(`${SCRIPT_VECTORS.length} script vectors: none runs, on load or when poked`, async () => {
    await openPanel(page, servers);
    let dialogs = 0;
    page.on('dialog', (d) => void d.dismiss().then(() => dialogs++));
    await page.evaluate(() => ((window as unknown as { __xss: number }).__xss = 0));
    for (const vector of SCRIPT_VECTORS) {
      await showMessage(page, await htmlMail(`<p>before</p>${vector}<p>after</p>`));
      await poke(page);
      assert.equal(await page.evaluate(() => (window as unknown as { __xss: number }).__xss), 0, `ran in the panel: ${vector}`);
      assert.equal(await frameGlobal(page, '__xss'), undefined, `ran in the mail frame: ${vector}`);
      assert.ok(page.url().startsWith(servers.pageOrigin), `navigated: ${vector}`);
    }
    assert.equal(dialogs, 0);
    for (const m of await posted(page)) if (m.type === 'openLink') assert.match(m.url, /^(https?|mailto):/);
    console.log(`# script vectors: ${SCRIPT_VECTORS.length} tried, 0 ran`);
  });

  test(`${REMOTE_VECTORS.length} remote references: no request before consent, and the banner says so`, async () => {
    await openPanel(page, servers);
    const missingBanner: string[] = [];
    for (const raw of REMOTE_VECTORS) {
      const vector = withRemote(raw);
      servers.remoteHits.length = 0;
      await showMessage(page, await htmlMail(`<p>remote</p>${vector}`));
      await poke(page);
      await page.waitForTimeout(30);
      assert.deepEqual([...servers.remoteHits], [], `requested before consent: ${raw}`);
      if ((await page.locator('#remote-banner').count()) === 0) missingBanner.push(raw);
    }
    assert.deepEqual(missingBanner, [], 'something was blocked without the banner saying so');
    console.log(`# remote vectors: ${REMOTE_VECTORS.length} tried, 0 requests, banner shown for all`);
  });

  test('after "Load remote content", images load but audio and video still never do', async () => {
    servers.remoteHits.length = 0;
    await openPanel(page, servers, { remote: true });
    const message = await htmlMail(withRemote('<img id="pic" src="R/ok.png"><video src="R/v.mp4" autoplay></video><audio src="R/a.mp3" autoplay></audio><video><source src="R/s.mp4"></video><video poster="R/poster.png"></video>'));
    await showMessage(page, message, true);
    await page.waitForFunction(() => {
      const img = (document.getElementById('mail-frame') as HTMLIFrameElement).contentDocument?.getElementById('pic') as HTMLImageElement | null;
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await page.waitForTimeout(200);
    const hits = [...servers.remoteHits];
    assert.ok(hits.includes('/ok.png'), hits.join(', '));
    assert.deepEqual(hits.filter((h) => /\.(mp4|mp3)$/.test(h)), [], 'no audio or video request');
  });

  test(`${NAVIGATION_VECTORS.length} navigation attempts: the reader never navigates; links reach the host, checked`, async () => {
    await openPanel(page, servers);
    const frameUrl = () => page.evaluate(() => (document.getElementById('mail-frame') as HTMLIFrameElement).contentWindow!.location.href);
    for (const vector of NAVIGATION_VECTORS) {
      await showMessage(page, await htmlMail(vector));
      const links = await mailBody(page).locator('a, img[usemap], button, svg rect').all();
      for (const link of links) {
        await link.click({ force: true, timeout: 1000 }).catch(() => undefined);
        await link.click({ button: 'middle', force: true, timeout: 1000 }).catch(() => undefined);
      }
      await page.waitForTimeout(50);
      assert.ok(page.url().startsWith(servers.pageOrigin), `the panel navigated: ${vector}`);
      assert.equal(await frameUrl(), 'about:blank', `the mail frame navigated: ${vector}`);
    }
    // Keyboard activation goes through the same gate.
    await showMessage(page, await htmlMail('<a id="k" href="https://example.org/keyboard">keyboard</a>'));
    await mailBody(page).locator('#k').focus();
    await page.keyboard.press('Enter');
    const urls = (await posted(page)).flatMap((m) => (m.type === 'openLink' ? [m.url] : []));
    for (const url of urls) assert.match(url, /^(https?|mailto):/);
    for (const expected of ['https://example.org/a', 'https://example.org/area', 'https://example.org/svg', 'https://example.org/xsvg', 'mailto:someone@example.org', 'https://example.org/keyboard']) {
      assert.ok(urls.includes(expected), `${expected} reached the host (got ${urls.join(', ')})`);
    }
    assert.ok(urls.filter((u) => u === 'https://example.org/a').length >= 2, 'a middle click goes through the gate too');
    console.log(`# navigation vectors: ${NAVIGATION_VECTORS.length} tried, 0 navigated`);
  });

  test(`${OVERLAY_VECTORS.length} overlays: the reader's header and buttons stay on top and work`, async () => {
    await openPanel(page, servers);
    for (const vector of OVERLAY_VECTORS) {
      await showMessage(page, await htmlMail(`<p>text</p>${vector}`));
      for (const id of ['subject', 'from', 'reply', 'open-source']) {
        const topmost = await page.evaluate((target) => {
          const r = document.getElementById(target)!.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + Math.min(5, r.width / 2), r.top + r.height / 2);
          return !!hit && !!hit.closest('#chrome') && (hit === document.getElementById(target) || document.getElementById(target)!.contains(hit) || hit.contains(document.getElementById(target)));
        }, id);
        assert.ok(topmost, `#${id} is covered by: ${vector}`);
      }
      const before = (await posted(page)).length;
      await page.locator('#reply').click();
      const after = (await posted(page)).slice(before);
      assert.deepEqual(after.map((m) => m.type), ['reply'], `the real Reply did something else: ${vector}`);
    }
    console.log(`# overlay vectors: ${OVERLAY_VECTORS.length} tried, 0 covered the header`);
  });

  test('huge mail shows and the page stays responsive: a 1 MB line, and 100,000 nested elements', async () => {
    await openPanel(page, servers);
    const line = 'x'.repeat(1024 * 1024);
    const cases: Array<[string, Buffer]> = [
      ['1 MB line, text', mime(['Subject: long', 'Content-Type: text/plain; charset=utf-8'], `${line}\r\nend`)],
      ['1 MB line, HTML', mime(['Subject: long', 'Content-Type: text/html; charset=utf-8'], `<p>${line}</p><p>end</p>`)],
      ['100,000 nested elements', mime(['Subject: deep', 'Content-Type: text/html; charset=utf-8'], `${'<div>'.repeat(100_000)}end${'</div>'.repeat(100_000)}`)],
    ];
    for (const [name, raw] of cases) {
      const message = await view(raw);
      const started = Date.now();
      await showMessage(page, message);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)))); // painted
      const elapsed = Date.now() - started;
      assert.equal(await page.evaluate(() => 1 + 1), 2, 'the page answers');
      const text = message.body.kind === 'text' ? await page.locator('#mail-text').innerText() : await mailBody(page).locator('body').innerText();
      assert.match(text, /end/, `${name}: the whole message is there`);
      console.log(`# ${name}: shown in ${elapsed} ms`);
    }
  });
});
