/**
 * `npm run test:desktop`: the same in-VS-Code suite under @vscode/test-electron (desktop VS Code),
 * for machines that can download VS Code. Offline machines use the code-server launcher
 * (test/e2e/vscodeSuite.test.ts) instead.
 */
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { startEnvironment } from './environment';

const ROOT = join(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  const environment = await startEnvironment();
  try {
    await runTests({
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(__dirname, 'index.js'),
      launchArgs: [environment.workspace, '--user-data-dir', environment.userDataDir, '--disable-extensions', '--disable-workspace-trust'],
    });
    return 0;
  } catch (err) {
    console.error(`The desktop suite did not pass: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await environment.stop();
  }
}

void main().then((code) => process.exit(code));
