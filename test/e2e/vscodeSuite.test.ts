/**
 * Runs the Mocha suite of test/vscode/ inside a real VS Code: code-server's Node extension
 * host, loaded in Debian's Chromium through the smoke-test driver's extensionTestsPath payload.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { launchChromium, CHROMIUM_BIN, CHROMIUM_INSTALL } from '../support/browser';
import { CODE_SERVER_BIN, CODE_SERVER_INSTALL, startCodeServer } from '../support/codeServer';
import { needTool } from '../support/tier';
import { startEnvironment } from '../vscode/environment';

const ROOT = join(__dirname, '..', '..', '..');
const skip = needTool('vscode', CODE_SERVER_BIN, CODE_SERVER_INSTALL) || needTool('vscode', CHROMIUM_BIN, CHROMIUM_INSTALL);

describe('inside VS Code (code-server)', { skip }, () => {
  test('the extension test suite passes in the extension host', { timeout: 240_000 }, async () => {
    const environment = await startEnvironment();
    const server = await startCodeServer({ dir: environment.dir, workspace: environment.workspace, userDataDir: environment.userDataDir, testDriver: true });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const hostLog: string[] = [];
      let exit: (code: unknown) => void = () => undefined;
      const exited = new Promise((resolve) => (exit = resolve));
      await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => hostLog.push(`[${type}] ${(args ?? []).join(' ')}`));
      await page.exposeFunction('codeAutomationExit', (code: unknown) => exit(code));
      const remote = (path: string) => `vscode-remote://${server.host}${path}`;
      const payload = [
        ['extensionDevelopmentPath', remote(ROOT)],
        ['extensionTestsPath', remote(join(ROOT, 'out', 'test', 'vscode', 'index.js'))],
        ['skipWelcome', 'true'],
      ];
      await page.goto(`${server.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 180_000)))]);
      clearTimeout(timer);
      const results = existsSync(environment.config.resultsPath) ? readFileSync(environment.config.resultsPath, 'utf8') : '(no results written)';
      console.log(results.replace(/^/gm, '# '));
      assert.equal(code, 0, `extension host exit: ${String(code)}\n${results}\n${hostLog.slice(-40).join('\n')}\n${server.log().slice(-3000)}`);
      const summary = /^(\d+) passed, (\d+) failed$/m.exec(results);
      assert.ok(summary && Number(summary[1]) >= 6 && summary[2] === '0', results);
    } finally {
      await browser.close();
      await server.stop();
      await environment.stop();
    }
  });
});
