/**
 * What the in-VS-Code suite runs against: a private Dovecot with a known mailbox, and a
 * workspace folder holding `.mailpanel-test.json` that tells the suite where everything is.
 * Shared by both launchers (code-server here, @vscode/test-electron on machines with internet).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type Dovecot } from '../support/dovecot';

export interface SuiteConfig {
  pop3sPort: number;
  fingerprint256: string;
  user: string;
  password: string;
  maildir: string;
  subjects: string[];
  /** Where the suite writes "N passed, N failed" and each test's line. */
  resultsPath: string;
  /** Settings files that must never contain the password. */
  settingsFiles: string[];
}

export const SUBJECTS = ['Welcome to Mail Panel', 'Quarterly report', 'Lunch on Friday?'];

export interface Environment {
  dir: string;
  workspace: string;
  userDataDir: string;
  config: SuiteConfig;
  dovecot: Dovecot;
  stop(): Promise<void>;
}

/** `remoteOrigin`: where the messages' remote images point (a server that counts requests). */
export async function startEnvironment(remoteOrigin = 'http://127.0.0.1:9'): Promise<Environment> {
  const dir = mkdtempSync(join(tmpdir(), 'mailpanel-vscode-'));
  const workspace = join(dir, 'workspace');
  const userDataDir = join(dir, 'user-data');
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const dovecot = await startDovecot(['alice'], `pw-${randomBytes(9).toString('base64url')}`);
  dovecot.deliver(
    'alice',
    SUBJECTS.map((subject, i) =>
      Buffer.from(
        `From: Mail Panel Tests <tests@example.org>\r\nTo: alice@example.org\r\nSubject: ${subject}\r\nDate: Mon, 0${i + 2} Nov 2026 09:00:00 +0000\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Body of <b>${subject}</b>.</p><img id="remote-image" src="${remoteOrigin}/remote-${i}.png">\r\n`,
      ),
    ),
  );
  const config: SuiteConfig = {
    pop3sPort: dovecot.pop3sPort,
    fingerprint256: dovecot.fingerprint256,
    user: 'alice',
    password: dovecot.password,
    maildir: dovecot.maildir('alice'),
    subjects: SUBJECTS,
    resultsPath: join(dir, 'results.txt'),
    settingsFiles: [join(userDataDir, 'User', 'settings.json'), join(workspace, '.vscode', 'settings.json')],
  };
  writeFileSync(join(workspace, '.mailpanel-test.json'), JSON.stringify(config, null, 2));
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'update.mode': 'none',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'workbench.tips.enabled': false,
      'workbench.enableExperiments': false,
      'chat.disableAIFeatures': true,
      'workbench.welcomePage.walkthroughs.openOnInstall': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    }),
  );
  return {
    dir,
    workspace,
    userDataDir,
    config,
    dovecot,
    async stop() {
      await dovecot.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Puts the Dovecot account (id "demo", TLS, its certificate pinned) into the user settings, with other settings. */
export function addAccountToUserSettings(environment: Environment, settings: Record<string, unknown> = {}): void {
  const path = join(environment.userDataDir, 'User', 'settings.json');
  const { config } = environment;
  const account = { id: 'demo', address: 'alice@example.org', host: '127.0.0.1', port: config.pop3sPort, security: 'tls', user: 'alice', pinnedCertificate: config.fingerprint256 };
  writeFileSync(path, JSON.stringify({ ...(JSON.parse(readFileSync(path, 'utf8')) as object), 'mailPanel.accounts': [account], ...settings }));
}
