/**
 * "Mail: Add Account" as a person does it, in a real VS Code (code-server, the packaged .vsix):
 * the input steps, the connection test before saving, the untrusted (self-signed) certificate
 * shown with its fingerprint and trusted by pinning, then the first fetch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL, startCodeServer } from '../support/codeServer';
import { needTool } from '../support/tier';
import { openMailView, rowsOf } from '../support/workbench';
import { startEnvironment } from '../vscode/environment';

const ROOT = join(__dirname, '..', '..', '..');
const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

describe('Add Account in VS Code', { skip }, () => {
  test('walks through the steps, tests the connection, pins the certificate, fetches', { timeout: 240_000 }, async () => {
    const environment = await startEnvironment();
    const server = await startCodeServer({ dir: environment.dir, workspace: environment.workspace, userDataDir: environment.userDataDir, install: [join(ROOT, 'out', 'mail-panel.vsix')] });
    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    try {
      await openMailView(page, server.url);
      // The welcome view offers the first step.
      await page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'Add Account' }).first().click({ timeout: 30_000 });
      const input = page.locator('.quick-input-widget .quick-input-box input');
      const title = page.locator('.quick-input-widget .quick-input-title');
      const answer = async (step: string, value: string) => {
        await title.filter({ hasText: step }).waitFor({ timeout: 20_000 });
        await input.fill(value);
        await page.keyboard.press('Enter');
      };
      await answer('(1/6)', 'alice@example.org');
      await title.filter({ hasText: '(2/6)' }).waitFor();
      assert.equal(await input.inputValue(), 'pop.example.org', 'the server is guessed from the address');
      await answer('(2/6)', '127.0.0.1');
      await title.filter({ hasText: '(3/6)' }).waitFor();
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'TLS' }).first().click();
      await title.filter({ hasText: '(4/6)' }).waitFor();
      assert.equal(await input.inputValue(), '995');
      await answer('(4/6)', String(environment.config.pop3sPort));
      await answer('(5/6)', 'alice');
      await title.filter({ hasText: '(6/6)' }).waitFor();
      assert.equal(await input.getAttribute('type'), 'password');
      await answer('(6/6)', environment.config.password);
      // The test connection meets a self-signed certificate: its fingerprint is shown.
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30_000 });
      const text = await dialog.innerText();
      assert.match(text, /not trusted/);
      assert.ok(text.includes(environment.config.fingerprint256), `fingerprint shown: ${text}`);
      await dialog.locator('.monaco-button', { hasText: 'Trust This Certificate' }).click();
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'alice@example.org is set up' });
      await toast.waitFor({ timeout: 30_000 });
      await toast.locator('.monaco-button', { hasText: 'Fetch Mail Now' }).click();
      const rows = rowsOf(page);
      for (const subject of environment.config.subjects) await rows.filter({ hasText: subject }).first().waitFor({ timeout: 30_000 });
      const settings = JSON.parse(readFileSync(join(environment.userDataDir, 'User', 'settings.json'), 'utf8')) as { 'mailPanel.accounts': Array<{ pinnedCertificate?: string; host: string }> };
      const saved = settings['mailPanel.accounts'];
      assert.equal(saved.length, 1);
      assert.equal(saved[0].pinnedCertificate, environment.config.fingerprint256);
      assert.ok(!JSON.stringify(settings).includes(environment.config.password), 'no password in settings');
    } catch (err) {
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'add-account-failure.png') }).catch(() => undefined);
      throw err;
    } finally {
      await browser.close();
      await server.stop();
      await environment.stop();
    }
  });
});
