/**
 * The outgoing server of an account, asked for and tested: the last step of Add Account, and Set Up
 * Sending. The login tried first is the POP3 one (the usual case); a refused password is asked for;
 * an untrusted certificate is shown with its fingerprint, as for POP3.
 */
import * as vscode from 'vscode';
import { guessSmtp, smtpOptions, type AccountConfig, type SmtpConfig } from '../accounts/account';
import { CertificateError } from '../pop3';
import { DEFAULT_SMTP_PORTS, testSmtp } from '../smtp/smtpClient';
import { SmtpError } from '../smtp/smtpErrors';
import { askTrust } from './errors';
import { withDelayedProgress } from './progress';
import type { Passwords } from './settings';

/** "smtp.example.org" or "smtp.example.org:465": port 465 means TLS from the start, any other STARTTLS. */
export function readSmtpServer(text: string, base: SmtpConfig): SmtpConfig | string {
  const m = /^\s*([A-Za-z0-9.-]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?\s*$/.exec(text);
  if (!m) return 'Enter a server name like smtp.example.org, or smtp.example.org:465.';
  const port = m[2] ? Number(m[2]) : base.host === m[1] ? base.port : DEFAULT_SMTP_PORTS.starttls;
  if (port < 1 || port > 65535) return 'The port is a number from 1 to 65535.';
  const security = port === DEFAULT_SMTP_PORTS.tls ? 'tls' : base.host === m[1] && base.port === port ? base.security : 'starttls';
  return { ...base, host: m[1], port, security, pinnedCertificate: base.host === m[1] && base.port === port ? base.pinnedCertificate : undefined };
}

/**
 * Asks for the outgoing server and tests it; resolves with the settings to save, or undefined when
 * the person leaves it for later (Escape or an empty box: the rest of the account is kept).
 */
export async function askSmtp(account: AccountConfig, passwords: Passwords, pop3Password?: string): Promise<SmtpConfig | undefined> {
  const base = account.smtp ?? guessSmtp(account);
  const typed = await vscode.window.showInputBox({
    title: `Sending mail from ${account.address}`,
    prompt: 'Outgoing (SMTP) server, with :465 for TLS from the start (else STARTTLS on 587). Leave empty to set it up later.',
    value: account.smtp ? `${base.host}:${base.port}` : base.host,
    ignoreFocusOut: true,
    validateInput: (v) => {
      const read = v.trim() ? readSmtpServer(v, base) : undefined;
      return typeof read === 'string' ? read : undefined;
    },
  });
  if (!typed?.trim()) return undefined;
  let smtp = readSmtpServer(typed, base) as SmtpConfig;
  let password = (await passwords.get(smtp)) ?? pop3Password;
  for (;;) {
    const outcome = password === undefined ? new SmtpError('auth', 'No password yet.') : await test(smtp, password);
    if (outcome === 'ok') {
      await passwords.store(smtp, password!);
      return smtp;
    }
    if (outcome instanceof CertificateError && outcome.fingerprint256) {
      const pinned = await askTrust(smtp.host, outcome, `sending from ${account.address}`);
      if (!pinned) return undefined;
      smtp = { ...smtp, pinnedCertificate: pinned };
      continue;
    }
    if (outcome instanceof SmtpError && outcome.kind === 'auth') {
      password = await vscode.window.showInputBox({ title: `Sending password for ${smtp.user} at ${smtp.host}`, prompt: password === undefined ? undefined : 'The outgoing server refused this password. Enter the one for sending.', password: true, ignoreFocusOut: true });
      if (password === undefined) return smtp; // saved without a password: sending asks for it
      continue;
    }
    const message = outcome instanceof Error ? outcome.message : String(outcome);
    const pick = await vscode.window.showErrorMessage(`The outgoing server did not work: ${message}`, 'Edit', 'Save Anyway');
    if (pick === 'Edit') return askSmtp({ ...account, smtp }, passwords, password);
    return pick === 'Save Anyway' ? smtp : undefined;
  }
}

function test(smtp: SmtpConfig, password: string): Thenable<'ok' | unknown> {
  return withDelayedProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the outgoing server ${smtp.host}…` }, () =>
    testSmtp({ ...smtpOptions(smtp, password), timeoutMs: 15_000 }).then(
      () => 'ok' as const,
      (err: unknown) => err,
    ),
  );
}
