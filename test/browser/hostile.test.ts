/// <reference lib="dom" />
/**
 * A corpus of hostile mail in the real reader page (Debian's Chromium): scripts that must never
 * run, remote loads that must wait for consent (and show the banner), links that must never
 * navigate the reader, and overlays that must never cover the reader's own header and buttons.
 * Then each wall alone: the sanitizer without the CSP, the CSP without the sanitizer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { frameGlobal, htmlMail, mailBody, mime, openPanel, posted, showMessage, startServers, view, type Servers } from '../support/readerPage';
import { needTool } from '../support/tier';

const skip = needTool('chromium', CHROMIUM_BIN, CHROMIUM_INSTALL);
const DOT = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Each tries to run `window.__xss++` (the panel's or the mail frame's window) by another route. */
const SCRIPT_VECTORS = [
  '<script>window.__xss++</script>',
  '<img src=x onerror="window.__xss++">',
  '<svg onload="window.__xss++"></svg>',
  '<svg><script>window.__xss++</script></svg>',
  '<body onload="window.__xss++">',
  '<iframe src="javascript:parent.__xss++"></iframe>',
  '<iframe srcdoc="<script>parent.__xss++</script>"></iframe>',
  '<object data="javascript:parent.__xss++"></object>',
  '<embed src="javascript:parent.__xss++">',
  '<a href="javascript:window.__xss++">click</a>',
  '<a href="  JaVaScRiPt:window.__xss++">spaced</a>',
  '<a href="jav&#x09;ascript:window.__xss++">tab</a>',
  '<a href="javascript&colon;window.__xss++">entity colon</a>',
  '<a href="data:text/html,<script>parent.__xss++</script>">data link</a>',
  '<form action="javascript:window.__xss++"><input type=submit></form>',
  '<button formaction="javascript:window.__xss++">b</button>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__xss++">',
  '<base href="javascript:window.__xss++//"><a href="x">based</a>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss++">',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss++>">',
  '<details open ontoggle="window.__xss++">',
  '<video><source onerror="window.__xss++"></video>',
  '<div style="background:url(javascript:window.__xss++)">bg</div>',
  '<style>@import "javascript:window.__xss++";</style>',
  '<template><img src=x onerror="window.__xss++"></template>',
  '<marquee onstart="window.__xss++">m</marquee>',
  '<input autofocus onfocus="window.__xss++">',
  '<isindex type=image src=1 onerror=window.__xss++>',
  '<svg><a xlink:href="javascript:window.__xss++"><text y="20">svg link</text></a></svg>',
  '<svg><a href="javascript:window.__xss++"><text y="20">svg2 link</text></a></svg>',
  '<img srcset="x 1x" onerror="window.__xss++">',
  '<xss onpointerover="window.__xss++" style="display:block;height:40px">hover</xss>',
  '<svg><animate onbegin="window.__xss++" attributeName="x" dur="1s"/></svg>',
  '<svg><set attributeName="onmouseover" to="window.__xss++"/></svg>',
  '<map name="m"><area shape="rect" coords="0,0,50,50" href="javascript:window.__xss++"></map><img usemap="#m" src="x">',
  '<img src="data:image/svg+xml,<svg xmlns=%22http://www.w3.org/2000/svg%22 onload=%22parent.__xss++%22/>">',
  '<iframe src="data:text/html,<script>parent.__xss++</script>"></iframe>',
  '<svg><foreignObject><iframe srcdoc="<script>parent.__xss++</script>"></iframe></foreignObject></svg>',
  '<a href="#" onclick="window.__xss++">onclick</a>',
  '<body onpageshow="window.__xss++">',
  '<div tabindex="0" onfocus="window.__xss++">focus me</div>',
  '<svg><script href="data:,window.__xss++"/></svg>',
  '<img src="x" onerror="top.__xss++">',
  '<div style="width:expression(window.__xss++)">ie</div>',
  '<style>*{behavior:url(javascript:window.__xss++)}</style>',
  '<object type="text/html" data="data:text/html,<script>parent.__xss++</script>"></object>',
  '<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">window.__xss++</handler></svg>',
  '<link rel="import" href="data:text/html,<script>parent.__xss++</script>">',
];

/** Each refers to something remote (R is replaced by the counting server's origin). */
const REMOTE_VECTORS = [
  '<img src="R/a.png">',
  '<img srcset="R/b.png 2x">',
  '<picture><source srcset="R/c.png"><img src="data:,"></picture>',
  '<div style="background:url(R/d.png)">x</div>',
  '<div style="background:\\75rl(R/e.png)">x</div>',
  '<div style="background:u\\72 l(R/f.png)">x</div>',
  '<div style="background:/*c*/url(R/g.png)">x</div>',
  "<div style=\"background-image:image-set('R/h.png' 1x)\">x</div>",
  '<div style="background:url(R/i.png">unterminated</div>',
  '<style>@import "R/j.css"</style>',
  '<style>@import url(R/k.css)</style>',
  '<style>.a{background:url("R/l.png")}</style><p class=a>x</p>',
  '<style>.a{background:\\75 rl(R/m.png)}</style><p class=a>x</p>',
  '<style>@font-face{font-family:x;src:url(R/n.woff)}p{font-family:x}</style><p>x</p>',
  '<table background="R/o.png"><tr><td>x</td></tr></table>',
  '<video poster="R/q.png"></video>',
  '<video src="R/r.mp4" autoplay></video>',
  '<audio src="R/s.mp3" autoplay></audio>',
  '<video><source src="R/t.mp4"></video>',
  '<svg><image href="R/u.png" width="10" height="10"/></svg>',
  '<svg><image xlink:href="R/v.png" width="10" height="10"/></svg>',
  '<img src="PR/w.png">',
  '<img src=" R/x.png">',
  '<img src="ht&#x09;tp://HOST/tab.png">',
  '<input type="image" src="R/in.png">',
  '<object data="R/ob.png"></object>',
  '<embed src="R/em.png">',
  '<iframe src="R/if.html"></iframe>',
  '<link rel="stylesheet" href="R/li.css">',
  '<ul style="list-style-image:url(R/ls.png)"><li>x</li></ul>',
  '<div style="cursor:url(R/cu.png),auto">x</div>',
  '<div style="border:30px solid;border-image:url(R/bi.png) 30">x</div>',
  '<div style="mask-image:url(R/mi.png)">x</div>',
  '<style>p{background:URL(R/up.png)}</style><p>x</p>',
  '<div style="background:url(&quot;R/q2.png&quot;)">x</div>',
  '<svg><filter id="f"><feImage href="R/fe.png"/></filter><rect filter="url(#f)" width="5" height="5"/></svg>',
  '<img src="R/lazy.png" loading="lazy">',
  '<svg><use href="R/use.svg#a"/></svg>',
  '<div style="background:image-set(url(R/is.png) 1x)">x</div>',
  '<style>@media screen{p{background:url(R/med.png)}}</style><p>x</p>',
  '<style>@supports (display:block){p{background:url(R/sup.png)}}</style><p>x</p>',
  '<style>p{background:url(R/nl.png)}/*</style><p>x</p>',
  '<div style="background:url(\'R/ctl\u0001.png\')">x</div>',
  '<body background="R/body.png"><p>x</p>',
  '<div style="background: url( R/sp.png )">x</div>',
];

/** Each tries to take the reader somewhere: none may navigate it, links go through the host. */
const NAVIGATION_VECTORS = [
  '<a href="https://example.org/a">plain</a>',
  '<a href="https://example.org/top" target="_top">top</a>',
  '<a href="https://example.org/blank" target="_blank">blank</a>',
  `<map name="m"><area shape="rect" coords="0,0,400,400" href="https://example.org/area"></map><img usemap="#m" src="${DOT}" width="200" height="50">`,
  '<svg width="200" height="50"><a href="https://example.org/svg"><rect width="200" height="50"/></a></svg>',
  '<svg width="200" height="50"><a xlink:href="https://example.org/xsvg"><rect width="200" height="50"/></a></svg>',
  '<a href="mailto:someone@example.org">mail</a>',
  '<a href="file:///etc/passwd">file</a>',
  '<a href="vscode://ms-vscode.something/x">vscode</a>',
  '<a href="command:workbench.action.quit">command</a>',
  '<form action="https://evil.example/f"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/m">',
  '<a href="https://example.org/nested"><span><b>nested</b></span></a>',
  '<a href="#anchor">anchor</a><p id="anchor">here</p>',
  '<a href=" https://example.org/space ">space</a>',
];

/** Each tries to paint over the reader's own header and buttons. */
const OVERLAY_VECTORS = [
  '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:2147483647;background:red"><a href="https://evil.example/">Reply</a></div>',
  '<div style="position:absolute;top:-500px;left:0;width:100%;height:600px;background:red">abs</div>',
  '<div style="margin-top:-1000px;height:1200px;background:red">margin</div>',
  '<div style="transform:translateY(-800px);height:900px;background:red">transform</div>',
  '<style>:host{position:fixed;top:0;left:0;right:0;bottom:0;z-index:99999}</style><p>host</p>',
  '<style>body{position:fixed;top:-300px;height:2000px;background:red}</style><p>body</p>',
  '<style>html{transform:translateY(-400px)}</style><p>html</p>',
  '<div style="position:sticky;top:-500px;height:2000px;background:red">sticky</div>',
  '<div style="outline:2000px solid red">outline</div>',
  '<div style="box-shadow:0 -1000px 0 1000px red">shadow</div>',
  '<svg style="position:fixed;top:0;left:0" width="2000" height="2000"><rect width="2000" height="2000" fill="red"/></svg>',
  `<img src="${DOT}" style="position:fixed;inset:0;width:100vw;height:100vh">`,
  '<div style="position:fixed;top:0;left:0;width:100%;height:200px;z-index:9999;background:white"><h1>Fake subject</h1><p>From: ceo@bank.example</p><button>Reply</button></div>',
  '<style>*{position:fixed!important;top:0!important;left:0!important}</style><p>all fixed</p>',
  '<div style="position:absolute;inset:-100vh 0 0 0;height:300vh;background:red">inset</div>',
];

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
