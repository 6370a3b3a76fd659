/// <reference lib="dom" />
/**
 * The README's first command, as a newcomer runs it: the demo starts its POP3 and SMTP servers and a
 * real VS Code (code-server here), the sample mailbox is fetched and read, a new message to the demo
 * address is sent and fetched back, and Ctrl+C stops it all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHROMIUM_BIN, CHROMIUM_INSTALL, launchChromium } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL } from '../support/codeServer';
import { needTool } from '../support/tier';
import { answerPassword, openMailView, rowsOf, runCommand } from '../support/workbench';

const ROOT = join(__dirname, '..', '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

const listening = (url: string) => fetch(url).then(() => true, () => false);

describe('the demo (npm run demo)', { skip }, () => {
  test('serves the sample mailbox in VS Code, and Ctrl+C stops everything', { timeout: 240_000 }, async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const demo = spawn(process.execPath, [join(ROOT, 'dist', 'demo.js')], { env: { ...process.env, MAILPANEL_DEMO_BROWSER: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    demo.stdout.on('data', (d) => (output += d));
    demo.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve));
    const browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    try {
      const start = Date.now();
      while (!/Open in your browser:\s+(\S+)/.test(output)) {
        assert.ok(Date.now() - start < 120_000 && demo.exitCode === null, `demo did not print its URL:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const url = /Open in your browser:\s+(\S+)/.exec(output)![1];
      const pop3Port = Number(/127\.0\.0\.1:(\d+) with/.exec(output)![1]);
      await openMailView(page, url);
      await runCommand(page, 'Mail: Fetch Mail');
      await answerPassword(page, 'demo', 'demo');
      const rows = rowsOf(page);
      await rows.filter({ hasText: 'Welcome to Mail Panel' }).first().waitFor({ timeout: 30_000 });
      await rows.filter({ hasText: 'Welcome to Mail Panel' }).first().click();
      const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
      await frame.locator('#subject', { hasText: 'Welcome to Mail Panel' }).waitFor({ timeout: 30_000 });
      // The inline (cid:) logo comes from the message itself.
      const logo = frame.frameLocator('#mail-frame').locator('img[alt="Mail Panel logo"]');
      await logo.waitFor();
      assert.equal(await logo.evaluate((img) => (img as HTMLImageElement).naturalWidth), 96);
      await page.screenshot({ path: join(ARTIFACTS, 'demo.png') });

      // Writing: a new message to the demo address goes out through the demo's SMTP server and comes back.
      await runCommand(page, 'Mail: New Message');
      const editor = page.locator('.editor-instance .monaco-editor').first();
      await editor.locator('.view-line', { hasText: 'From: Demo User <demo@mailpanel.test>' }).waitFor({ timeout: 30_000 });
      // Addresses complete from the mail, as a newcomer takes them. Typing on without taking one raced
      // the suggestions: while several show (or still load), ArrowDown moves through them, not down a line.
      await page.keyboard.type('demo@mailpanel');
      await page.locator('.suggest-widget .monaco-list-row', { hasText: 'Demo User <demo@mailpanel.test>' }).click({ timeout: 30_000 });
      await editor.locator('.view-line', { hasText: 'To: Demo User <demo@mailpanel.test>' }).waitFor();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('End');
      await page.keyboard.type('Hello from the demo');
      await editor.locator('.view-line', { hasText: 'Subject: Hello from the demo' }).waitFor();
      await page.keyboard.press('Control+Enter');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Use the POP3 password of this account' }).click({ timeout: 30_000 });
      await rows.filter({ hasText: /^Sent/ }).first().waitFor({ timeout: 30_000 });
      await runCommand(page, 'Mail: Fetch Mail');
      await rows.filter({ hasText: 'Hello from the demo' }).first().waitFor({ timeout: 30_000 });
      const smtpPort = Number(/Demo SMTP server on 127\.0\.0\.1:(\d+)/.exec(output)![1]);

      demo.kill('SIGINT'); // Ctrl+C
      assert.equal(await exited, 0, output);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await listening(new URL(url).origin + '/healthz'), false, 'code-server stopped');
      assert.equal(await listening(`http://127.0.0.1:${pop3Port}/`), false, 'the demo POP3 server stopped');
      assert.equal(await listening(`http://127.0.0.1:${smtpPort}/`), false, 'the demo SMTP server stopped');
    } catch (err) {
      await page.screenshot({ path: join(ARTIFACTS, 'demo-failure.png') }).catch(() => undefined);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\ndemo output:\n${output}`, { cause: err });
    } finally {
      // Whatever failed, nothing outlives the test: the demo stops code-server and its POP3 server
      // on SIGTERM as on Ctrl+C; only if it does not exit in time is it killed outright.
      if (demo.exitCode === null && demo.signalCode === null) {
        demo.kill('SIGTERM');
        const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 15_000).unref());
        if ((await Promise.race([exited, timer])) === 'late') demo.kill('SIGKILL');
      }
      await browser.close();
    }
  });
});
