/**
 * "Mail: Add Account" as a person does it, in a real VS Code (code-server, the packaged .vsix):
 * the input steps, the connection test before saving, the untrusted (self-signed) certificate
 * shown with its fingerprint and trusted by pinning, the outgoing server asked for and tested
 * (through a real Postfix), then the first fetch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL, startCodeServer } from '../support/codeServer';
import { POSTFIX_BIN, POSTFIX_INSTALL, startPostfix } from '../support/postfix';
import { needTool } from '../support/tier';
import { openMailView, rowsOf, runCommand } from '../support/workbench';
import { startEnvironment } from '../vscode/environment';

const ROOT = join(__dirname, '..', '..', '..');
const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

describe('Add Account in VS Code', { skip }, () => {
  test('walks through the steps, tests the connection, pins the certificate, sets up sending, fetches', { skip: needTool('postfix', POSTFIX_BIN, POSTFIX_INSTALL), timeout: 240_000 }, async () => {
    const { environment, server, browser, page, title, input, answer } = await startWizard();
    const postfix = await startPostfix(environment.dovecot, ['alice']);
    try {
      await answer('(1/6)', 'alice@example.org');
      await title.filter({ hasText: '(2/6)' }).waitFor();
      assert.equal(await input.inputValue(), 'pop.example.org', 'the server is guessed from the address');
      await answer('(2/6)', '127.0.0.1');
      await title.filter({ hasText: '(3/6)' }).waitFor();
      await pick(page, 'TLS');
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
      // The outgoing server: guessed from the address, tested with the POP3 login, its certificate pinned too.
      await title.filter({ hasText: 'Sending mail from alice@example.org' }).waitFor({ timeout: 30_000 });
      assert.equal(await input.inputValue(), 'smtp.example.org');
      await input.fill(`127.0.0.1:${postfix.submissionPort}`);
      await page.keyboard.press('Enter');
      await dialog.filter({ hasText: postfix.fingerprint256 }).waitFor({ timeout: 30_000 });
      await dialog.locator('.monaco-button', { hasText: 'Trust This Certificate' }).click();
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'alice@example.org is set up' });
      await toast.waitFor({ timeout: 30_000 });
      await toast.locator('.monaco-button', { hasText: 'Fetch Mail Now' }).click();
      const rows = rowsOf(page);
      for (const subject of environment.config.subjects) await rows.filter({ hasText: subject }).first().waitFor({ timeout: 30_000 });
      const settings = JSON.parse(readFileSync(join(environment.userDataDir, 'User', 'settings.json'), 'utf8')) as { 'mailPanel.accounts': Array<{ pinnedCertificate?: string; host: string; smtp?: Record<string, unknown> }> };
      const saved = settings['mailPanel.accounts'];
      assert.equal(saved.length, 1);
      assert.equal(saved[0].pinnedCertificate, environment.config.fingerprint256);
      assert.deepEqual(saved[0].smtp, { host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: 'alice', pinnedCertificate: postfix.fingerprint256 });
      assert.ok(!JSON.stringify(settings).includes(environment.config.password), 'no password in settings');
    } catch (err) {
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'add-account-failure.png') }).catch(() => undefined);
      throw err;
    } finally {
      await browser.close();
      await server.stop();
      await postfix.stop();
      await environment.stop();
    }
  });

  test('a refused login offers Choose Login Method; the method picked is tested and saved with the account', { timeout: 240_000 }, async () => {
    const wizard = await startWizard();
    const { environment, server, browser, page, title } = wizard;
    try {
      await answerSteps(wizard, environment.config.pop3sPort, 'not-the-password');
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30_000 });
      await dialog.locator('.monaco-button', { hasText: 'Trust This Certificate' }).click();
      // Every mechanism refuses a wrong password: the error offers a named login method.
      const refused = page.locator('.notifications-toasts .notification-list-item', { hasText: /password/i }).last();
      await refused.locator('.monaco-button', { hasText: 'Choose Login Method' }).click({ timeout: 30_000 });
      await title.filter({ hasText: 'Login Method' }).waitFor({ timeout: 20_000 });
      await pick(page, 'USER');
      const again = page.locator('.notifications-toasts .notification-list-item', { hasText: /password/i }).last();
      await again.locator('.monaco-button', { hasText: 'Save Anyway' }).click({ timeout: 30_000 });
      // Sending is left for later (Escape): the account is saved all the same.
      await title.filter({ hasText: 'Sending mail from' }).waitFor({ timeout: 20_000 });
      await page.keyboard.press('Escape');
      const settingsPath = join(environment.userDataDir, 'User', 'settings.json');
      const start = Date.now();
      let saved: Array<{ loginMethod?: string }> = [];
      while (saved.length === 0 && Date.now() - start < 20_000) {
        try {
          saved = (JSON.parse(readFileSync(settingsPath, 'utf8')) as { 'mailPanel.accounts'?: Array<{ loginMethod?: string }> })['mailPanel.accounts'] ?? [];
        } catch {
          // not written yet
        }
        if (saved.length === 0) await page.waitForTimeout(100);
      }
      assert.equal(saved[0]?.loginMethod, 'USER');
    } catch (err) {
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'add-account-login-method-failure.png') }).catch(() => undefined);
      throw err;
    } finally {
      await browser.close();
      await server.stop();
      await environment.stop();
    }
  });
});

describe('Add Account: Back, and nothing typed is lost', { skip }, () => {
  test('Back on every step returns what was typed; leaving keeps it for the next run; Enter keeps the security chosen', { timeout: 240_000 }, async () => {
    const { environment, server, browser, page, title, input, answer } = await startWizard();
    const back = () => page.locator('.quick-input-widget .action-label[aria-label^="Back"], .quick-input-widget .action-label[title^="Back"]').first().click();
    const at = async (step: string) => title.filter({ hasText: step }).waitFor({ timeout: 20_000 });
    const focusedRow = page.locator('.quick-input-widget .monaco-list-row.focused');
    try {
      await answer('(1/6)', 'alice@example.org');
      await answer('(2/6)', '127.0.0.1');
      await at('(3/6)');
      await pick(page, 'STARTTLS');
      await at('(4/6)');
      assert.equal(await input.inputValue(), '110', 'STARTTLS: port 110');
      await back();
      await at('(3/6)');
      assert.match(await focusedRow.innerText(), /STARTTLS/, 'back at security, the choice made is the active one');
      await page.keyboard.press('Enter');
      await at('(4/6)');
      assert.equal(await input.inputValue(), '110', 'Enter kept STARTTLS');
      await back();
      await at('(3/6)');
      await back();
      await at('(2/6)');
      assert.equal(await input.inputValue(), '127.0.0.1');
      await back();
      await at('(1/6)');
      assert.equal(await input.inputValue(), 'alice@example.org');
      // Leave the wizard: the next Add Account starts from what was typed.
      await page.keyboard.press('Escape');
      await title.waitFor({ state: 'hidden' });
      await runCommand(page, 'Mail: Add Account');
      await at('(1/6)');
      assert.equal(await input.inputValue(), 'alice@example.org');
      await page.keyboard.press('Enter');
      await at('(2/6)');
      assert.equal(await input.inputValue(), '127.0.0.1');
      await page.keyboard.press('Enter');
      await at('(3/6)');
      await page.keyboard.press('Enter');
      await at('(4/6)');
      assert.equal(await input.inputValue(), '110', 'the security chosen before is kept');
    } catch (err) {
      await page.screenshot({ path: join(ROOT, 'test-artifacts', 'add-account-back-failure.png') }).catch(() => undefined);
      throw err;
    } finally {
      await browser.close();
      await server.stop();
      await environment.stop();
    }
  });
});

type Wizard = Awaited<ReturnType<typeof startWizard>>;

/**
 * Picks the row labelled `label` in the open quick pick by typing it, as a person can: a click can
 * land while the list is still being laid out and choose another row.
 */
async function pick(page: Page, label: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-box input').fill(label);
  await page.locator('.quick-input-widget .monaco-list-row.focused .label-name', { hasText: new RegExp(`^${label}$`) }).waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
}

/** code-server with the packaged extension and a private Dovecot, at the first step of Add Account. */
async function startWizard() {
  const environment = await startEnvironment();
  const server = await startCodeServer({ dir: environment.dir, workspace: environment.workspace, userDataDir: environment.userDataDir, install: [join(ROOT, 'out', 'mail-panel.vsix')] });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
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
  return { environment, server, browser, page, title, input, answer };
}

/** The six steps, answered as a person would, for a TLS account on the private Dovecot. */
async function answerSteps({ page, title, answer }: Wizard, port: number, password: string): Promise<void> {
  await answer('(1/6)', 'alice@example.org');
  await answer('(2/6)', '127.0.0.1');
  await title.filter({ hasText: '(3/6)' }).waitFor();
  await pick(page, 'TLS');
  await answer('(4/6)', String(port));
  await answer('(5/6)', 'alice');
  await answer('(6/6)', password);
}
