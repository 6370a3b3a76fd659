/**
 * Search in a real VS Code (code-server, the packaged .vsix): the index built in its worker from the
 * fetched mail, a search from the list's box finding a word only the body holds, a query it cannot
 * read explained, and Search Messages from the palette opening the list on its results, a result
 * opening its message.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL } from '../support/codeServer';
import { ARTIFACTS, withMailWorkbench } from '../support/mailWorkbench';
import { needTool } from '../support/tier';
import { answerPassword, rowsOf, runCommand, webviewFrame } from '../support/workbench';
import { addAccountToUserSettings, startEnvironment } from '../vscode/environment';

const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

const subjects = (list: Frame) => list.locator('#spacer .row[data-key] .subject-text').allInnerTexts();

describe('Search in VS Code (code-server, installed from the .vsix)', { skip }, () => {
  test('a word only the body holds is found from the list and from the palette; a result opens', { timeout: 300_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const environment = await startEnvironment();
    addAccountToUserSettings(environment);
    // The word is past the snippet's 160 characters: only the index can find it.
    const body = `${'Filler text about nothing much. '.repeat(12)}The zeppelin lands at noon.\r\n`;
    environment.dovecot.deliver('alice', [Buffer.from(`From: Dora <dora@example.org>\r\nSubject: Travel plans\r\nDate: Mon, 02 Nov 2026 09:00:00 +0000\r\n\r\n${body}`)]);
    try {
      await withMailWorkbench(environment, { failureShot: 'vscode-search-failure.png' }, async (page, shot) => {
        const rows = rowsOf(page);
        await runCommand(page, 'Mail: Fetch Mail');
        await answerPassword(page, 'alice', environment.config.password);
        await rows.filter({ hasText: 'Travel plans' }).first().waitFor({ timeout: 30_000 });

        // From the list's box: the index (built in the worker after the fetch) finds the body's word.
        await rows.filter({ hasText: /^Inbox/ }).first().click();
        const list = await webviewFrame(page, '#grid');
        await list.locator('#spacer .row[data-key]', { hasText: 'Travel plans' }).waitFor({ timeout: 30_000 });
        await list.locator('#filter').fill('zeppelin');
        await list.locator('#count', { hasText: /^1 of / }).waitFor({ timeout: 30_000 });
        assert.deepEqual(await subjects(list), ['Travel plans']);
        // A query it cannot read says why, under the box.
        await list.locator('#filter').fill('form:dora');
        await list.locator('#query-error', { hasText: 'did you mean "from:"' }).waitFor({ timeout: 20_000 });
        assert.equal(await list.locator('#filter').getAttribute('aria-invalid'), 'true');
        await shot('vscode-search-error.png');

        // From the palette: Search Messages opens the list of all Inboxes with the query in its box.
        await runCommand(page, 'Mail: Search Messages');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.fill('from:dora OR zeppelin');
        await page.keyboard.press('Enter');
        const results = await webviewFrame(page, '.colhead[data-column="account"]'); // All Inboxes has the Account column
        await results.locator('#count', { hasText: /^1 of / }).waitFor({ timeout: 30_000 });
        assert.equal(await results.locator('#filter').inputValue(), 'from:dora OR zeppelin');
        await shot('vscode-search.png');
        await results.locator('#spacer .row[data-key]', { hasText: 'Travel plans' }).dblclick();
        await webviewFrame(page, '#subject:has-text("Travel plans")');
      });
    } finally {
      await environment.stop();
    }
  });
});
