/**
 * Add, Edit and Remove Account: QuickPick/InputBox steps, a connection test before saving, and
 * certificate trust on the spot. Passwords go to SecretStorage; settings get the rest.
 */
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import { guessServer, LOGIN_METHODS, newAccountId, pop3Options, validateAddress, validateHost, validatePort, type AccountConfig, type LoginMethod } from '../accounts/account';
import { adviseOn } from '../accounts/errorAdvice';
import { CertificateError, Pop3Client, Pop3Error, formatFingerprint, type Security } from '../pop3';
import type { MailService } from './mailService';
import { saveUserAccounts } from './settings';

const SECURITY_ITEMS: Array<vscode.QuickPickItem & { value: Security }> = [
  { label: 'TLS', description: 'encrypted from the start (port 995)', value: 'tls' },
  { label: 'STARTTLS', description: 'upgrade to encryption, required (port 110)', value: 'starttls' },
  { label: 'None', description: 'unencrypted: only on a network you trust', value: 'none' },
];

async function ask(title: string, step: number, value: string, prompt: string, validate?: (v: string) => string | undefined, password = false): Promise<string | undefined> {
  return vscode.window.showInputBox({ title: `${title} (${step}/6)`, value, prompt, password, ignoreFocusOut: true, validateInput: validate });
}

export async function addAccount(mail: MailService, draft?: Partial<AccountConfig>): Promise<void> {
  const title = draft?.id ? 'Edit Mail Account' : 'Add Mail Account';
  const address = await ask(title, 1, draft?.address ?? '', 'Your e-mail address', validateAddress);
  if (!address) return;
  const guess = guessServer(address);
  const host = await ask(title, 2, draft?.host ?? guess.host, 'POP3 server name', validateHost);
  if (!host) return;
  const security = await vscode.window.showQuickPick(
    SECURITY_ITEMS.map((i) => ({ ...i, picked: i.value === (draft?.security ?? guess.security) })),
    { title: `${title} (3/6)`, placeHolder: 'Connection security', ignoreFocusOut: true },
  );
  if (!security) return;
  const defaultPort = draft?.security === security.value && draft.port ? draft.port : security.value === 'tls' ? 995 : 110;
  const port = await ask(title, 4, String(defaultPort), 'Port', validatePort);
  if (!port) return;
  const user = await ask(title, 5, draft?.user ?? address, 'User name (often the address itself)', (v) => (v.trim() ? undefined : 'Enter the user name.'));
  if (!user) return;
  const password = await ask(title, 6, '', `Password for ${user} (kept in VS Code's secret storage)`, (v) => (v ? undefined : 'Enter the password.'), true);
  if (password === undefined) return;

  let account: AccountConfig = {
    ...draft,
    id: draft?.id ?? newAccountId(address, mail.list().map((a) => a.id)),
    address: address.trim(),
    host: host.trim(),
    port: Number(port),
    security: security.value,
    user: user.trim(),
  };
  // A changed server or user invalidates a pinned certificate.
  if (draft && (draft.host !== account.host || draft.port !== account.port)) delete account.pinnedCertificate;

  for (;;) {
    const outcome = await testConnection(account, password);
    if (outcome === 'ok') break;
    if (outcome instanceof CertificateError && outcome.fingerprint256) {
      const pick = await vscode.window.showWarningMessage(
        `The certificate of ${account.host} is not trusted (${outcome.reason}).`,
        { modal: true, detail: `SHA-256 fingerprint:\n${formatFingerprint(outcome.fingerprint256)}\n\nTrust it only if it matches what your mail provider publishes.` },
        'Trust This Certificate',
      );
      if (pick !== 'Trust This Certificate') return;
      account = { ...account, pinnedCertificate: formatFingerprint(outcome.fingerprint256) };
      continue;
    }
    if (outcome instanceof Pop3Error && outcome.kind === 'insecure' && !account.allowInsecureAuth) {
      const pick = await vscode.window.showWarningMessage(outcome.message, { modal: true }, 'Allow Unencrypted Login');
      if (pick !== 'Allow Unencrypted Login') return;
      account = { ...account, allowInsecureAuth: true };
      continue;
    }
    const pick = await vscode.window.showErrorMessage(adviseOn(outcome, account.address).message, 'Edit', 'Choose Login Method', 'Save Anyway');
    if (pick === 'Edit') return addAccount(mail, account);
    if (pick === 'Choose Login Method') {
      const method = await pickLoginMethod(account.loginMethod);
      if (!method) return;
      account = { ...account, loginMethod: method };
      continue;
    }
    if (pick !== 'Save Anyway') return;
    break;
  }

  await mail.passwords.store(account, password);
  await saveUserAccounts((list) => [...list.filter((a) => a.id !== account.id), account]);
  mail.reloadAccounts();
  const fetchNow = await vscode.window.showInformationMessage(`${account.address} is set up.`, 'Fetch Mail Now');
  if (fetchNow) await mail.fetch(account.id);
}

const LOGIN_METHOD_LABELS: Record<LoginMethod, string> = {
  auto: 'the strongest the server offers, then the next if it is refused',
  'CRAM-MD5': 'the password never crosses the network',
  APOP: 'the password never crosses the network',
  PLAIN: 'SASL PLAIN',
  LOGIN: 'SASL LOGIN',
  USER: 'USER and PASS',
};

async function pickLoginMethod(current: LoginMethod = 'auto'): Promise<LoginMethod | undefined> {
  const pick = await vscode.window.showQuickPick(
    LOGIN_METHODS.map((m) => ({ label: m === 'auto' ? 'Automatic' : m, description: LOGIN_METHOD_LABELS[m], picked: m === current, value: m })),
    { title: 'Login Method', placeHolder: 'How to log in to this server', ignoreFocusOut: true },
  );
  return pick?.value;
}

async function testConnection(account: AccountConfig, password: string): Promise<'ok' | unknown> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the connection to ${account.host}…`, cancellable: true }, async (_p, token) => {
    const controller = new AbortController();
    token.onCancellationRequested(() => controller.abort());
    try {
      const client = await Pop3Client.connect(
        pop3Options(account, password, { signal: controller.signal, timeouts: { connectMs: 10_000, greetingMs: 15_000, responseMs: 20_000 } }),
      );
      await client.quit();
      return 'ok';
    } catch (err) {
      return err;
    }
  });
}

export async function pickAccount(mail: MailService, title: string, id?: unknown): Promise<AccountConfig | undefined> {
  if (typeof id === 'string') return mail.account(id);
  if (id && typeof id === 'object' && 'accountId' in id) return mail.account(String((id as { accountId: string }).accountId));
  const accounts = mail.list();
  if (accounts.length === 0) {
    const add = await vscode.window.showInformationMessage('There is no mail account yet.', 'Add Account');
    if (add) await vscode.commands.executeCommand('mailPanel.addAccount');
    return undefined;
  }
  if (accounts.length === 1) return accounts[0];
  const pick = await vscode.window.showQuickPick(accounts.map((a) => ({ label: a.address, description: `${a.host}:${a.port}`, account: a })), { title });
  return pick?.account;
}

export async function editAccount(mail: MailService, arg?: unknown): Promise<void> {
  const account = await pickAccount(mail, 'Edit Account', arg);
  if (account) await addAccount(mail, account);
}

export async function removeAccount(mail: MailService, arg?: unknown): Promise<void> {
  const account = await pickAccount(mail, 'Remove Account', arg);
  if (!account) return;
  const pick = await vscode.window.showWarningMessage(
    `Remove ${account.address} from Mail Panel?`,
    { modal: true, detail: 'Mail on the server is not touched. The messages already downloaded can be kept (adding the same account again shows them) or deleted.' },
    'Remove, Keep Mail',
    'Remove and Delete Mail',
  );
  if (!pick) return;
  const storeRoot = mail.storeRoot(account.id); // before the account leaves the settings
  await saveUserAccounts((list) => list.filter((a) => a.id !== account.id));
  await mail.passwords.delete(account);
  if (pick === 'Remove and Delete Mail') await rm(storeRoot, { recursive: true, force: true });
  mail.reloadAccounts();
}
