/**
 * Accounts as the settings hold them (never with a password), their validation, provider presets
 * and the key under which the password lives in SecretStorage. Pure logic: no vscode import.
 */
import type { AuthMechanism, Pop3Options, Security } from '../pop3';
import { formatMailbox } from '../compose/addresses';
import { DEFAULT_SMTP_PORTS, SMTP_LOGIN_METHODS, type SmtpLoginMethod, type SmtpOptions } from '../smtp/smtpClient';
import type { ServerPolicy } from '../sync/fetch';

/** The outgoing server of an account (SMTP submission). */
export interface SmtpConfig {
  host: string;
  port: number;
  security: Security;
  /** Defaults to the POP3 user name. */
  user: string;
  loginMethod?: SmtpLoginMethod;
  allowInsecureAuth?: boolean;
  pinnedCertificate?: string;
}

export interface AccountConfig {
  /** Stable id: names the account's store folder. Letters, digits, `.`, `_`, `-`. */
  id: string;
  /** The e-mail address (shown in the tree and used for Reply-To defaults). */
  address: string;
  host: string;
  port: number;
  security: Security;
  user: string;
  /** Allow the password to cross an unencrypted connection. Off unless the user turns it on. */
  allowInsecureAuth?: boolean;
  /** 'auto' (default): the strongest offered, moving on when one is refused; or one named mechanism. */
  loginMethod?: LoginMethod;
  /** SHA-256 fingerprint of a certificate the user chose to trust. */
  pinnedCertificate?: string;
  policy?: Partial<ServerPolicy>;
  /** Messages larger than this many KB are stored as headers only; 0 = no limit. */
  sizeLimitKB?: number;
  /** Automatic check every N minutes; 0 = off; DEFAULT_CHECK_MINUTES when not set. */
  checkIntervalMinutes?: number;
  /** The display name of the From line. */
  name?: string;
  /** Put under new messages, replies and forwards after "-- ". */
  signature?: string;
  /** Where mail is sent; without it, writing mail asks for it. */
  smtp?: SmtpConfig;
  /** Where the account is defined (not a setting): user accounts keep their mail for every window. */
  scope?: 'user' | 'workspace';
}

/** How often an account is checked when its settings do not say (Thunderbird's default). */
export const DEFAULT_CHECK_MINUTES = 10;

export type LoginMethod = 'auto' | Exclude<AuthMechanism, 'XOAUTH2'>;
export const LOGIN_METHODS: readonly LoginMethod[] = ['auto', 'CRAM-MD5', 'APOP', 'PLAIN', 'LOGIN', 'USER'];

export interface ProviderPreset {
  host: string;
  port: number;
  security: Security;
  /** Servers that hand out a limited batch per session. */
  batching?: boolean;
}

/** Well-known providers' POP3 settings, by the address's domain. */
const PRESETS: Record<string, ProviderPreset> = {
  'gmail.com': { host: 'pop.gmail.com', port: 995, security: 'tls', batching: true },
  'googlemail.com': { host: 'pop.gmail.com', port: 995, security: 'tls', batching: true },
  'outlook.com': { host: 'outlook.office365.com', port: 995, security: 'tls' },
  'hotmail.com': { host: 'outlook.office365.com', port: 995, security: 'tls' },
  'live.com': { host: 'outlook.office365.com', port: 995, security: 'tls' },
  'yahoo.com': { host: 'pop.mail.yahoo.com', port: 995, security: 'tls' },
  'icloud.com': { host: 'pop.mail.me.com', port: 995, security: 'tls' },
  'gmx.net': { host: 'pop.gmx.net', port: 995, security: 'tls' },
  'gmx.de': { host: 'pop.gmx.net', port: 995, security: 'tls' },
  'web.de': { host: 'pop3.web.de', port: 995, security: 'tls' },
  'fastmail.com': { host: 'pop.fastmail.com', port: 995, security: 'tls' },
  'yandex.ru': { host: 'pop.yandex.ru', port: 995, security: 'tls' },
  'mail.ru': { host: 'pop.mail.ru', port: 995, security: 'tls' },
  'aol.com': { host: 'pop.aol.com', port: 995, security: 'tls' },
  'zoho.com': { host: 'pop.zoho.com', port: 995, security: 'tls' },
};

export function presetFor(address: string): ProviderPreset | undefined {
  const domain = address.split('@')[1]?.trim().toLowerCase();
  return domain ? PRESETS[domain] : undefined;
}

/** A guess for unknown domains: pop.<domain>, implicit TLS. */
export function guessServer(address: string): ProviderPreset {
  const domain = address.split('@')[1]?.trim().toLowerCase() ?? '';
  return presetFor(address) ?? { host: domain ? `pop.${domain}` : '', port: 995, security: 'tls' };
}

export function isBatchingServer(host: string): boolean {
  return Object.values(PRESETS).some((p) => p.batching && p.host === host.toLowerCase());
}

const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOST = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/;

export function validateAddress(address: string): string | undefined {
  return ADDRESS.test(address.trim()) ? undefined : 'Enter an e-mail address like name@example.org.';
}

export function validateHost(host: string): string | undefined {
  return HOST.test(host.trim()) ? undefined : 'Enter a server name like pop.example.org.';
}

export function validatePort(port: string | number): string | undefined {
  const n = Number(port);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : 'Enter a port number from 1 to 65535.';
}

/**
 * Reads one account from settings, which may hold anything (hand-edited JSON): returns the
 * account or a sentence saying what is wrong with it.
 */
export function parseAccount(raw: unknown): { account: AccountConfig } | { error: string } {
  if (!raw || typeof raw !== 'object') return { error: 'an account entry is not an object' };
  const r = raw as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' ? (r[k] as string).trim() : '');
  const id = str('id');
  const name = str('address') || id || '(unnamed)';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(id) || id.startsWith('.')) return { error: `account "${name}": "id" must be 1-64 letters, digits, ".", "_" or "-"` };
  const address = str('address');
  const host = str('host');
  const security = (r.security ?? 'tls') as Security;
  if (!['tls', 'starttls', 'none'].includes(security)) return { error: `account "${name}": "security" must be "tls", "starttls" or "none"` };
  const port = r.port === undefined ? (security === 'tls' ? 995 : 110) : Number(r.port);
  const problem = validateAddress(address) ?? validateHost(host) ?? validatePort(port);
  if (problem) return { error: `account "${name}": ${problem}` };
  const num = (k: string, min: number, max: number) => {
    if (r[k] === undefined) return undefined;
    const n = Number(r[k]);
    return Number.isFinite(n) && n >= min && n <= max ? n : NaN;
  };
  const sizeLimitKB = num('sizeLimitKB', 0, 10_000_000);
  const checkIntervalMinutes = num('checkIntervalMinutes', 0, 24 * 60);
  if (Number.isNaN(sizeLimitKB)) return { error: `account "${name}": "sizeLimitKB" must be a number of KB (0 = no limit)` };
  if (Number.isNaN(checkIntervalMinutes)) return { error: `account "${name}": "checkIntervalMinutes" must be 0 to 1440` };
  const policyRaw = (r.policy ?? {}) as Record<string, unknown>;
  const policy: Partial<ServerPolicy> = {};
  if (typeof policyRaw.deleteAfterDownload === 'boolean') policy.deleteAfterDownload = policyRaw.deleteAfterDownload;
  if (typeof policyRaw.deleteWhenDeletedLocally === 'boolean') policy.deleteWhenDeletedLocally = policyRaw.deleteWhenDeletedLocally;
  if (policyRaw.deleteAfterDays !== undefined) {
    const days = Number(policyRaw.deleteAfterDays);
    if (!Number.isInteger(days) || days < 0) return { error: `account "${name}": "policy.deleteAfterDays" must be a whole number (0 = never)` };
    policy.deleteAfterDays = days;
  }
  const loginMethod = (r.loginMethod ?? 'auto') as LoginMethod;
  if (!LOGIN_METHODS.includes(loginMethod)) return { error: `account "${name}": "loginMethod" must be one of ${LOGIN_METHODS.join(', ')}` };
  const pinned = str('pinnedCertificate');
  if (pinned && !FINGERPRINT.test(pinned)) return { error: `account "${name}": "pinnedCertificate" must be a SHA-256 fingerprint (64 hex digits)` };
  const smtp = parseSmtp(r.smtp, str('user') || address);
  if (typeof smtp === 'string') return { error: `account "${name}": ${smtp}` };
  return {
    account: {
      id,
      address,
      host,
      port,
      security,
      user: str('user') || address,
      allowInsecureAuth: r.allowInsecureAuth === true,
      loginMethod,
      pinnedCertificate: pinned || undefined,
      policy,
      sizeLimitKB,
      checkIntervalMinutes,
      name: str('name') || undefined,
      signature: typeof r.signature === 'string' && r.signature.trim() ? r.signature.replace(/\r\n?/g, '\n').replace(/\s+$/, '') : undefined,
      smtp,
    },
  };
}

const FINGERPRINT = /^([0-9A-Fa-f]{2}:?){32}$/;

/** The `smtp` object of an account entry: the settings, undefined when absent, or what is wrong. */
function parseSmtp(raw: unknown, defaultUser: string): SmtpConfig | undefined | string {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') return '"smtp" must be an object with the outgoing server\'s "host"';
  const r = raw as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' ? (r[k] as string).trim() : '');
  const security = (r.security ?? 'starttls') as Security;
  if (!['tls', 'starttls', 'none'].includes(security)) return '"smtp.security" must be "starttls", "tls" or "none"';
  const port = r.port === undefined ? DEFAULT_SMTP_PORTS[security] : Number(r.port);
  const problem = validateHost(str('host')) ?? validatePort(port);
  if (problem) return `outgoing server: ${problem.replace('pop.example.org', 'smtp.example.org')}`;
  const loginMethod = (r.loginMethod ?? 'auto') as SmtpLoginMethod;
  if (!SMTP_LOGIN_METHODS.includes(loginMethod)) return `"smtp.loginMethod" must be one of ${SMTP_LOGIN_METHODS.join(', ')}`;
  const pinned = str('pinnedCertificate');
  if (pinned && !FINGERPRINT.test(pinned)) return '"smtp.pinnedCertificate" must be a SHA-256 fingerprint (64 hex digits)';
  return { host: str('host'), port, security, user: str('user') || defaultUser, loginMethod, allowInsecureAuth: r.allowInsecureAuth === true, pinnedCertificate: pinned || undefined };
}


/**
 * The SecretStorage key of an account's password. Bound to host, port and user: a settings edit
 * that points the account elsewhere finds no password and must ask, so a workspace setting
 * can never send a stored password to another server.
 */
export function secretKey(server: Pick<AccountConfig, 'host' | 'port' | 'user'>, service: 'pop3' | 'smtp' = 'pop3'): string {
  return `${service}-password:${server.user.toLowerCase()}@${server.host.toLowerCase()}:${server.port}`;
}

/** A fresh account id from an address: readable, unique enough, a safe folder name. */
export function newAccountId(address: string, taken: Iterable<string>): string {
  const base = address.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 48) || 'account';
  const used = new Set(taken);
  let id = base;
  for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
  return id;
}

/** How to reach an account's server: the one mapping from settings to the POP3 client. */
export function pop3Options(account: AccountConfig, password: string, extra: Partial<Pop3Options> = {}): Pop3Options {
  return {
    host: account.host,
    port: account.port,
    security: account.security,
    tls: account.pinnedCertificate ? { pinnedSha256: account.pinnedCertificate } : undefined,
    credentials: { user: account.user, password, mechanism: account.loginMethod ?? 'auto' },
    allowInsecureAuth: account.allowInsecureAuth,
    ...extra,
  };
}

/** How to reach an account's outgoing server: the one mapping from settings to the SMTP client. */
export function smtpOptions(smtp: SmtpConfig, password: string): SmtpOptions {
  return {
    host: smtp.host,
    port: smtp.port,
    security: smtp.security,
    user: smtp.user,
    password,
    method: smtp.loginMethod ?? 'auto',
    tls: smtp.pinnedCertificate ? { pinnedSha256: smtp.pinnedCertificate } : undefined,
    allowInsecureAuth: smtp.allowInsecureAuth,
  };
}

/** The From line of an account's mail: its name and address. */
export function fromLine(account: Pick<AccountConfig, 'name' | 'address'>): string {
  return account.name ? formatMailbox({ name: account.name, address: account.address }) : account.address;
}

/** A first guess at the outgoing server, from the POP3 one or the address's domain. */
export function guessSmtp(account: Pick<AccountConfig, 'address' | 'host' | 'user'>): SmtpConfig {
  const preset = SMTP_PRESETS[account.address.split('@')[1]?.trim().toLowerCase() ?? ''];
  const domain = account.address.split('@')[1]?.trim().toLowerCase() ?? '';
  const host = preset ?? (/^pop3?\./i.test(account.host) ? account.host.replace(/^pop3?\./i, 'smtp.') : `smtp.${domain}`);
  return { host, port: 587, security: 'starttls', user: account.user };
}

/** Well-known providers' submission servers (all take STARTTLS on 587). */
const SMTP_PRESETS: Record<string, string> = {
  'gmail.com': 'smtp.gmail.com',
  'googlemail.com': 'smtp.gmail.com',
  'outlook.com': 'smtp.office365.com',
  'hotmail.com': 'smtp.office365.com',
  'live.com': 'smtp.office365.com',
  'yahoo.com': 'smtp.mail.yahoo.com',
  'icloud.com': 'smtp.mail.me.com',
  'gmx.net': 'mail.gmx.net',
  'gmx.de': 'mail.gmx.net',
  'web.de': 'smtp.web.de',
  'fastmail.com': 'smtp.fastmail.com',
  'yandex.ru': 'smtp.yandex.ru',
  'mail.ru': 'smtp.mail.ru',
  'aol.com': 'smtp.aol.com',
  'zoho.com': 'smtp.zoho.com',
};
