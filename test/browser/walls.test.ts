/// <reference lib="dom" />
/**
 * Each wall of the reader alone, in Debian's Chromium: the sanitizer in a page with no CSP (no
 * handler, remote source or unsafe link left, nothing runs or loads; element by element, what it
 * forbids goes and what it blocks is counted), and the CSP over raw hostile mail with no sanitizer.
 * `npm run mutate -- --sanitizer` runs these (with the unit tier's sanitizeMarkup tests) per mutant.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { REMOTE_VECTORS, SCRIPT_VECTORS } from '../support/hostileVectors';
import { startServers, type Servers } from '../support/readerPage';
import { needTool } from '../support/tier';

const skip = needTool('chromium', CHROMIUM_BIN, CHROMIUM_INSTALL);

describe('each wall alone', { skip }, () => {
  let browser: Browser;
  let servers: Servers;
  let page: Page;
  before(async () => {
    servers = await startServers();
    browser = await launchChromium();
    page = await browser.newPage();
  });
  after(async () => {
    await browser?.close();
    servers?.close();
  });

  test('the sanitizer without any CSP: no handlers, no remote src/srcset/url(), no navigable non-http link, nothing runs or loads', async () => {
    await page.goto(`${servers.pageOrigin}/bare`);
    const html = [...SCRIPT_VECTORS, ...REMOTE_VECTORS.map((v) => v.replaceAll('PR/', `${servers.remoteOrigin.replace('http:', '')}/`).replaceAll('R/', `${servers.remoteOrigin}/`).replaceAll('HOST', servers.remoteOrigin.replace('http://', '')))].join('\n');
    servers.remoteHits.length = 0;
    const problems = await page.evaluate((source) => {
      (window as unknown as { __xss: number }).__xss = 0;
      const { fragment } = (window as unknown as { MailSanitize: typeof import('../../webview/reader/sanitize') }).MailSanitize.sanitizeMail(source, false);
      const found: string[] = [];
      for (const el of Array.from(fragment.querySelectorAll('*'))) {
        for (const attr of el.getAttributeNames()) {
          const value = el.getAttribute(attr) ?? '';
          if (/^on/i.test(attr)) found.push(`handler ${attr} on ${el.localName}`);
          if (/^(src|srcset|background|poster|data|xlink:href)$/i.test(attr) && /(^|[\s,])(https?:)?\/\//i.test(value)) found.push(`remote ${attr} on ${el.localName}`);
          if (attr === 'style' && /url\(\s*['"]?\s*(https?:)?\/\//i.test(value)) found.push(`remote url() in style on ${el.localName}`);
          if (/^(href|xlink:href)$/.test(attr) && (el.localName === 'a' || el.localName === 'area') && !/^(https?:|mailto:|#)/i.test(value.trim())) found.push(`link ${value}`);
          if (/^(href|xlink:href)$/.test(attr) && !['a', 'area'].includes(el.localName) && !/^(#|data:|cid:)/i.test(value.trim())) found.push(`${attr} on ${el.localName}: ${value}`);
        }
        if (el.localName === 'style' && /url\(\s*['"]?\s*(https?:)?\/\/|@import/i.test(el.textContent ?? '')) found.push('remote reference in a style sheet');
      }
      document.getElementById('out')!.append(fragment);
      return found;
    }, html);
    assert.deepEqual(problems, []);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss: number }).__xss), 0, 'nothing ran, with no CSP to stop it');
    assert.deepEqual([...servers.remoteHits], [], 'nothing loaded, with no CSP to stop it');
  });

  test('the sanitizer alone, element by element: what it forbids goes, links are made safe, media never load, each block is counted', async () => {
    await page.goto(`${servers.pageOrigin}/bare`);
    const result = await page.evaluate(() => {
      const { sanitizeMail, linkifyText } = (window as unknown as { MailSanitize: typeof import('../../webview/reader/sanitize') }).MailSanitize;
      const forbidden = ['script', 'noscript', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'portal', 'dialog', 'template', 'math'];
      const tags = (fragment: DocumentFragment) => [...new Set(Array.from(fragment.querySelectorAll('*')).map((el) => el.localName))].sort();
      const html = (remote: boolean, source: string) => {
        const { fragment, blockedCount } = sanitizeMail(source, remote);
        const box = document.createElement('div');
        box.append(fragment);
        return { markup: box.innerHTML, blockedCount };
      };
      return {
        kept: tags(sanitizeMail(`<div>${forbidden.map((t) => `<${t}>in ${t}</${t}>`).join('')}<p>stays</p><style>p{color:red}</style></div>`, false).fragment),
        attributes: html(false, '<div id="k" action="https://r/a" formaction="https://r/f" ping="https://r/p" srcdoc="<b>x</b>" xmlns="https://r/x" autofocus data-track="1" onclick="x()" ONMOUSEOVER="y()">t</div>'),
        links: html(false, '<a href="https://ok.example/" target="_blank">a</a><a href="javascript:alert(1)">b</a><a href=" java&#9;script:x">c</a><a href="#top">d</a><area href="data:text/html,x"><a href="mailto:a@b.example">e</a>'),
        blockedImages: html(false, '<img src="https://r/i.png"><img srcset="https://r/1.png 1x, data:image/png;base64,AA 2x"><img srcset="data:image/png;base64,AA 1x, cid:x 2x"><img src="cid:part"><img src="data:image/png;base64,AA"><table background="//r/b.png"></table><video poster="https://r/p.png"></video><object data="https://r/o"></object><img lowsrc="https://r/l.png" dynsrc="https://r/d.png">'),
        consentedImages: html(true, '<img src="https://r/i.png"><video src="https://r/v.mp4" poster="https://r/p.png"></video><audio src="https://r/a.mp3"></audio><video><source src="https://r/s.mp4"><track src="https://r/t.vtt"></video>'),
        styles: html(false, '<p style="color:red;background:url(https://r/b.png)">x</p><p style="background-image:image-set(\'https://r/s.png\' 1x)">y</p><p style="color:blue">z</p><style>@import url(https://r/i.css); p{background:url(//r/c.png)} b{color:red}</style>'),
        consentedStyles: html(true, '<p style="background:url(https://r/b.png)">x</p><style>p{background:url(//r/c.png)}</style>'),
        linkified: (() => {
          const box = document.createElement('div');
          box.append(linkifyText('see https://a.example/x, www.b.example. or mailto:c@d.example! not javascript:alert(1) <b>bold</b>'));
          return { markup: box.innerHTML, hrefs: Array.from(box.querySelectorAll('a')).map((a) => [a.getAttribute('href'), a.rel]) };
        })(),
      };
    });
    assert.deepEqual(result.kept, ['div', 'p', 'style'], 'every element the reader forbids is gone, with no CSP behind it');
    assert.equal(result.attributes.markup, '<div id="k">t</div>', 'no form target, ping, srcdoc, xmlns, autofocus, data- attribute or handler');
    assert.equal(result.links.markup, '<a href="https://ok.example/" rel="noopener noreferrer">a</a><a rel="noopener noreferrer">b</a><a rel="noopener noreferrer">c</a><a href="#top" rel="noopener noreferrer">d</a><area rel="noopener noreferrer"><a href="mailto:a@b.example" rel="noopener noreferrer">e</a>');
    assert.doesNotMatch(result.blockedImages.markup, / (src|srcset|background|poster|data|lowsrc|dynsrc)="(https?:)?\/\//, result.blockedImages.markup);
    assert.match(result.blockedImages.markup, /<img src="cid:part"><img src="data:image\/png;base64,AA">/, 'local images stay');
    assert.match(result.blockedImages.markup, /data-blocked-src="https:\/\/r\/i.png"/, 'a blocked source is kept aside for "Load remote content"');
    assert.equal(result.blockedImages.blockedCount, 4, 'src, srcset, background, poster (DOMPurify itself drops object, lowsrc and dynsrc)');
    assert.match(result.consentedImages.markup, /<img src="https:\/\/r\/i.png">/, 'after consent, images load');
    assert.doesNotMatch(result.consentedImages.markup, /<(video|audio|source|track)[^>]* (src|poster)="https/, `audio and video never load: ${result.consentedImages.markup}`);
    assert.equal(result.consentedImages.blockedCount, 5);
    assert.doesNotMatch(result.styles.markup, /url\(|image-set|@import/, result.styles.markup);
    assert.match(result.styles.markup, /<p style="color: red;[^"]*">x<\/p>/, 'the rest of a declaration list stays');
    assert.match(result.styles.markup, /<p style="color:blue">z<\/p>/, 'a style without a fetch is left as written');
    assert.match(result.styles.markup, /b \{ color: red; \}/, 'rules without a fetch stay in the sheet');
    assert.equal(result.styles.blockedCount, 3);
    assert.match(result.consentedStyles.markup, /url\(https:\/\/r\/b.png\)/, 'after consent, styles are left alone');
    assert.equal(result.consentedStyles.blockedCount, 0);
    assert.deepEqual(result.linkified.hrefs, [['https://a.example/x', 'noopener noreferrer'], ['https://www.b.example', 'noopener noreferrer'], ['mailto:c@d.example', 'noopener noreferrer']]);
    assert.match(result.linkified.markup, /not javascript:alert\(1\) &lt;b&gt;bold&lt;\/b&gt;$/, 'text is text, never markup');
  });

  test('the CSP without a sanitizer: raw hostile mail runs no script and loads nothing', async () => {
    servers.raw = [...SCRIPT_VECTORS, ...REMOTE_VECTORS.filter((v) => !/ctl/.test(v)).map((v) => v.replaceAll('PR/', `${servers.remoteOrigin.replace('http:', '')}/`).replaceAll('R/', `${servers.remoteOrigin}/`).replaceAll('HOST', servers.remoteOrigin.replace('http://', '')))].join('\n');
    servers.remoteHits.length = 0;
    await page.goto(`${servers.pageOrigin}/raw`);
    await page.evaluate(() => {
      for (const el of Array.from(document.querySelectorAll('body *'))) {
        el.dispatchEvent(new Event('mouseover', { bubbles: true }));
        if (el instanceof HTMLElement && !(el instanceof HTMLAnchorElement) && !(el instanceof HTMLAreaElement)) el.click();
      }
    });
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss: number }).__xss), 0);
    assert.deepEqual([...servers.remoteHits], []);
  });
});
