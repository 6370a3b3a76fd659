/// <reference lib="dom" />
/**
 * The message list webview in Chromium, with the real host side (ListSession over a mailbox in
 * Node) on the other end of its channel: virtualization at 100,000 rows, sorting, the quick
 * filter, threads on a hostile corpus, keyboard-only use, live updates, and the three themes.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ListMessage } from '../../src/list/listModel';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { drawnKeys, expectKeys, openList, selectedKeys, startListServer, until } from '../support/listPage';
import { DAY, listMessage as msg, T0 } from '../support/listMessages';
import { ROOT } from '../support/readerPage';
import { needTool } from '../support/tier';

const skip = needTool('chromium', CHROMIUM_BIN, CHROMIUM_INSTALL);
const ARTIFACTS = join(ROOT, 'test-artifacts');

const rowCountInDom = (page: Page) => page.locator('#spacer .row').count();
const focusedKey = (page: Page) => page.evaluate(() => document.querySelector<HTMLElement>('#spacer .row.focused')?.dataset.key);

/** A mailbox with threads the way real mail makes them: parents missing, replies first, Re: without references, loops. */
function threadCorpus(): ListMessage[] {
  return [
    msg(1, { subject: 'Release plan', messageId: '<plan@x>', seen: true }),
    msg(5, { subject: 'Re: Release plan', messageId: '<r2@x>', inReplyTo: '<r1@x>', references: ['<plan@x>', '<r1@x>'], seen: false }),
    msg(3, { subject: 'Re: Release plan', messageId: '<r1@x>', inReplyTo: '<plan@x>', references: ['<plan@x>'], seen: true }),
    msg(4, { subject: 'Re: Lunch', messageId: '<l2@x>', references: ['<lunch-gone@x>'], seen: false }),
    msg(6, { subject: 'Re: Lunch', messageId: '<l3@x>', references: ['<lunch-gone@x>'], seen: true }),
    msg(7, { subject: 'RE: Release plan', messageId: '<outlook@x>', seen: false }),
    msg(8, { subject: 'Loop A', messageId: '<la@x>', references: ['<lb@x>'] }),
    msg(9, { subject: 'Loop B', messageId: '<lb@x>', references: ['<la@x>'] }),
    msg(2, { subject: 'Standalone', messageId: '<solo@x>' }),
  ];
}

describe('message list webview in Chromium', { skip }, () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startListServer>>;
  before(async () => {
    server = await startListServer();
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });
  const newPage = () => browser.newPage({ viewport: { width: 1000, height: 600 } });

  test('100,000 messages: the DOM holds only the rows in view, from the top to the very bottom', async () => {
    const page = await newPage();
    const messages = Array.from({ length: 100_000 }, (_, i) => msg(i, { subject: `Message number ${i}` }));
    const host = await openList(page, server.origin, messages);
    assert.equal(await page.getAttribute('#grid', 'aria-rowcount'), '100001');
    assert.ok((await rowCountInDom(page)) < 200, `rows in the DOM: ${await rowCountInDom(page)}`);
    assert.equal((await drawnKeys(page))[0], 'a/m99999', 'newest first');
    await page.locator('#spacer .row[data-key]').first().click();
    await page.keyboard.press('End');
    await page.waitForSelector('#spacer .row[aria-rowindex="100001"][data-key="a/m0"]');
    assert.ok((await rowCountInDom(page)) < 200, `rows in the DOM at the bottom: ${await rowCountInDom(page)}`);
    assert.equal(await focusedKey(page), 'a/m0');
    const rowsAsked = host.received.filter((m) => m.type === 'getRows').reduce((n, m) => n + (m.type === 'getRows' ? m.end - m.start : 0), 0);
    assert.ok(rowsAsked < 1000, `the webview asked for ${rowsAsked} rows, not the mailbox`);
    await page.close();
  });

  test('rows let go far from the view are asked for again when one scrolls back (they stayed "…" for good)', async () => {
    const page = await newPage();
    const messages = Array.from({ length: 5_000 }, (_, i) => msg(i, { subject: `Message number ${i}` }));
    await openList(page, server.origin, messages);
    // A page at a time, as a scrollbar drag does, far enough that the first rows are let go.
    await page.evaluate(async () => {
      const scroller = document.getElementById('scroller')!;
      for (let i = 0; i < 150; i++) {
        scroller.scrollTop += scroller.clientHeight;
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      scroller.scrollTop = 0;
    });
    await until(page, 'the first rows drawn again', async () => (await page.locator('#spacer .row.loading').count()) === 0, 5_000);
    const keys = await drawnKeys(page);
    assert.ok(keys.length > 10);
    assert.deepEqual(keys, keys.map((_, i) => `a/m${4999 - i}`));
    // The DOM holds the rows in their order (screen readers read it in that order).
    const indexes = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#spacer .row')].map((r) => Number(r.dataset.index)));
    assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
    await page.close();
  });

  test('sorting by a column header, both ways, remembered in the layout', async () => {
    const page = await newPage();
    const host = await openList(page, server.origin, [msg(1, { subject: 'beta', size: 300 }), msg(2, { subject: 'Alpha', size: 100 }), msg(3, { subject: 'Re: gamma', size: 200 })]);
    await page.click('.colhead[data-column="subject"]');
    await page.waitForSelector('.colhead[data-column="subject"][aria-sort="ascending"]');
    assert.deepEqual(await drawnKeys(page), ['a/m2', 'a/m1', 'a/m3']);
    await page.click('.colhead[data-column="subject"]');
    await page.waitForSelector('.colhead[data-column="subject"][aria-sort="descending"]');
    assert.deepEqual(await drawnKeys(page), ['a/m3', 'a/m1', 'a/m2']);
    await page.click('.colhead[data-column="size"]');
    await page.waitForSelector('.colhead[data-column="size"][aria-sort="descending"]');
    assert.deepEqual(await drawnKeys(page), ['a/m1', 'a/m3', 'a/m2']);
    assert.deepEqual(host.layouts.at(-1)?.sort, { column: 'size', descending: true });
    await page.close();
  });

  test('the quick filter: accents and case ignored, toggles, the count of matches', async () => {
    const page = await newPage();
    await openList(page, server.origin, [
      msg(1, { subject: 'Treffen in München', seen: false }),
      msg(2, { from: 'Zoë Ünal <z@x>', hasAttachments: true }),
      msg(3, { snippet: 'see you in MUNCHEN' }),
      msg(4, { partialOf: 30_000_000 }),
    ]);
    await page.fill('#filter', 'munchen');
    await expectKeys(page, ['a/m3', 'a/m1']);
    assert.equal(await page.textContent('#count'), '2 of 4');
    // A result shows its snippet with the sought word marked, whatever its case and accents.
    assert.deepEqual(await page.locator('#spacer .row[data-key="a/m3"] .snippet mark').allInnerTexts(), ['MUNCHEN']);
    assert.equal(await page.locator('#spacer .row[data-key="a/m3"] .snippet').innerText(), 'see you in MUNCHEN');
    await page.fill('#filter', 'zoe unal');
    await expectKeys(page, ['a/m2']);
    await page.fill('#filter', '');
    await page.click('#toggle-unread');
    await expectKeys(page, ['a/m1']);
    assert.equal(await page.locator('#spacer .snippet:visible').count(), 0, 'no snippets when not searching');
    assert.equal(await page.textContent('#count'), '1 of 4');
    assert.equal(await page.getAttribute('#toggle-unread', 'aria-pressed'), 'true');
    await page.click('#toggle-unread');
    await page.click('#toggle-headersOnly');
    await expectKeys(page, ['a/m4']);
    await page.close();
  });

  test('while searching, "Sort by relevance" puts the best matches first, and back to the order before; it is not remembered', async () => {
    const page = await newPage();
    // The index (unit-tested over a real store) stands in: m1 matches best, m3 least; m2 not at all.
    const relevanceOf: Record<string, number> = { m1: 5, m3: 0.5, m4: 2 };
    const host = await openList(page, server.origin, [msg(1), msg(2), msg(3), msg(4)], {
      wordHits: async (leaves, messages, scores) => ({
        flags: new Map(leaves.map(([field, words]) => [`${field}:${words.join(' ')}`, Uint8Array.from(messages, (m) => (relevanceOf[m.id] ? 1 : 0))])),
        relevance: scores ? Float32Array.from(messages, (m) => relevanceOf[m.id] ?? 0) : undefined,
      }),
    });
    assert.equal(await page.isVisible('#relevance'), false, 'offered only while searching');
    await page.fill('#filter', 'budget');
    await expectKeys(page, ['a/m4', 'a/m3', 'a/m1']);
    await page.click('#relevance');
    await expectKeys(page, ['a/m1', 'a/m4', 'a/m3']);
    assert.equal(await page.getAttribute('#relevance', 'aria-pressed'), 'true');
    assert.equal(await page.locator('.colhead[aria-sort="descending"], .colhead[aria-sort="ascending"]').count(), 0, 'no column is the order');
    await page.click('#relevance');
    await expectKeys(page, ['a/m4', 'a/m3', 'a/m1']);
    assert.equal(await page.getAttribute('.colhead[data-column="date"]', 'aria-sort'), 'descending');
    // Sorted by a column of one's choosing, relevance goes back to it.
    await page.click('.colhead[data-column="subject"]');
    await expectKeys(page, ['a/m1', 'a/m3', 'a/m4']);
    const subjectOrder = await page.getAttribute('.colhead[data-column="subject"]', 'aria-sort');
    await page.click('#relevance');
    await expectKeys(page, ['a/m1', 'a/m4', 'a/m3']);
    await page.click('#relevance');
    await expectKeys(page, ['a/m1', 'a/m3', 'a/m4']);
    assert.equal(await page.getAttribute('.colhead[data-column="subject"]', 'aria-sort'), subjectOrder);
    assert.ok(host.layouts.every((layout) => layout.sort.column !== 'relevance'));
    await page.close();
  });

  test('threads: missing parents, replies before parents, Re: without references and loops; collapsed threads count unread', async () => {
    const page = await newPage();
    await openList(page, server.origin, threadCorpus());
    await page.click('#threaded');
    await page.waitForSelector('#grid[role="treegrid"]');
    // Release plan thread (newest: the Outlook-style reply on day 7) collapsed with 4 messages, 2 unread.
    await page.waitForFunction(() => document.querySelector('#spacer .row[data-key="a/m1"] .thread-count')?.textContent === '4 · 2');
    const roots = await drawnKeys(page);
    assert.deepEqual(roots, ['a/m9', 'a/m1', 'a/m4', 'a/m2'], 'loop A sits under loop B; the lunch replies under the earliest; the plan under its newest reply');
    assert.equal(await page.getAttribute('#spacer .row[data-key="a/m1"]', 'aria-expanded'), 'false');
    // Expand with the keyboard: ArrowRight on the focused thread.
    await page.click('#spacer .row[data-key="a/m1"]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#spacer .row[data-key="a/m1"][aria-expanded="true"]');
    assert.deepEqual(await drawnKeys(page), ['a/m9', 'a/m1', 'a/m3', 'a/m5', 'a/m7', 'a/m4', 'a/m2']);
    const levels = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('#spacer .row[data-key]')].map((r) => `${r.dataset.key}:${r.getAttribute('aria-level')}`));
    assert.ok(levels.includes('a/m5:3') && levels.includes('a/m3:2') && levels.includes('a/m7:2'), levels.join(' '));
    await page.click('#threaded');
    await page.waitForSelector('#grid[role="grid"]');
    assert.equal((await drawnKeys(page)).length, 9);
    await page.close();
  });

  test('a page focused by VS Code puts the keyboard in the search box, and leaves focus already inside alone', async () => {
    const page = await newPage();
    await openList(page, server.origin, Array.from({ length: 5 }, (_, i) => msg(i)));
    const focusPage = () =>
      page.evaluate(() => {
        window.dispatchEvent(new FocusEvent('focus')); // as VS Code's focus of the webview's frame
        return document.activeElement?.id;
      });
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    assert.equal(await focusPage(), 'filter');
    await page.keyboard.press('ArrowDown'); // and from there into the list
    await page.waitForFunction(() => document.activeElement?.id === 'grid');
    assert.equal(await focusPage(), 'grid', 'a user in the list stays there');
    await page.close();
  });

  test('keyboard alone: move, extend, select all, open, page the message, Delete moves to the next row', async () => {
    const page = await newPage();
    const host = await openList(page, server.origin, Array.from({ length: 40 }, (_, i) => msg(i)), {
      onAction: (h, action, refs) => {
        if (action === 'delete') h.messages = h.messages.filter((m) => !refs.some((r) => r.messageId === m.id));
      },
    });
    await page.focus('#filter');
    await page.keyboard.press('ArrowDown'); // from the filter into the list, first row selected
    await page.waitForFunction(() => document.activeElement?.id === 'grid');
    assert.equal(await focusedKey(page), 'a/m39');
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedKey(page), 'a/m37');
    await until(page, 'the focused message in the preview reader', async () => isDeepStrictEqual(host.shown.at(-1), { ref: { accountId: 'a', messageId: 'm37' }, preview: true }));
    await page.keyboard.press('Shift+ArrowDown');
    await page.waitForFunction(() => document.querySelectorAll('#spacer .row[aria-selected="true"]').length === 2);
    assert.deepEqual((await selectedKeys(page)).sort(), ['a/m36', 'a/m37']);
    await page.keyboard.press('Control+a');
    await page.waitForFunction(() => document.querySelectorAll('#spacer .row[aria-selected="true"]').length === document.querySelectorAll('#spacer .row[data-key]').length);
    await page.keyboard.press('Home');
    await page.keyboard.press('k');
    assert.equal(await focusedKey(page), 'a/m39');
    await page.keyboard.press('Enter');
    await page.keyboard.press(' ');
    await until(page, 'Enter to open a tab of its own', async () => isDeepStrictEqual(host.shown.at(-1), { ref: { accountId: 'a', messageId: 'm39' }, preview: false }));
    await until(page, 'Space to page the message', async () => host.paged === 1);
    await page.keyboard.press('PageDown');
    const afterPage = await focusedKey(page);
    assert.ok(afterPage && Number(afterPage.slice(3)) < 30, `PageDown moves a page: ${afterPage}`);
    await page.keyboard.press('Delete');
    const next = `a/m${Number(afterPage!.slice(3)) - 1}`;
    await page.waitForFunction((key) => document.querySelector<HTMLElement>('#spacer .row.focused')?.dataset.key === key, next);
    assert.deepEqual(await selectedKeys(page), [next]);
    assert.deepEqual(host.actions.at(-1)?.refs, [{ accountId: 'a', messageId: afterPage!.slice(2) }]);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'grid', 'the keyboard stays in the list');
    await page.close();
  });

  test('rows arriving during a fetch keep the scroll position, the selection and the focus', async () => {
    const page = await newPage();
    const host = await openList(page, server.origin, Array.from({ length: 300 }, (_, i) => msg(i)));
    await page.click('#spacer .row[data-key]');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    const focus = await focusedKey(page);
    const topBefore = await page.evaluate(() => document.querySelector<HTMLElement>('#spacer .row[data-key]')?.dataset.key);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
    const firstVisible = async () => page.evaluate(() => {
      const scroller = document.getElementById('scroller')!;
      const rows = [...document.querySelectorAll<HTMLElement>('#spacer .row[data-key]')];
      return rows.find((r) => r.getBoundingClientRect().top >= scroller.getBoundingClientRect().top - 1)?.dataset.key;
    });
    const visibleBefore = await firstVisible();
    host.messages = [...host.messages, ...Array.from({ length: 5 }, (_, i) => msg(1000 + i, { date: T0 + (1000 + i) * DAY, seen: false }))];
    await host.session.reload();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '305 messages');
    await page.waitForFunction((key) => document.querySelector<HTMLElement>('#spacer .row.focused')?.dataset.key === key, focus);
    assert.deepEqual(await selectedKeys(page), [focus]);
    assert.equal(await firstVisible(), visibleBefore, `the first visible row stays (was ${topBefore})`);
    await page.close();
  });

  test('theme variables only: light, dark and high contrast', async () => {
    for (const theme of ['light', 'dark', 'high-contrast']) {
      const page = await newPage();
      await openList(page, server.origin, threadCorpus(), { theme, layout: { threaded: true } });
      await page.click('#spacer .row[data-key="a/m1"]');
      await page.keyboard.press('ArrowRight');
      await page.waitForSelector('#spacer .row[data-key="a/m1"][aria-expanded="true"]');
      const colors = await page.evaluate(() => {
        const style = getComputedStyle(document.body);
        return [style.color, style.backgroundColor];
      });
      assert.notEqual(colors[0], colors[1]);
      await page.screenshot({ path: join(ARTIFACTS, `list-${theme}.png`) });
      await page.close();
    }
  });
});
