/**
 * A real VS Code for tests on this offline machine: code-server (installed by
 * scripts/vscode/install-code-server.sh into a cache outside the repo) on 127.0.0.1, driven by
 * Debian's Chromium through playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './dovecot';

export const CODE_SERVER_VERSION = '4.139.1';
const CACHE = process.env.MAILPANEL_CACHE ?? join(homedir(), '.cache', 'mail-panel');
export const CODE_SERVER_BIN = join(CACHE, `code-server-${CODE_SERVER_VERSION}`, 'bin', 'code-server');
export const NODE24_BIN_DIR = join(CACHE, 'node-24.21.0', 'bin');
export const CODE_SERVER_INSTALL = 'code-server (bash scripts/vscode/install-code-server.sh)';

export interface CodeServer {
  url: string;
  host: string;
  log: () => string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  dir: string;
  workspace: string;
  userDataDir: string;
  /** Extensions to install first (.vsix paths). */
  install?: string[];
  /** A port of our choosing: VS Code in the browser keys a folder's workspace storage by its URL, port included. */
  port?: number;
  /** Accept an extensionTestsPath payload in the URL (the smoke-test driver). */
  testDriver?: boolean;
}

function env(dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${NODE24_BIN_DIR}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(dir, 'xdg-config'),
    XDG_DATA_HOME: join(dir, 'xdg-data'),
    XDG_CACHE_HOME: join(dir, 'xdg-cache'),
    CS_DISABLE_FILE_DOWNLOADS: '1',
  };
}

function run(args: string[], dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CODE_SERVER_BIN, args, { env: env(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  const extensionsDir = join(options.dir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  const configPath = join(options.dir, 'config.yaml');
  writeFileSync(configPath, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  quietSettings(options.userDataDir);
  const common = ['--config', configPath, '--user-data-dir', options.userDataDir, '--extensions-dir', extensionsDir];
  for (const vsix of options.install ?? []) await run([...common, '--install-extension', vsix], options.dir);
  const args = [
    ...common,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--disable-file-downloads',
    ...(options.testDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    options.workspace,
  ];
  // Its own process group, so that stopping it stops its extension host and helpers too.
  const child: ChildProcess = spawn(CODE_SERVER_BIN, args, { env: env(options.dir), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`code-server exited ${child.exitCode}:\n${log}`);
    const healthy = await fetch(`http://${host}/healthz`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (i > 300) throw new Error(`code-server did not start within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://${host}/?folder=${encodeURIComponent(options.workspace)}`,
    host,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function codeServerInstalled(): boolean {
  return existsSync(CODE_SERVER_BIN) && existsSync(join(NODE24_BIN_DIR, 'node'));
}

/**
 * No automatic port forwarding: on a busy machine code-server's port detection raises its own
 * "over 20 ports forwarded" toast at random moments, among the toasts a test waits for (it stood
 * alone where a login-error toast was awaited in a run beside a mutation job). Merged into the
 * user's settings.
 */
function quietSettings(userDataDir: string): void {
  const path = join(userDataDir, 'User', 'settings.json');
  let settings: Record<string, unknown> = {};
  try {
    settings = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet (or not plain JSON: then left as it is)
    if (existsSync(path)) return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ 'remote.autoForwardPorts': false, ...settings }, null, 2));
}
