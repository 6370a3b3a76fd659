/**
 * Sending, as VS Code shows it: the outgoing server's password (SecretStorage, offering the POP3
 * one where it is the same login), the Outbox of each account sent now and retried every minute,
 * and what happened said in plain words with the next step.
 */
import * as vscode from 'vscode';
import { smtpOptions, type AccountConfig, type SmtpConfig } from '../accounts/account';
import { Outbox, type SendOutcome } from '../compose/outbox';
import type { Outgoing } from '../compose/outgoing';
import { CertificateError } from '../pop3';
import { sendMessage } from '../smtp/smtpClient';
import { SmtpError } from '../smtp/smtpErrors';
import { askTrust } from './errors';
import type { MailService } from './mailService';
import { saveAccounts, type Passwords } from './settings';
import { askSmtp } from './smtpStep';

/** How often the Outbox is looked at for messages due again. */
const RETRY_CHECK_MS = 60_000;

export class Sending implements vscode.Disposable {
  readonly passwords: Passwords;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly mail: MailService) {
    this.passwords = mail.smtpPasswords;
    this.timer = setInterval(() => void this.sendDue(), RETRY_CHECK_MS);
    this.timer.unref?.();
  }

  /** An account's Outbox over the Outbox and Sent folders of its store as open now (the views read the same). */
  async outbox(accountId: string): Promise<Outbox> {
    const store = await this.mail.store(accountId);
    return Outbox.forAccount(store.root, { outbox: store.local('outbox'), sent: store.local('sent') });
  }

  /** Queues a message (durably) and sends it now. Resolves once it is queued. */
  async queue(account: AccountConfig, outgoing: Outgoing): Promise<string> {
    const id = await (await this.outbox(account.id)).queue(outgoing);
    await this.mail.change(account.id, async () => undefined);
    void this.sendDue(account.id, [id], true);
    return id;
  }

  /**
   * Sends what is due, of one account or all; `ids` sends those whatever their state (Send Again).
   * `interactive`: the user is waiting, so passwords may be asked and outcomes are shown.
   */
  async sendDue(accountId?: string, ids?: string[], interactive = false): Promise<SendOutcome[]> {
    const outcomes: SendOutcome[] = [];
    for (const account of this.mail.list().filter((a) => !accountId || a.id === accountId)) {
      // Every minute in every window: a store is opened only when its Outbox holds something.
      if (!ids && !(await Outbox.anyQueued(this.mail.storeRoot(account.id)))) continue;
      const outbox = await this.outbox(account.id).catch(() => undefined);
      if (!outbox) continue;
      const now = Date.now();
      if (!ids && !outbox.list().some((e) => !e.interrupted && e.retryAt !== undefined && e.retryAt <= now)) continue;
      const smtp = account.smtp ?? (interactive ? await this.setUp(account) : undefined);
      const password = smtp && (interactive ? await this.passwordFor(account, smtp) : await this.passwords.get(smtp));
      if (!smtp || password === undefined) continue;
      const done = await outbox.send((raw, envelope, handingOver) => sendMessage(smtpOptions(smtp, password), raw, envelope, handingOver), { ids });
      if (done.length) await this.mail.change(account.id, async () => undefined);
      for (const outcome of done) void this.report(account, outcome, interactive);
      outcomes.push(...done);
    }
    return outcomes;
  }

  /** The outgoing server's password: stored, or the POP3 one where it is the same login, or asked for. */
  private async passwordFor(account: AccountConfig, smtp: SmtpConfig, reason?: string): Promise<string | undefined> {
    if (!reason) {
      const stored = await this.passwords.get(smtp);
      if (stored !== undefined) return stored;
      const pop3 = smtp.user.toLowerCase() === account.user.toLowerCase() && sameProvider(smtp.host, account.host) ? await this.mail.passwords.get(account) : undefined;
      if (pop3 !== undefined) {
        const pick = await vscode.window.showQuickPick(['Use the POP3 password of this account', 'Enter another password'], { title: `Sending as ${smtp.user} through ${smtp.host}`, ignoreFocusOut: true });
        if (!pick) return undefined;
        if (pick.startsWith('Use')) {
          await this.passwords.store(smtp, pop3);
          return pop3;
        }
      }
    }
    return this.passwords.getOrAsk(smtp, reason);
  }

  /** Asks for an account's outgoing server, tests it and saves it. */
  async setUp(account: AccountConfig): Promise<SmtpConfig | undefined> {
    const smtp = await askSmtp(account, this.passwords, await this.mail.passwords.get(account));
    if (smtp) await this.saveSmtp(account, smtp);
    return smtp;
  }

  private async saveSmtp(account: AccountConfig, smtp: SmtpConfig): Promise<void> {
    await saveAccounts(account.scope ?? 'user', (list) => list.map((a) => (a.id === account.id ? { ...a, smtp } : a)));
    this.mail.reloadAccounts();
  }

  private async report(account: AccountConfig, outcome: SendOutcome, interactive: boolean): Promise<void> {
    const to = outcome.envelope.to.join(', ');
    if (outcome.sent) {
      this.mail.log.info(`[${account.id}] sent ${outcome.id} to ${to}`);
      const refused = outcome.sent.rejected;
      if (refused.length) void vscode.window.showWarningMessage(`Sent, but not to ${refused.map((r) => r.address).join(', ')}: ${refused[0].reason}`);
      else if (interactive) void vscode.window.setStatusBarMessage(`$(check) Sent to ${to}`, 5000);
      return;
    }
    const message = outcome.failed?.message ?? 'The message could not be sent.';
    this.mail.log.warn(`[${account.id}] could not send ${outcome.id} to ${to}: ${message}`);
    if (!interactive && outcome.failed?.retryable) return; // it is tried again; the Outbox says why
    const smtp = account.smtp;
    const actions = ['Open Outbox'];
    const cause = outcome.failed?.cause;
    if (cause instanceof SmtpError && cause.kind === 'auth') actions.unshift('Re-enter Password');
    if (cause instanceof CertificateError && cause.fingerprint256) actions.unshift('Show Certificate');
    if (cause instanceof SmtpError && (cause.kind === 'insecure' || cause.kind === 'connection' || cause.kind === 'relay')) actions.unshift('Edit Outgoing Server');
    const pick = await vscode.window.showErrorMessage(`Not sent (it waits in the Outbox): ${message}`, ...actions);
    if (!smtp) return;
    if (pick === 'Re-enter Password') {
      if (await this.passwordFor(account, smtp, 'The outgoing server refused the password. Enter it again.')) await this.sendDue(account.id, [outcome.id], true);
    } else if (pick === 'Show Certificate' && cause instanceof CertificateError) {
      const pinned = await askTrust(smtp.host, cause, `sending from ${account.address}`);
      if (pinned) {
        await this.saveSmtp(account, { ...smtp, pinnedCertificate: pinned });
        await this.sendDue(account.id, [outcome.id], true);
      }
    } else if (pick === 'Edit Outgoing Server') {
      if (await this.setUp(account)) await this.sendDue(account.id, [outcome.id], true);
    } else if (pick === 'Open Outbox') {
      await vscode.commands.executeCommand('mailPanel.openFolder', account.id, 'outbox');
    }
  }

  dispose(): void {
    clearInterval(this.timer);
  }
}

/** pop.example.org and smtp.example.org: one provider (the last two labels agree). */
function sameProvider(a: string, b: string): boolean {
  const tail = (h: string) => h.toLowerCase().split('.').slice(-2).join('.');
  return tail(a) === tail(b);
}
