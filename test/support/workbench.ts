/** Steps a person takes in VS Code's workbench (code-server, Code 1.139 selectors). */
import type { Frame, Page } from 'playwright-core';

export const rowsOf = (page: Page) => page.locator('.pane-body .monaco-list-row');

export async function openMailView(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await showMailView(page, 60_000);
}

/** Clicks the Mail icon in the activity bar. */
export async function showMailView(page: Page, timeout = 30_000): Promise<void> {
  // The item, not its icon: the extension starts with the window, and its unread badge may lie over the icon.
  await page.locator('.part.activitybar .action-item:has(a[aria-label^="Mail"])').first().click({ timeout });
}

/** Runs a command from the palette (F1), as typed by a person. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // VS Code gives a webview its focus back a moment after a palette closes, by a message to its frame:
  // one that lands after the next F1 closes the new palette. Seen as the input hidden: open it again.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    const ready = await input
      .fill(`>${title}`, { timeout: 10_000 })
      .then(() => page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 }))
      .then(() => input.evaluate((e) => e === document.activeElement))
      .catch(async (e: unknown) => {
        if (await input.isVisible()) throw e; // open, yet no such command: a real failure
        return false;
      });
    if (ready) break;
    if (attempt === 3) throw new Error(`the command palette closed three times before "${title}" could be run`);
  }
  await page.keyboard.press('Enter');
}

/** Answers Mail Panel's password prompt; returns the input's type (it must be "password"). */
export async function answerPassword(page: Page, user: string, password: string): Promise<string | null> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `Password for ${user}` }).waitFor({ timeout: 20_000 });
  const type = await input.getAttribute('type');
  await input.fill(password);
  await page.keyboard.press('Enter');
  return type;
}

/** The document of the webview showing `selector` (code-server nests each webview in two frames). */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await page.waitForTimeout(200); // frames come and go as panels open: look again
  }
}
