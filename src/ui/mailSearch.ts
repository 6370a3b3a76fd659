/**
 * Search in this window: each account's index follows its store (built when first opened, then
 * after every change, in the search worker), with the progress of a long build in the status bar;
 * and the lists ask it which messages a query finds. A store whose index another window holds is
 * searched without it (sender, recipients, subject and snippet only): see `wordHits`.
 */
import * as vscode from 'vscode';
import type { ListMessage } from '../list/listMessage';
import type { IndexAnswer } from '../search/placement';
import type { TextField } from '../search/query';
import { Arrivals } from '../search/indexer';
import { SearchService, storedMessages } from '../search/searchService';
import type { StoredFile } from '../store/accountStore';
import type { MailService } from './mailService';

export class MailSearch implements vscode.Disposable {
  private readonly service: SearchService;
  /** Accounts whose index is up to date with their store (or being brought there). */
  private readonly updating = new Map<string, Promise<boolean>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per account, the mail its fetches stored, on its way into the index (indexer.ts). */
  private readonly arrivals = new Map<string, Arrivals>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly mail: MailService,
    extensionUri: vscode.Uri,
  ) {
    this.service = new SearchService(vscode.Uri.joinPath(extensionUri, 'dist', 'searchWorker.js').fsPath);
    // Only for the accounts whose mail this window has loaded: the extension starts with every window, and
    // a window that only counts unread mail must neither build indexes nor hold one another window needs.
    this.subscriptions = [
      // An index built before is brought up to date once its store is loaded and the window has settled.
      mail.onDidFirstOpen((id) => this.schedule(id, 5000)),
      // After a change, once it settles (a fetch changes a store many times in a row).
      mail.onDidChange((id) => {
        for (const account of id ? [id] : mail.list().map((a) => a.id)) if (mail.hasOpened(account)) this.schedule(account, 1000);
      }),
      mail.onDidStore(({ accountId, files }) => {
        if (mail.hasOpened(accountId)) this.indexArrived(accountId, files);
      }),
      mail.onDidChangeBusy((busy) => {
        if (!busy) for (const arrivals of this.arrivals.values()) arrivals.fetchEnded();
      }),
    ];
  }

  private schedule(accountId: string, delayMs: number): void {
    clearTimeout(this.timers.get(accountId));
    this.timers.set(accountId, setTimeout(() => void this.update(accountId), delayMs));
  }

  /**
   * Mail a fetch has just stored, indexed on the worker's thread once the fetch ends (every few
   * seconds of a long one): the update after the fetch finds nothing left to read.
   */
  private indexArrived(accountId: string, files: StoredFile[]): void {
    let arrivals = this.arrivals.get(accountId);
    if (!arrivals) this.arrivals.set(accountId, (arrivals = new Arrivals((stored) => this.index(accountId, stored))));
    arrivals.stored(files);
  }

  private index(accountId: string, files: StoredFile[]): void {
    void this.chain(accountId, async (usable) => usable && this.tried(accountId, () => this.service.add(this.mail.storeRoot(accountId), files)));
  }

  /** Brings an account's index up to its store; false when it cannot be had (another window has it). */
  update(accountId: string): Promise<boolean> {
    return this.chain(accountId, () => this.doUpdate(accountId));
  }

  /** Runs `next` after the account's index work before it, with whether that left the index usable. */
  private chain(accountId: string, next: (usable: boolean) => Promise<boolean>): Promise<boolean> {
    const run = (this.updating.get(accountId) ?? Promise.resolve(true)).then(next);
    this.updating.set(accountId, run);
    return run;
  }

  private async doUpdate(accountId: string): Promise<boolean> {
    if (!this.mail.account(accountId)) return false;
    const build = new BuildProgress();
    try {
      // Inside: a store that cannot be read must not break the chain of updates (the tree says why).
      return await this.tried(accountId, async () => {
        const messages = storedMessages(await this.mail.store(accountId));
        await this.service.update(this.mail.storeRoot(accountId), messages, (done, total) => build.report(done, total));
      });
    } finally {
      build.end();
    }
  }

  /** A step of an account's index: false, and a line in the log, when it fails. */
  private async tried(accountId: string, step: () => Promise<unknown>): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (e) {
      this.mail.log.warn(`[${accountId}] search index: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  /** For each word leaf, the keys of the messages the indexes of these accounts find (an account whose index cannot be had finds none). */
  async wordHits(leaves: Array<[TextField, string[]]>, messages: readonly ListMessage[], accountIds: string[], scores: boolean): Promise<IndexAnswer> {
    const roots = new Map<string, string>();
    for (const accountId of accountIds) {
      if (await (this.updating.get(accountId) ?? this.update(accountId))) roots.set(accountId, this.mail.storeRoot(accountId));
    }
    return this.service.wordHits(leaves, messages, roots, scores);
  }

  dispose(): void {
    for (const arrivals of this.arrivals.values()) arrivals.dispose();
    for (const timer of this.timers.values()) clearTimeout(timer);
    for (const s of this.subscriptions) s.dispose();
    void this.service.dispose();
  }
}

/** The status bar's word on a long index build; an update of a few messages is quiet. */
class BuildProgress {
  private say: ((message: string) => void) | undefined;
  private finish: (() => void) | undefined;
  private shown = false;
  private ended = false;

  report(done: number, total: number): void {
    if (!this.shown && total > 1000) {
      this.shown = true;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Indexing mail for search' }, (progress) => {
        this.say = (message) => progress.report({ message });
        return new Promise<void>((resolve) => (this.ended ? resolve() : (this.finish = resolve)));
      });
    }
    this.say?.(`${done.toLocaleString()} of ${total.toLocaleString()}`);
  }

  end(): void {
    this.ended = true;
    this.finish?.();
  }
}
