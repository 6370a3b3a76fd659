/**
 * `npm run demo`: serves the sample mailbox from a POP3 server of our own on 127.0.0.1 and opens
 * VS Code with Mail Panel and a demo account pointed at it — the desktop `code` when installed,
 * otherwise code-server in the browser (its URL is printed). Ctrl+C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { startPop3Server } from './pop3Server';
import { startDemoSmtp } from './smtpServer';
import { sampleMailbox } from './sampleMailbox';

const ROOT = resolve(__dirname, '..'); // bundled to dist/demo.js
const CACHE = process.env.MAILPANEL_CACHE ?? join(homedir(), '.cache', 'mail-panel');
const CODE_SERVER = join(CACHE, 'code-server-4.139.1', 'bin', 'code-server');
const NODE24 = join(CACHE, 'node-24.21.0', 'bin');
const DEMO = join(CACHE, 'demo');
const USER = 'demo';
const PASSWORD = 'demo';
const ADDRESS = 'demo@mailpanel.test';

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function step(text: string): void {
  console.log(`\u001b[1m›\u001b[0m ${text}`);
}

async function main(): Promise<void> {
  const messages = sampleMailbox();
  const pop3 = await startPop3Server({ messages, user: USER, pass: PASSWORD, greeting: '+OK Mail Panel demo server ready' });
  step(`Demo POP3 server on 127.0.0.1:${pop3.port} with ${messages.length} messages`);
  // Mail sent to the demo address comes back with the next fetch.
  const smtp = await startDemoSmtp({ user: USER, pass: PASSWORD }, ADDRESS, (message) => pop3.mailbox.push({ uid: `sent-${pop3.mailbox.length + pop3.deleted.length + 1}-${Date.now()}`, data: message }));
  step(`Demo SMTP server on 127.0.0.1:${smtp.port}: write to ${ADDRESS} and fetch it back`);

  // A fresh profile each run: the demo never touches your own VS Code settings or mail.
  rmSync(DEMO, { recursive: true, force: true });
  const workspace = join(DEMO, 'workspace');
  const userData = join(DEMO, 'user-data');
  const extensions = join(DEMO, 'extensions');
  for (const dir of [workspace, join(userData, 'User'), extensions]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(workspace, 'README.md'), '# Mail Panel demo\n\nOpen the Mail view in the activity bar and run **Mail: Fetch Mail**.\nThe demo password is `demo`.\n\nReply to a message, or write a **New Message** to demo@mailpanel.test: Ctrl+Enter sends it, and the next fetch brings it back.\n');
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'mailPanel.accounts': [
          {
            id: 'demo',
            address: ADDRESS,
            name: 'Demo User',
            host: '127.0.0.1',
            port: pop3.port,
            security: 'none',
            user: USER,
            allowInsecureAuth: true,
            smtp: { host: '127.0.0.1', port: smtp.port, security: 'none', user: USER, allowInsecureAuth: true },
          },
        ],
        // No README preview at start: it opened late on a loaded machine and covered the message
        // the user had just opened. The terminal and the Mail view say what to do.
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
      },
      null,
      2,
    ),
  );

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    step('Stopping…');
    for (const child of children) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    }
    await pop3.close();
    await smtp.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  console.log(`\n  The demo account is set up; when Mail Panel asks for its password, type: ${PASSWORD}\n`);
  if (onPath('code') && !process.env.MAILPANEL_DEMO_BROWSER) {
    step('Opening VS Code (desktop) with Mail Panel from this folder…');
    const code = spawn('code', ['--wait', '--new-window', '--user-data-dir', userData, '--extensions-dir', extensions, `--extensionDevelopmentPath=${ROOT}`, workspace], { stdio: 'inherit', detached: true });
    children.push(code);
    code.on('exit', () => void stop());
    return;
  }

  if (!existsSync(CODE_SERVER)) {
    step('VS Code is not installed here: installing code-server from the npm registry (first run only, a few minutes)…');
    const install = spawnSync('bash', [join(ROOT, 'scripts', 'vscode', 'install-code-server.sh')], { stdio: 'inherit' });
    if (install.status !== 0) {
      console.error('Could not install code-server (it needs: build-essential pkg-config python3 libkrb5-dev).');
      return stop(1);
    }
  }
  step('Packaging the extension…');
  const vsix = join(DEMO, 'mail-panel.vsix');
  const pack = spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--skip-license', '-o', vsix], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (pack.status !== 0) return stop(1);
  const env = { ...process.env, PATH: `${NODE24}:${process.env.PATH}`, XDG_CONFIG_HOME: join(DEMO, 'xdg'), XDG_DATA_HOME: join(DEMO, 'xdg'), XDG_CACHE_HOME: join(DEMO, 'xdg') };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  spawnSync(CODE_SERVER, [...common, '--install-extension', vsix], { env, stdio: 'ignore' });
  const port = await freePort();
  const server = spawn(CODE_SERVER, [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace], { env, stdio: 'ignore', detached: true });
  children.push(server);
  server.on('exit', (code) => {
    if (!stopping) console.error(`code-server exited (${code}).`);
    void stop(code ?? 1);
  });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  step(`Open in your browser:  http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  step('Press Ctrl+C to stop the demo.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
