/**
 * Writing mail in a real VS Code (code-server, the packaged .vsix) through a real Postfix: Reply in
 * the reader opens a draft tab with the quote, what is typed survives a reload, Send (Ctrl+Enter) puts
 * it in Sent, and after the next fetch the reply sits under the original in its thread in the list.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHROMIUM_BIN, CHROMIUM_INSTALL } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL } from '../support/codeServer';
import { ARTIFACTS, withMailWorkbench } from '../support/mailWorkbench';
import { POSTFIX_BIN, POSTFIX_INSTALL, startPostfix } from '../support/postfix';
import { needTool } from '../support/tier';
import { answerPassword, rowsOf, runCommand, showMailView, webviewFrame } from '../support/workbench';
import { addAccountToUserSettings, startEnvironment } from '../vscode/environment';

const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL) || needTool('postfix', POSTFIX_BIN, POSTFIX_INSTALL);

describe('Writing mail in VS Code (code-server, installed from the .vsix)', { skip }, () => {
  test('Reply from the reader opens a draft with the quote; Send puts it in Sent; fetched back, it sits under the original', { timeout: 300_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const environment = await startEnvironment();
    const postfix = await startPostfix(environment.dovecot, ['alice']);
    addAccountToUserSettings(environment);
    // The account sends through the test's Postfix (its self-signed certificate pinned).
    const settingsPath = join(environment.userDataDir, 'User', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as { 'mailPanel.accounts': Array<Record<string, unknown>> };
    settings['mailPanel.accounts'][0] = { ...settings['mailPanel.accounts'][0], name: 'Alice Ärger', smtp: { host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: 'alice', pinnedCertificate: postfix.fingerprint256 } };
    writeFileSync(settingsPath, JSON.stringify(settings));
    // A note alice sent herself: her reply to it comes back to her Inbox.
    environment.dovecot.deliver('alice', [Buffer.from('From: Alice <alice@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: Trip plans\r\nMessage-ID: <trip.plans@example.org>\r\nDate: Tue, 10 Nov 2026 09:00:00 +0000\r\n\r\nTrain at 9, or the car?\r\n')]);
    try {
      await withMailWorkbench(environment, { failureShot: 'vscode-compose-failure.png' }, async (page, shot) => {
        const rows = rowsOf(page);
        await runCommand(page, 'Mail: Fetch Mail');
        await answerPassword(page, 'alice', environment.config.password);
        await rows.filter({ hasText: 'Trip plans' }).first().click({ timeout: 30_000 });

        // Reply, in the reader: a draft tab with the quote and the thread's subject.
        const reader = await webviewFrame(page, '#subject:has-text("Trip plans")');
        await reader.locator('#reply').click();
        const editor = page.locator('.editor-instance .monaco-editor').first();
        await editor.locator('.view-line', { hasText: 'Subject: Re: Trip plans' }).waitFor({ timeout: 30_000 });
        await editor.locator('.view-line', { hasText: '> Train at 9, or the car?' }).waitFor();
        await editor.locator('.view-line', { hasText: 'To: Alice <alice@example.org>' }).waitFor();
        await page.locator('.tab', { hasText: 'Re: Trip plans' }).waitFor();
        await page.keyboard.type('The train, please.');
        await editor.locator('.view-line', { hasText: 'The train, please.' }).waitFor();
        // Saved into the account's Drafts folder while typing, with no Save.
        await rows.filter({ hasText: /^Drafts/ }).first().waitFor({ timeout: 20_000 });
        const drafts = () => {
          const mailboxes = join(environment.userDataDir, 'User', 'globalStorage', 'mail-panel.mail-panel', 'mailboxes');
          return readdirSync(mailboxes).flatMap((box) => {
            const cur = join(mailboxes, box, 'Maildir', '.Drafts', 'cur');
            return existsSync(cur) ? readdirSync(cur).map((f) => readFileSync(join(cur, f), 'utf8')) : [];
          });
        };
        while (!drafts().some((d) => d.includes('The train, please.'))) await page.waitForTimeout(100); // the test's own timeout bounds it
        await page.locator('.tab:not(.dirty)', { hasText: 'Re: Trip plans' }).waitFor({ timeout: 20_000 });
        await shot('vscode-draft.png');

        // A reload (or a crash) keeps what was typed: the draft comes back from the Drafts folder.
        // (Whether VS Code restores the tab itself depends on whether it saved its layout before the
        // reload; the draft is opened from the Mail view, which works either way.)
        await page.reload();
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        const draftsFolder = rows.filter({ hasText: /^Drafts/ }).first();
        await draftsFolder.waitFor({ timeout: 15_000 }).catch(async () => {
          await showMailView(page);
          await draftsFolder.waitFor({ timeout: 30_000 });
        });
        if ((await draftsFolder.getAttribute('aria-expanded')) !== 'true') await draftsFolder.locator('.monaco-tl-twistie').click();
        await rows.filter({ hasText: 'Re: Trip plans' }).first().click({ timeout: 20_000 });
        await editor.locator('.view-line', { hasText: 'The train, please.' }).waitFor({ timeout: 60_000 });
        await page.locator('.statusbar-item', { hasText: 'Mail Draft' }).waitFor({ timeout: 20_000 });
        await editor.locator('.view-line', { hasText: 'The train, please.' }).click();

        // Send: the sending password is offered from the POP3 account (same login, same host).
        await page.keyboard.press('Control+Enter');
        const offer = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Use the POP3 password of this account' });
        await offer.waitFor({ timeout: 20_000 });
        await offer.click();
        await page.locator('.tab', { hasText: 'Re: Trip plans' }).waitFor({ state: 'detached', timeout: 30_000 });
        await rows.filter({ hasText: /^Sent/ }).first().waitFor({ timeout: 30_000 });
        await rows.filter({ hasText: /^Sent/ }).first().click();
        // The Sent list names recipients where other lists name senders.
        const sent = await webviewFrame(page, '#grid');
        await sent.locator('#spacer .row[data-key]', { hasText: 'Re: Trip plans' }).waitFor({ timeout: 20_000 });
        assert.equal(await sent.locator('.colhead[data-column="from"]').getAttribute('title'), 'Sort by To');
        assert.equal(await rows.filter({ hasText: /^Drafts/ }).count(), 0, 'the draft is gone once sent');
        await page.locator('.tab', { hasText: /^Sent/ }).click({ button: 'middle' });
        await page.locator('.tab', { hasText: /^Sent/ }).waitFor({ state: 'detached' });

        // Fetched back (Postfix delivered it to alice), it sits under the original in its thread.
        await postfix.settled();
        const inbox = rows.filter({ hasText: /^Inbox/ }).first();
        const unread = Number(/(\d+) unread/.exec((await inbox.textContent()) ?? '')?.[1] ?? 0);
        await runCommand(page, 'Mail: Fetch Mail');
        // The tree redraws its rows when the reply arrives: a click on Inbox before that could land on another row.
        await rows.filter({ hasText: new RegExp(`^Inbox\\s*${unread + 1} unread`) }).waitFor({ timeout: 30_000 });
        await inbox.click();
        const list = await webviewFrame(page, '#grid');
        await list.locator('#spacer .row[data-key]', { hasText: 'Re: Trip plans' }).waitFor({ timeout: 30_000 });
        if ((await list.locator('#threaded[aria-pressed="true"]').count()) === 0) await list.locator('#threaded').click();
        const original = list.locator('#spacer .row[aria-level="1"]', { hasText: 'Trip plans' });
        await original.waitFor({ timeout: 20_000 });
        if ((await original.getAttribute('aria-expanded')) === 'false') await original.locator('[data-twisty]').click();
        const answer = list.locator('#spacer .row[aria-level="2"]', { hasText: 'Re: Trip plans' });
        await answer.waitFor({ timeout: 20_000 });
        const keys = await list.locator('#spacer .row[data-key]').evaluateAll((rows) => rows.map((r) => r.textContent ?? ''));
        const at = keys.findIndex((t) => t.includes('Trip plans') && !t.includes('Re:'));
        assert.ok(keys[at + 1]?.includes('Re: Trip plans'), `the reply right under the original: ${keys.join(' | ')}`);
      });
      const received = environment.dovecot.messageFiles('alice').map((f) => readFileSync(join(environment.dovecot.maildir('alice'), f), 'latin1')).find((m) => /^Subject: Re: Trip plans/m.test(m));
      assert.ok(received, 'the reply reached the server');
      assert.match(received, /^In-Reply-To: <trip\.plans@example\.org>/m);
      assert.match(received, /^From: =\?UTF-8\?B\?[^?]+\?= <alice@example\.org>/m, 'the display name, encoded');
    } finally {
      await postfix.stop();
      await environment.stop();
    }
  });
});
