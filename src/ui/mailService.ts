/**
 * The extension's mail state: accounts (from settings), their stores (under the workspace's
 * storage), fetching with progress and clear errors, automatic checks. Tree, reader and
 * commands read from and act through this one object.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { messagesText } from '../shared/format';
import { DEFAULT_CHECK_MINUTES, isBatchingServer, pop3Options, type AccountConfig } from '../accounts/account';
import { adviseOn } from '../accounts/errorAdvice';
import { type Pop3Options, type TraceHook } from '../pop3';
import { CertificateError } from '../pop3';
import { AccountStore, type MessageEntry, type StoredFile } from '../store/accountStore';
import { LockBusyError } from '../store/lock';
import { stampChange, watchChanges } from '../store/changeStamp';
import { moveStore, storeFolderName } from '../store/location';
import type { SkippedMessage } from '../store/skipped';
import { CheckScheduler } from '../sync/checkSchedule';
import { completeMessage, deleteFromServerNow, deleteSkippedFromServer, fetchMail, type FetchResult } from '../sync/fetch';
import { askTrust, showError } from './errors';
import { withDelayedProgress } from './progress';
import { loadAccounts, Passwords, saveUserAccounts, setting } from './settings';

export class MailService implements vscode.Disposable {
  private accounts: AccountConfig[] = [];
  problems: string[] = [];
  private readonly stores = new Map<string, Promise<AccountStore>>();
  private readonly fetching = new Set<string>();
  /** When each account was last checked, here or in another window (ms), for its tooltip. */
  readonly lastChecked = new Map<string, number>();
  /** Automatic checks, on one schedule with the other windows (sync/checkSchedule.ts). */
  private readonly checks = new CheckScheduler((id) => this.fetch(id, { scheduled: true }), {
    soonestMs: 3000,
    onKnown: (id, at) => this.lastChecked.set(id, Math.max(at, this.lastChecked.get(id) ?? 0)),
  });
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with an account id (its messages changed) or undefined (the account list changed). */
  readonly onDidChange = this.changed.event;
  private readonly busy = new vscode.EventEmitter<boolean>();
  readonly onDidChangeBusy = this.busy.event;
  private readonly stored = new vscode.EventEmitter<{ accountId: string; files: StoredFile[] }>();
  /** Accounts whose mail this window has loaded: the ones its user reads here (search keeps their indexes). */
  private readonly opened = new Set<string>();
  private readonly firstOpened = new vscode.EventEmitter<string>();
  /** An account's store was loaded in this window for the first time. */
  readonly onDidFirstOpen = this.firstOpened.event;
  /** A batch a fetch has stored, while the fetch goes on (the views hear of it once the fetch ends). */
  readonly onDidStore = this.stored.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** This window, in the stamps it leaves on stores it changes (another window reads them: changeStamp.ts). */
  private readonly writer = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly watchers = new Map<string, { close(): void }>();

  private disposed = false;
  /** Moves of stores from where the first version kept them; every store access waits for them. */
  private moved: Promise<void> = Promise.resolve();

  /**
   * `places.user`: the extension's global storage (user accounts: the same mailbox in every window).
   * `places.workspace`: this workspace's storage, when a folder is open (workspace accounts, or
   * all accounts with mailPanel.mailPerWorkspace).
   */
  constructor(
    private readonly places: { user: string; workspace: string | undefined },
    readonly passwords: Passwords,
    readonly log: vscode.LogOutputChannel,
    /** The outgoing servers' passwords (another SecretStorage key per server). */
    readonly smtpPasswords: Passwords,
  ) {
    this.reloadAccounts();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('mailPanel.accounts')) this.reloadAccounts();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reloadAccounts()),
      // Back at the window (after the machine slept, say): an account overdue is checked at once.
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused && !this.disposed) void this.moved.then(() => this.checks.wake());
      }),
    );
  }

  list(): AccountConfig[] {
    return this.accounts;
  }

  account(id: string): AccountConfig | undefined {
    return this.accounts.find((a) => a.id === id);
  }

  isFetching(id?: string): boolean {
    return id ? this.fetching.has(id) : this.fetching.size > 0;
  }

  /** Where an account's mail lives: named by its identity (user, host, port), in its scope's storage. */
  storeRoot(id: string): string {
    const account = this.account(id);
    if (!account) return this.legacyRoot(id);
    const perWorkspace = account.scope === 'workspace' || setting('mailPerWorkspace', false);
    const base = perWorkspace && this.places.workspace ? this.places.workspace : this.places.user;
    return join(base, 'mailboxes', storeFolderName(account));
  }

  /** Where the first version kept an account's mail: under the workspace's storage, by id. */
  private legacyRoot(id: string): string {
    return join(this.places.workspace ?? this.places.user, 'accounts', id);
  }

  /** Moves each account's store from the first version's place to its own (store/location.ts). */
  private moveLegacyStores(): void {
    const accounts = this.accounts;
    this.moved = this.moved.then(async () => {
      for (const account of accounts) {
        const to = this.storeRoot(account.id);
        try {
          const { moved, merged } = await moveStore(this.legacyRoot(account.id), to);
          if (moved) this.log.info(`[${account.id}] mail moved to ${to}${merged ? ` (${merged} messages merged into the mail already there)` : ''}`);
        } catch (err) {
          this.log.error(`[${account.id}] could not move its mail to ${to}; it stays where it was: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    });
  }

  /** The account's store, opened once and shared (reopened after a fetch to see its work). */
  store(id: string): Promise<AccountStore> {
    let store = this.stores.get(id);
    if (!store) {
      store = this.moved.then(() => AccountStore.open(this.storeRoot(id)));
      this.stores.set(id, store);
      store.then(() => this.watch(id), () => this.stores.delete(id));
      if (!this.opened.has(id)) {
        this.opened.add(id);
        this.firstOpened.fire(id);
      }
    }
    return store;
  }

  /** Whether this window has loaded the account's mail (a view, a search, writing): see `opened`. */
  hasOpened(id: string): boolean {
    return this.opened.has(id);
  }

  async messages(id: string): Promise<MessageEntry[]> {
    return (await this.store(id)).list();
  }

  /** Messages a fetch could not download, with the reason. */
  async skipped(id: string): Promise<SkippedMessage[]> {
    return (await this.store(id)).skipped.list();
  }

  /** Another window changed this account's store: read it again. */
  private watch(id: string): void {
    if (this.watchers.has(id)) return;
    const watcher = watchChanges(this.storeRoot(id), this.writer, () => {
      this.log.info(`[${id}] changed in another window: reading it again`);
      void this.refresh(id);
    });
    if (watcher) this.watchers.set(id, watcher);
  }

  /** After this window changed an account's store: other windows are told, and this one's views. */
  private async changedHere(id: string): Promise<void> {
    await stampChange(this.storeRoot(id), this.writer).catch(() => undefined); // no stamp: the others see it at their next read
    await this.refresh(id);
  }

  /** Re-reads an account's store from disk and tells the views. */
  async refresh(id: string): Promise<void> {
    const old = this.stores.get(id);
    this.stores.delete(id);
    await old?.then((s) => s.close()).catch(() => undefined);
    this.changed.fire(id);
  }

  /** Local changes (flags, trash) go through here so the views update. */
  async change(id: string, action: (store: AccountStore) => Promise<unknown>): Promise<void> {
    await action(await this.store(id));
    await stampChange(this.storeRoot(id), this.writer).catch(() => undefined);
    this.changed.fire(id);
  }

  /**
   * Unread messages in all accounts. A store no view has opened is counted from its file names: a
   * window that only shows the count (the extension starts with every window) never loads its mail.
   */
  async unreadCount(): Promise<number> {
    await this.moved;
    let unread = 0;
    for (const a of this.accounts) {
      const open = this.stores.get(a.id);
      try {
        unread += open ? (await open).unreadCount() : await AccountStore.countUnread(this.storeRoot(a.id));
      } catch {
        // a store that cannot be read counts as empty here; opening it shows the error
      }
      if (!open) this.watch(a.id); // another window's reading changes the count
    }
    return unread;
  }

  /**
   * Server options for an account; asks for the password when none is stored for user@host:port
   * (with `passwordPrompt`: asks again, saying why; without `ask`: takes only a saved one).
   */
  async serverOptions(account: AccountConfig, passwordPrompt?: string, ask = true): Promise<Pop3Options | undefined> {
    const password = ask ? await this.passwords.getOrAsk(account, passwordPrompt) : await this.passwords.get(account);
    if (password === undefined) return undefined;
    const trace: TraceHook = (direction, line) => this.log.trace(`[${account.id}] ${direction === 'send' ? 'C:' : direction === 'receive' ? 'S:' : '--'} ${line}`);
    return pop3Options(account, password, { trace });
  }

  /**
   * One fetch with a cancellable progress notification; errors are shown with their next step.
   * `scheduled` (an automatic check): progress in the status bar, no password asked for (each
   * window would ask, unbidden), and a fetch of the account running in another window is no error.
   */
  async fetch(id: string, options: { scheduled?: boolean; passwordPrompt?: string; retrySkipped?: string[] } = {}): Promise<FetchResult | undefined> {
    const account = this.account(id);
    if (!account || this.fetching.has(id)) return undefined;
    await this.moved;
    const server = await this.serverOptions(account, options.passwordPrompt, !options.scheduled);
    if (!server) {
      if (options.scheduled) this.log.info(`[${id}] not checked: no password saved (Fetch Mail asks for it)`);
      return undefined;
    }
    this.fetching.add(id);
    this.busy.fire(true);
    const started = Date.now();
    try {
      const result = await withDelayedProgress(
        { location: options.scheduled ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: `Fetching ${account.address}`, cancellable: true },
        async (report, signal) => {
          let reported = 0;
          return fetchMail({
            storeRoot: this.storeRoot(id),
            server,
            policy: account.policy,
            sizeLimit: (account.sizeLimitKB ?? 0) * 1024,
            maxRounds: isBatchingServer(account.host) ? 10 : 1,
            retrySkipped: options.retrySkipped,
            signal,
            onStored: (files) => this.stored.fire({ accountId: id, files }),
            onProgress: (p) => {
              const percent = p.bytesTotal ? (p.bytesDone / p.bytesTotal) * 100 : 0;
              report({
                message: p.phase === 'downloading' && p.messagesTotal ? `${p.messagesDone} of ${p.messagesTotal} messages` : p.phase.replace('-', ' ') + '…',
                increment: percent - reported,
              });
              reported = percent;
            },
          });
        },
      );
      this.log.info(`[${id}] fetched ${result.downloaded} new (${result.partial} headers only), deleted ${result.deletedOnServer} on the server`);
      const failedNow = result.skipped.filter((s) => s.lastTried >= started);
      for (const s of failedNow) this.log.warn(`[${id}] could not download ${s.uid} (${s.size} bytes, try ${s.attempts}): ${s.reason}`);
      if (failedNow.length > 0) {
        const what = failedNow.length === 1 ? `A message for ${account.address} could not be downloaded: ${failedNow[0].reason}` : `${failedNow.length} messages for ${account.address} could not be downloaded.`;
        void vscode.window.showWarningMessage(`${what} The others were fetched; it stays on the server and is shown under "Could not download".`, 'Show').then((pick) => {
          if (pick) void vscode.commands.executeCommand('mailPanel.mailboxes.focus');
        });
      }
      this.lastChecked.set(id, Date.now());
      const arrived = result.downloaded + result.partial;
      if (arrived === 0) {
        vscode.window.setStatusBarMessage(`$(mail) No new mail for ${account.address}`, 5000); // quietly
      } else if (setting('notifyNewMail', true)) {
        void vscode.window.showInformationMessage(`${messagesText(arrived, 'new')} for ${account.address}.`, 'Show').then((pick) => {
          if (pick) void vscode.commands.executeCommand('mailPanel.openList', { kind: 'folder', accountId: id, folder: 'inbox' });
        });
      }
      return result;
    } catch (err) {
      if (options.scheduled && err instanceof LockBusyError) {
        this.log.info(`[${id}] not checked: ${err.message}`); // another window is checking it
        return undefined;
      }
      this.log.error(`[${id}] fetch failed: ${err instanceof Error ? err.message : String(err)}`);
      await this.handleError(account, err, () => this.fetch(id));
      return undefined;
    } finally {
      this.fetching.delete(id);
      this.busy.fire(this.fetching.size > 0);
      await this.changedHere(id);
    }
  }

  async fetchAll(): Promise<void> {
    await Promise.all(this.accounts.map((a) => this.fetch(a.id)));
  }

  async completeMessage(id: string, messageId: string): Promise<void> {
    const account = this.account(id);
    const server = account && (await this.serverOptions(account));
    if (!account || !server) return;
    try {
      await withDelayedProgress({ location: vscode.ProgressLocation.Notification, title: 'Downloading the full message…' }, () =>
        completeMessage({ storeRoot: this.storeRoot(id), server }, messageId),
      );
    } catch (err) {
      await this.handleError(account, err, () => this.completeMessage(id, messageId));
    } finally {
      await this.changedHere(id);
    }
  }

  async deleteFromServer(id: string, keys: string[]): Promise<number> {
    return this.onServer(id, (storeRoot, server) => deleteFromServerNow({ storeRoot, server }, keys), () => this.deleteFromServer(id, keys));
  }

  /** Deletes messages that could not be downloaded from the server, at the user's explicit request. */
  async deleteSkipped(id: string, keys: string[]): Promise<number> {
    try {
      return await this.onServer(id, (storeRoot, server) => deleteSkippedFromServer({ storeRoot, server }, keys), () => this.deleteSkipped(id, keys));
    } finally {
      await this.changedHere(id);
    }
  }

  /** One deleting session with an account's server; errors shown with their next step (0 deleted). */
  private async onServer(id: string, work: (storeRoot: string, server: Pop3Options) => Promise<number>, retry: () => Promise<unknown>): Promise<number> {
    const account = this.account(id);
    const server = account && (await this.serverOptions(account));
    if (!account || !server) return 0;
    try {
      return await work(this.storeRoot(id), server);
    } catch (err) {
      await this.handleError(account, err, retry);
      return 0;
    }
  }

  /** Shows an error with its next step and carries the step out. */
  async handleError(account: AccountConfig, err: unknown, retry: () => Promise<unknown>): Promise<void> {
    const action = await showError(adviseOn(err, account.address));
    switch (action) {
      case 'retry':
        await retry();
        break;
      case 'show-log':
        this.log.show(true);
        break;
      case 're-enter-password':
        if (await this.passwords.getOrAsk(account, 'The server refused the password. Enter it again.')) await retry();
        break;
      case 'trust-certificate':
        if (err instanceof CertificateError && err.fingerprint256 && (await this.confirmTrust(account, err))) await retry();
        break;
      case 'allow-insecure':
        await saveUserAccounts((list) => list.map((a) => (a.id === account.id ? { ...a, allowInsecureAuth: true } : a)));
        this.reloadAccounts();
        await retry();
        break;
      case 'edit-account':
        await vscode.commands.executeCommand('mailPanel.editAccount', account.id);
        break;
    }
  }

  /** Shows a certificate's fingerprint; pinning it makes the account trust exactly that certificate. */
  async confirmTrust(account: AccountConfig, err: CertificateError): Promise<boolean> {
    const fingerprint = await askTrust(account.host, err, account.address);
    if (!fingerprint) return false;
    await saveUserAccounts((list) => list.map((a) => (a.id === account.id ? { ...a, pinnedCertificate: fingerprint } : a)));
    this.reloadAccounts();
    return true;
  }

  reloadAccounts(): void {
    const { accounts, problems } = loadAccounts();
    this.accounts = accounts;
    this.problems = problems;
    for (const watcher of this.watchers.values()) watcher.close(); // a store's place may have changed with its account
    this.watchers.clear();
    this.moveLegacyStores();
    void this.moved.then(() => {
      for (const id of this.stores.keys()) if (this.account(id)) this.watch(id);
    });
    for (const p of problems) this.log.warn(`settings: ${p}`);
    this.scheduleChecks();
    this.changed.fire(undefined);
  }

  private scheduleChecks(): void {
    const planned = this.accounts.map((a) => ({ id: a.id, intervalMs: (a.checkIntervalMinutes ?? DEFAULT_CHECK_MINUTES) * 60_000 }));
    void this.moved.then(async () => {
      if (!this.disposed) await this.checks.plan(planned.map((a) => ({ ...a, storeRoot: this.storeRoot(a.id) })));
    });
  }

  dispose(): void {
    this.disposed = true;
    this.checks.stop();
    for (const watcher of this.watchers.values()) watcher.close();
    for (const d of this.disposables) d.dispose();
    this.changed.dispose();
    this.busy.dispose();
    this.stored.dispose();
    this.firstOpened.dispose();
    for (const s of this.stores.values()) void s.then((store) => store.close()).catch(() => undefined);
  }
}
