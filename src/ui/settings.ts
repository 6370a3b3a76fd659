/**
 * Accounts from settings, workspace-trust aware, and passwords from SecretStorage. Settings
 * never hold a password; the secret is keyed by user, host and port (see secretKey).
 */
import * as vscode from 'vscode';
import { parseAccount, secretKey, type AccountConfig } from '../accounts/account';

export const SECTION = 'mailPanel';

export interface LoadedAccounts {
  accounts: AccountConfig[];
  /** Entries that could not be read, each with the reason. */
  problems: string[];
}

/**
 * User settings always count; workspace settings only in a trusted workspace, so that opening
 * a folder cannot add an account that points somewhere of the folder's choosing.
 */
export function loadAccounts(): LoadedAccounts {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<unknown[]>('accounts');
  const sources = [inspected?.globalValue, ...(vscode.workspace.isTrusted ? [inspected?.workspaceValue, inspected?.workspaceFolderValue] : [])];
  const scopes = ['user', 'workspace', 'workspace'] as const;
  const byId = new Map<string, AccountConfig>();
  const problems: string[] = [];
  for (const [i, source] of sources.entries()) {
    if (source === undefined) continue;
    if (!Array.isArray(source)) {
      problems.push('"mailPanel.accounts" must be a list of accounts');
      continue;
    }
    for (const raw of source) {
      const parsed = parseAccount(raw);
      if ('error' in parsed) problems.push(parsed.error);
      else byId.set(parsed.account.id, { ...parsed.account, scope: scopes[i] });
    }
  }
  return { accounts: [...byId.values()], problems };
}

/** Writes the user-level account list (where Add/Edit/Remove act). */
export function saveUserAccounts(update: (accounts: AccountConfig[]) => AccountConfig[]): Promise<void> {
  return saveAccounts('user', update);
}

/** Writes the account list of user or workspace settings (an account is saved where it is defined). */
export async function saveAccounts(scope: 'user' | 'workspace', update: (accounts: AccountConfig[]) => AccountConfig[]): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<unknown[]>('accounts');
  const current = ((scope === 'user' ? inspected?.globalValue : inspected?.workspaceValue) ?? []).flatMap((raw) => {
    const parsed = parseAccount(raw);
    return 'account' in parsed ? [parsed.account] : [];
  });
  await config.update('accounts', update(current).map(stripDefaults), scope === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace);
}

function stripDefaults(a: AccountConfig): Partial<AccountConfig> {
  const out: Partial<AccountConfig> = { ...a };
  delete out.scope; // where it is defined, not a setting
  if (!out.allowInsecureAuth) delete out.allowInsecureAuth;
  if (!out.loginMethod || out.loginMethod === 'auto') delete out.loginMethod;
  if (!out.pinnedCertificate) delete out.pinnedCertificate;
  if (out.policy && Object.keys(out.policy).length === 0) delete out.policy;
  if (out.sizeLimitKB === undefined) delete out.sizeLimitKB;
  if (out.checkIntervalMinutes === undefined) delete out.checkIntervalMinutes;
  if (!out.name) delete out.name;
  if (!out.signature) delete out.signature;
  if (out.smtp) {
    const smtp = { ...out.smtp };
    if (!smtp.allowInsecureAuth) delete smtp.allowInsecureAuth;
    if (!smtp.loginMethod || smtp.loginMethod === 'auto') delete smtp.loginMethod;
    if (!smtp.pinnedCertificate) delete smtp.pinnedCertificate;
    out.smtp = smtp;
  } else delete out.smtp;
  return out;
}

export function setting<T>(name: string, fallback: T): T {
  return vscode.workspace.getConfiguration(SECTION).get<T>(name, fallback);
}

/** A server a password is for: the account's POP3 server, or its outgoing (SMTP) server. */
export type Login = Pick<AccountConfig, 'host' | 'port' | 'user'>;

export class Passwords {
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly service: 'pop3' | 'smtp' = 'pop3',
  ) {}

  get(login: Login): Thenable<string | undefined> {
    return this.secrets.get(secretKey(login, this.service));
  }

  store(login: Login, password: string): Thenable<void> {
    return this.secrets.store(secretKey(login, this.service), password);
  }

  delete(login: Login): Thenable<void> {
    return this.secrets.delete(secretKey(login, this.service));
  }

  /** Asks for the password (and remembers it) when none is stored for this user@host:port. */
  async getOrAsk(login: Login, reason?: string): Promise<string | undefined> {
    const known = reason ? undefined : await this.get(login);
    if (known !== undefined) return known;
    const password = await vscode.window.showInputBox({
      title: `${this.service === 'smtp' ? 'Sending password' : 'Password'} for ${login.user} at ${login.host}`,
      prompt: reason ?? `Mail Panel stores it in VS Code's secret storage, bound to ${login.host}:${login.port}.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return undefined;
    await this.store(login, password);
    return password;
  }
}
