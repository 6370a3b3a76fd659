/**
 * The message list in a real VS Code (code-server, the packaged .vsix): opened from the tree,
 * a row selected and read in the preview reader beside it, Delete moving on to the next row,
 * several rows marked read at once, and a row arriving while the list is open.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL } from '../support/codeServer';
import { until } from '../support/listPage';
import { ARTIFACTS, withMailWorkbench } from '../support/mailWorkbench';
import { needTool } from '../support/tier';
import { answerPassword, rowsOf, runCommand, webviewFrame } from '../support/workbench';
import { addAccountToUserSettings, startEnvironment } from '../vscode/environment';

const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

const listRow = (list: Frame, subject: string) => list.locator('#spacer .row[data-key]', { hasText: subject });
const unreadSubjects = (list: Frame) => list.locator('#spacer .row.unread .subject-text').allInnerTexts();

describe('Message list in VS Code (code-server, installed from the .vsix)', { skip }, () => {
  test('open from the tree, read a row, Delete moves on, mark several read, a new row arrives', { timeout: 300_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const environment = await startEnvironment();
    addAccountToUserSettings(environment, { 'mailPanel.markReadOnOpen': true });
    environment.dovecot.deliver('alice', [Buffer.from('From: Bob <bob@example.org>\r\nSubject: Fourth note\r\nDate: Sun, 01 Nov 2026 09:00:00 +0000\r\n\r\nfour\r\n')]);
    try {
      await withMailWorkbench(environment, { failureShot: 'vscode-list-failure.png' }, async (page, shot) => {
        const rows = rowsOf(page);
        await runCommand(page, 'Mail: Fetch Mail');
        await answerPassword(page, 'alice', environment.config.password);
        await rows.filter({ hasText: 'Quarterly report' }).first().waitFor({ timeout: 30_000 });

        // The tree's Inbox opens the list.
        await rows.filter({ hasText: /^Inbox/ }).first().click();
        const list = await webviewFrame(page, '#grid');
        await listRow(list, 'Quarterly report').waitFor({ timeout: 30_000 });
        assert.deepEqual(await list.locator('#spacer .row[data-key] .subject-text').allInnerTexts(), ['Lunch on Friday?', 'Quarterly report', 'Welcome to Mail Panel', 'Fourth note'], 'newest first');
        assert.equal((await unreadSubjects(list)).length, 4);

        // A click shows the message in the reader beside the list, and marks it read.
        await listRow(list, 'Quarterly report').click();
        await webviewFrame(page, '#subject:has-text("Quarterly report")');
        await list.locator('#spacer .row:not(.unread)', { hasText: 'Quarterly report' }).waitFor({ timeout: 20_000 });
        await shot('vscode-list.png');

        // Delete (the key, in the list): the message leaves, the next row is selected and shown.
        await until(page, 'the keyboard in the list', () => list.evaluate(() => document.hasFocus()));
        await page.keyboard.press('Delete');
        await listRow(list, 'Quarterly report').waitFor({ state: 'detached', timeout: 20_000 });
        await list.locator('#spacer .row.focused[aria-selected="true"]', { hasText: 'Welcome to Mail Panel' }).waitFor({ timeout: 20_000 });
        // The preview reader is the same tab, showing the next message (its page is rebuilt: find it again).
        await webviewFrame(page, '#subject:has-text("Welcome to Mail Panel")');
        assert.equal(await list.locator('#spacer .row[aria-selected="true"]').count(), 1);

        // Several rows at once: Shift+click selects a range, "Mark Read" from the palette acts on it.
        await listRow(list, 'Lunch on Friday?').click({ modifiers: ['Shift'] });
        await list.locator('#spacer .row[aria-selected="true"]').nth(1).waitFor();
        assert.equal(await list.locator('#spacer .row[aria-selected="true"]').count(), 2);
        await listRow(list, 'Fourth note').click({ modifiers: ['Control'] });
        await list.locator('#spacer .row[aria-selected="true"]').nth(2).waitFor();
        await runCommand(page, 'Mail: Mark Read');
        await list.locator('#spacer .row.unread').first().waitFor({ state: 'detached', timeout: 20_000 });
        assert.deepEqual(await unreadSubjects(list), []);

        // A message arrives on the server; a fetch brings it into the open list, selection kept.
        // The palette's Enter gave the keyboard back to the list, which VS Code hands to the webview a
        // moment later: an F1 before that opens a palette that the returning focus then closes.
        await until(page, 'the keyboard back in the list', () => list.evaluate(() => document.hasFocus()));
        environment.dovecot.deliver('alice', [Buffer.from('From: Carol <carol@example.org>\r\nSubject: Fresh arrival\r\nDate: Sat, 21 Nov 2026 09:00:00 +0000\r\n\r\nnew\r\n')]);
        await runCommand(page, 'Mail: Fetch Mail');
        await listRow(list, 'Fresh arrival').waitFor({ timeout: 30_000 });
        assert.deepEqual(await unreadSubjects(list), ['Fresh arrival']);
        assert.equal(await list.locator('#spacer .row[aria-selected="true"]').count(), 3, 'the selection survives the new row');
        await shot('vscode-list-after-fetch.png');
      });
    } finally {
      await environment.stop();
    }
  });
});
