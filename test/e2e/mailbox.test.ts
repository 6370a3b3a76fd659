/**
 * Mail belongs to the user, not to the folder that happens to be open: in a real VS Code
 * (code-server, the packaged .vsix), mail fetched with one folder open is there, without a fetch,
 * with another folder open; and a store in the first version's place (the workspace's storage) is
 * moved on start and shows.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL } from '../support/codeServer';
import { ARTIFACTS, withMailWorkbench } from '../support/mailWorkbench';
import { needTool } from '../support/tier';
import { answerPassword, openMailView, rowsOf, runCommand } from '../support/workbench';
import { addAccountToUserSettings, startEnvironment } from '../vscode/environment';

const EXTENSION = 'mail-panel.mail-panel';
const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

/** The subjects in the tree, once the first expected one shows (no fetch). */
async function subjectsShown(page: Page, subjects: string[]): Promise<void> {
  for (const subject of subjects) await rowsOf(page).filter({ hasText: subject }).first().waitFor({ timeout: 30_000 });
}

describe('Where mail lives, in VS Code', { skip }, () => {
  test('mail fetched in one folder is there in another; a store in the old place is moved and shows', { timeout: 300_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const environment = await startEnvironment();
    addAccountToUserSettings(environment);
    const otherFolder = join(environment.dir, 'other-project');
    mkdirSync(otherFolder);
    try {
      const port = await withMailWorkbench(environment, { failureShot: 'mailbox-fetch-failure.png' }, async (page) => {
        await runCommand(page, 'Mail: Fetch Mail');
        await answerPassword(page, 'alice', environment.config.password);
        await subjectsShown(page, environment.config.subjects);
      });
      const global = join(environment.userDataDir, 'User', 'globalStorage', EXTENSION, 'mailboxes');
      const [store] = readdirSync(global);
      assert.match(store, /^alice@127\.0\.0\.1-\d+-[0-9a-f]{10}$/, 'the store is named by the account, in global storage');

      // Another folder: the same mailbox, no fetch (no password is asked).
      await withMailWorkbench(environment, { workspace: otherFolder, failureShot: 'mailbox-other-folder-failure.png' }, (page) => subjectsShown(page, environment.config.subjects));

      // The first version's place: <workspace storage>/accounts/<id>. Put the store back there; a start moves it.
      // (The first folder at the same URL, so the same workspace storage slot: code-server keys it by URL.)
      const workspaceStorage = join(environment.userDataDir, 'User', 'workspaceStorage');
      // code-server names each slot by a hash of the folder and records the folder's name in meta.json.
      const metaOf = (d: string) => (existsSync(join(workspaceStorage, d, 'meta.json')) ? (JSON.parse(readFileSync(join(workspaceStorage, d, 'meta.json'), 'utf8')) as { name?: string }) : {});
      const slot = readdirSync(workspaceStorage).find((d) => metaOf(d).name === basename(environment.workspace));
      assert.ok(slot, `the first folder has a workspace storage slot: ${readdirSync(workspaceStorage).join(' ')}`);
      const legacy = join(workspaceStorage, slot, EXTENSION, 'accounts', 'demo');
      mkdirSync(join(legacy, '..'), { recursive: true });
      renameSync(join(global, store), legacy);
      await withMailWorkbench(environment, { port, failureShot: 'mailbox-move-failure.png' }, (page) => subjectsShown(page, environment.config.subjects));
      assert.ok(existsSync(join(global, store, 'Maildir')), 'moved to its place in global storage');
      assert.equal(existsSync(legacy), false, 'and gone from the old one');
    } finally {
      await environment.stop();
    }
  });

  test('two windows on one account: a fetch in one shows in the other without fetching there', { timeout: 240_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const environment = await startEnvironment();
    addAccountToUserSettings(environment);
    try {
      await withMailWorkbench(environment, { failureShot: 'mailbox-two-windows-failure.png' }, async (page) => {
        const other = await page.context().browser()!.newPage({ viewport: { width: 1400, height: 860 } });
        await openMailView(other, page.url());
        await rowsOf(other).filter({ hasText: 'alice@example.org' }).first().waitFor({ timeout: 60_000 });
        assert.equal(await rowsOf(other).filter({ hasText: environment.config.subjects[0] }).count(), 0, 'nothing fetched yet');
        await runCommand(page, 'Mail: Fetch Mail');
        await answerPassword(page, 'alice', environment.config.password);
        await subjectsShown(page, environment.config.subjects);
        await subjectsShown(other, environment.config.subjects); // the other window read the store again
        await other.close();
      });
    } finally {
      await environment.stop();
    }
  });

  test('Account Settings: a setting is changed from a list, without JSON, and saved where the account is defined', { timeout: 240_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const environment = await startEnvironment();
    addAccountToUserSettings(environment);
    type Saved = { checkIntervalMinutes?: number; policy?: { deleteAfterDownload?: boolean } };
    /** The account as settings.json has it; undefined while VS Code is writing the file (it writes in place). */
    const saved = (): Saved | undefined => {
      try {
        return (JSON.parse(readFileSync(join(environment.userDataDir, 'User', 'settings.json'), 'utf8')) as { 'mailPanel.accounts': Saved[] })['mailPanel.accounts'][0];
      } catch {
        return undefined;
      }
    };
    const until = async (what: string, check: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await withMailWorkbench(environment, { failureShot: 'mailbox-account-settings-failure.png' }, async (page) => {
        const row = (label: string) => page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
        await runCommand(page, 'Mail: Account Settings');
        await row('Check for new mail automatically').waitFor({ timeout: 20_000 });
        assert.match(await row('Check for new mail automatically').innerText(), /every 10 minutes/);
        await row('Check for new mail automatically').click();
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Check for new mail automatically' }).waitFor();
        await input.fill('0');
        await page.keyboard.press('Enter');
        await until('the interval saved', () => saved()?.checkIntervalMinutes === 0);
        await row('Leave mail on the server').waitFor({ timeout: 20_000 });
        await page.waitForFunction(() => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')].some((r) => /Check for new mail automatically\s*Off/.test(r.textContent ?? '')), undefined, { timeout: 20_000 });
        await row('Leave mail on the server').click();
        await until('leave on server saved', () => saved()?.policy?.deleteAfterDownload === true);
        await page.waitForFunction(() => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')].some((r) => /Leave mail on the server after downloading it\s*No/.test(r.textContent ?? '')), undefined, { timeout: 20_000 });
        await page.keyboard.press('Escape');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

        // The Getting Started walkthrough is there, with its steps.
        await runCommand(page, 'Welcome: Open Walkthrough...');
        await row('Get Started with Mail Panel').click({ timeout: 20_000 });
        await page.getByText('Where your mail is kept').first().waitFor({ timeout: 20_000 });
        await page.getByText('Add your mail account').first().waitFor();
      });
    } finally {
      await environment.stop();
    }
  });
});

