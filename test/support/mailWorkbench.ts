/**
 * A real VS Code with Mail Panel as a user installs it: code-server with the packaged .vsix, a
 * Chromium page on it with the Mail view open and the account showing. Runs `steps`, saves a
 * screenshot when they fail, and stops everything but the environment.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Environment } from '../vscode/environment';
import { launchChromium } from './browser';
import { startCodeServer } from './codeServer';
import { openMailView, rowsOf } from './workbench';

const ROOT = join(__dirname, '..', '..', '..');
export const VSIX = join(ROOT, 'out', 'mail-panel.vsix');
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export interface WorkbenchRun {
  /** The folder to open (default: the environment's workspace). */
  workspace?: string;
  /** code-server's port (VS Code in the browser keys a folder's workspace storage by its URL, port included). */
  port?: number;
  /** The screenshot saved in test-artifacts/ when the steps fail. */
  failureShot: string;
}

/** Returns the port code-server ran on. */
export async function withMailWorkbench(environment: Environment, run: WorkbenchRun, steps: (page: Page, shot: (name: string) => Promise<unknown>) => Promise<void>): Promise<number> {
  const server = await startCodeServer({ dir: environment.dir, workspace: run.workspace ?? environment.workspace, userDataDir: environment.userDataDir, install: [VSIX], port: run.port });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, name) });
  try {
    await openMailView(page, server.url);
    await rowsOf(page).filter({ hasText: 'alice@example.org' }).first().waitFor({ timeout: 30_000 });
    await steps(page, shot);
    return Number(new URL(server.url).port);
  } catch (err) {
    await shot(run.failureShot).catch(() => undefined);
    throw err;
  } finally {
    await browser.close();
    await server.stop();
  }
}
