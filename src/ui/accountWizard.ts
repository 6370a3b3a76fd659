/**
 * Add, Edit and Remove Account: QuickPick/InputBox steps, a connection test before saving, and
 * certificate trust on the spot. Passwords go to SecretStorage; settings get the rest.
 */
import { rm } from 'node:fs/promises';
import * as vscode from 'vscode';
import { guessServer, LOGIN_METHODS, newAccountId, pop3Options, validateAddress, validateHost, validatePort, type AccountConfig, type LoginMethod } from '../accounts/account';
import { adviseOn } from '../accounts/errorAdvice';
import { CertificateError, Pop3Client, Pop3Error, type Security } from '../pop3';
import type { MailService } from './mailService';
import { askTrust } from './errors';
import { withDelayedProgress } from './progress';
import { saveUserAccounts } from './settings';
import { askSmtp } from './smtpStep';

const SECURITY_ITEMS: Array<vscode.QuickPickItem & { value: Security }> = [
  { label: 'TLS', description: 'encrypted from the start (port 995)', value: 'tls' },
  { label: 'STARTTLS', description: 'upgrade to encryption, required (port 110)', value: 'starttls' },
  { label: 'None', description: 'unencrypted: only on a network you trust', value: 'none' },
];

/** What the wizard asks, in order; the password is never kept between runs. */
interface Answers {
  address: string;
  host: string;
  security: Security;
  port: string;
  user: string;
  password: string;
}

/** What was typed the last time the wizard was left unfinished: the next Add Account starts from it. */
let unfinished: Partial<Answers> | undefined;

const BACK = Symbol('back');
type StepResult<T> = T | typeof BACK | undefined;

/** Shows a wizard step until it gives a value, Back, or is left; `wire` hooks up how it gives a value. */
function showStep<T>(input: vscode.QuickInput & { onDidTriggerButton: vscode.Event<vscode.QuickInputButton> }, wire: (done: (result: StepResult<T>) => void) => void): Promise<StepResult<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: StepResult<T>) => {
      if (settled) return;
      settled = true;
      resolve(result);
      input.dispose();
    };
    wire(done);
    input.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done(BACK));
    input.onDidHide(() => done(undefined));
    input.show();
  });
}

/** One input step: Back (button, except on the first step) and Escape as well as Enter. */
function inputStep(title: string, step: number, value: string, prompt: string, validate: (v: string) => string | undefined, password = false): Promise<StepResult<string>> {
  const box = vscode.window.createInputBox();
  Object.assign(box, { title: `${title} (${step}/6)`, value, prompt, password, ignoreFocusOut: true, buttons: step > 1 ? [vscode.QuickInputButtons.Back] : [] });
  return showStep(box, (done) => {
    box.onDidChangeValue((v) => (box.validationMessage = validate(v)));
    box.onDidAccept(() => {
      box.validationMessage = validate(box.value);
      if (!box.validationMessage) done(box.value);
    });
  });
}

/** The security step: the current choice is the active one, so Enter keeps it. */
function securityStep(title: string, current: Security): Promise<StepResult<Security>> {
  const pick = vscode.window.createQuickPick<(typeof SECURITY_ITEMS)[number]>();
  Object.assign(pick, { title: `${title} (3/6)`, placeholder: 'Connection security', ignoreFocusOut: true, items: SECURITY_ITEMS, buttons: [vscode.QuickInputButtons.Back] });
  pick.activeItems = SECURITY_ITEMS.filter((i) => i.value === current);
  return showStep(pick, (done) => pick.onDidAccept(() => pick.activeItems[0] && done(pick.activeItems[0].value)));
}

/** The six steps, with Back; what was typed is kept when the wizard is left, for the next run. */
async function askAnswers(title: string, start: Partial<Answers>, defaultPortFor: (security: Security) => number): Promise<Answers | undefined> {
  const answers: Partial<Answers> = { ...start };
  const steps: Array<() => Promise<StepResult<unknown>>> = [
    () => inputStep(title, 1, answers.address ?? '', 'Your e-mail address', validateAddress),
    () => inputStep(title, 2, answers.host ?? guessServer(answers.address!).host, 'POP3 server name', validateHost),
    () => securityStep(title, answers.security ?? guessServer(answers.address!).security),
    () => inputStep(title, 4, answers.port ?? String(defaultPortFor(answers.security!)), 'Port', validatePort),
    () => inputStep(title, 5, answers.user ?? answers.address!, 'User name (often the address itself)', (v) => (v.trim() ? undefined : 'Enter the user name.')),
    () => inputStep(title, 6, answers.password ?? '', `Password for ${answers.user} (kept in VS Code's secret storage)`, (v) => (v ? undefined : 'Enter the password.'), true),
  ];
  const fields = ['address', 'host', 'security', 'port', 'user', 'password'] as const;
  for (let i = 0; i < steps.length; ) {
    const result = await steps[i]();
    if (result === BACK) {
      i = Math.max(0, i - 1);
      continue;
    }
    if (result === undefined) {
      unfinished = { ...answers, password: undefined };
      return undefined;
    }
    if (fields[i] === 'security' && result !== answers.security) answers.port = undefined; // the port follows a new choice
    (answers as Record<string, unknown>)[fields[i]] = result;
    i++;
  }
  unfinished = undefined;
  return answers as Answers;
}

/** `draft`: an account to edit, or the one whose test just failed (with the password typed for it). */
export async function addAccount(mail: MailService, draft?: Partial<AccountConfig>, typedPassword?: string): Promise<void> {
  const title = draft?.id && mail.account(draft.id) ? 'Edit Mail Account' : 'Add Mail Account';
  const start: Partial<Answers> = draft
    ? { address: draft.address, host: draft.host, security: draft.security, port: draft.port ? String(draft.port) : undefined, user: draft.user, password: typedPassword }
    : { ...unfinished };
  const answers = await askAnswers(title, start, (security) => (draft?.security === security && draft.port ? draft.port : security === 'tls' ? 995 : 110));
  if (!answers) return;
  const { address, host, security, port, user, password } = answers;

  let account: AccountConfig = {
    ...draft,
    id: draft?.id ?? newAccountId(address, mail.list().map((a) => a.id)),
    address: address.trim(),
    host: host.trim(),
    port: Number(port),
    security,
    user: user.trim(),
  };
  // A changed server or user invalidates a pinned certificate.
  if (draft && (draft.host !== account.host || draft.port !== account.port)) delete account.pinnedCertificate;

  for (;;) {
    const outcome = await testConnection(account, password);
    if (outcome === 'ok') break;
    if (outcome instanceof CertificateError && outcome.fingerprint256) {
      const pinned = await askTrust(account.host, outcome, account.address);
      if (!pinned) return;
      account = { ...account, pinnedCertificate: pinned };
      continue;
    }
    if (outcome instanceof Pop3Error && outcome.kind === 'insecure' && !account.allowInsecureAuth) {
      const pick = await vscode.window.showWarningMessage(outcome.message, { modal: true }, 'Allow Unencrypted Login');
      if (pick !== 'Allow Unencrypted Login') return;
      account = { ...account, allowInsecureAuth: true };
      continue;
    }
    const pick = await vscode.window.showErrorMessage(adviseOn(outcome, account.address).message, 'Edit', 'Choose Login Method', 'Save Anyway');
    if (pick === 'Edit') return addAccount(mail, account, password);
    if (pick === 'Choose Login Method') {
      const method = await pickLoginMethod(account.loginMethod);
      if (!method) return;
      account = { ...account, loginMethod: method };
      continue;
    }
    if (pick !== 'Save Anyway') return;
    break;
  }

  // The outgoing server last: leaving it empty (or Escape) keeps the account, to send later.
  const smtp = await askSmtp(account, mail.smtpPasswords, password);
  if (smtp) account = { ...account, smtp };
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
  return withDelayedProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the connection to ${account.host}…`, cancellable: true }, async (_report, signal) => {
    try {
      const client = await Pop3Client.connect(pop3Options(account, password, { signal, timeouts: { connectMs: 10_000, greetingMs: 15_000, responseMs: 20_000 } }));
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
