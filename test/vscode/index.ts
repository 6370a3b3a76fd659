/**
 * extensionTestsPath entry: VS Code calls run() inside the extension host. Runs the Mocha suite
 * files next to this one (*.suite.js) and writes a summary for the launcher.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('the test workspace is not open');
  const { resultsPath } = JSON.parse(readFileSync(join(folder, '.mailpanel-test.json'), 'utf8')) as { resultsPath: string };
  writeFileSync(resultsPath, '');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000 });
  for (const file of readdirSync(__dirname)) if (file.endsWith('.suite.js')) mocha.addFile(join(__dirname, file));
  await new Promise<void>((resolve, reject) => {
    let passed = 0;
    let failed = 0;
    const runner = mocha.run(() => {
      const line = `${passed} passed, ${failed} failed`;
      appendFileSync(resultsPath, `${line}\n`);
      if (failed > 0 || passed === 0) reject(new Error(line));
      else resolve();
    });
    runner.on('pass', (t) => {
      passed++;
      appendFileSync(resultsPath, `ok ${t.fullTitle()}\n`);
    });
    runner.on('fail', (t, err: Error) => {
      failed++;
      appendFileSync(resultsPath, `FAILED ${t.fullTitle()}: ${err.message}\n`);
    });
  });
}
