/**
 * The palette and context-menu commands. Item commands receive the clicked node and the
 * selection (multi-select); from the palette they act on the message in the active reader.
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AccountStore } from '../store/accountStore';
import { emlName } from '../reader/files';
import { DEFAULT_POLICY } from '../sync/fetch';
import { parseQuery, QueryError } from '../search/query';
import { messagesText, queryErrorText } from '../shared/format';
import { exportChoices, inFolder, type TreeNode } from '../views/treeModel';
import { addAccount, editAccount, pickAccount, removeAccount } from './accountWizard';
import { accountSettings } from './accountSettingsForm';
import { markFolderRead } from './markFolderRead';
import type { MailService } from './mailService';
import type { MessageListPanels, MessageRef } from './listPanel';
import { openSource, type ReaderPanels } from './reader';
import type { MailTree } from './tree';

/** The tree's selection and when it last changed; keybindings pass commands no arguments. */
export interface TreeSelection {
  nodes: readonly TreeNode[];
  changedAt: number;
}

/**
 * The messages a command is about: the clicked item with the selection (menus), else whichever
 * the user touched last — the tree's selection or the open message (keybindings, palette).
 */
export function targets(readers: ReaderPanels, tree: TreeSelection, node?: unknown, selection?: unknown, lists?: MessageListPanels): MessageRef[] {
  // From the message list's context menu: VS Code passes the row's data-vscode-context.
  if (lists && node && typeof node === 'object' && 'webviewSection' in node) return lists.selection;
  // From the palette or a key while a message list is the active editor: its selection.
  if (lists && !node && !selection && lists.activeSelection.length) return lists.activeSelection;
  const toRefs = (nodes: ReadonlyArray<TreeNode | MessageRef>) =>
    nodes.flatMap((n): MessageRef[] => {
      if ('kind' in n) return n.kind === 'message' ? [{ accountId: n.accountId, messageId: n.entry.id }] : [];
      return 'messageId' in n ? [n] : [];
    });
  if (Array.isArray(selection) && selection.length) return toRefs(selection as TreeNode[]);
  if (node) return toRefs([node as TreeNode | MessageRef]);
  const fromTree = toRefs(tree.nodes);
  if (fromTree.length && (!readers.current || tree.changedAt >= readers.lastActivatedAt)) return fromTree;
  return readers.current ? [readers.current] : fromTree;
}

/** The "Could not download" rows a command is about, by account. */
function skippedTargets(node?: unknown, selection?: unknown): Map<string, string[]> {
  const nodes = (Array.isArray(selection) && selection.length ? selection : [node]) as Array<TreeNode | undefined>;
  const map = new Map<string, string[]>();
  for (const n of nodes) {
    if (n?.kind === 'skipped') map.set(n.accountId, [...(map.get(n.accountId) ?? []), n.skipped.key]);
    if (n?.kind === 'skipped-folder') map.set(n.accountId, [...(map.get(n.accountId) ?? []), ...n.skipped.map((s) => s.key)]);
  }
  return map;
}

function byAccount(refs: MessageRef[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of refs) map.set(r.accountId, [...(map.get(r.accountId) ?? []), r.messageId]);
  return map;
}

export function registerCommands(context: vscode.ExtensionContext, mail: MailService, tree: MailTree, readers: ReaderPanels, treeSelection: TreeSelection, lists: MessageListPanels): void {
  /** Search Messages offers the last query again. */
  let lastQuery = '';
  const none = () => void vscode.window.showInformationMessage('Select a message in the Mail view, or open one, first.');
  const onMessages = (action: (accountId: string, ids: string[]) => Promise<unknown>) => async (node?: unknown, selection?: unknown) => {
    const refs = targets(readers, treeSelection, node, selection, lists);
    if (refs.length === 0) return none();
    for (const [accountId, ids] of byAccount(refs)) await action(accountId, ids);
  };

  /** Delete or Restore: the messages leave their folder; when they were the tree's selection, the next row takes the focus. */
  const leaveFolder = async (node: unknown, selection: unknown, change: (store: AccountStore, ids: string[]) => Promise<void>) => {
    const refs = targets(readers, treeSelection, node, selection, lists);
    if (refs.length === 0) return none();
    const selected = treeSelection.nodes.filter((n): n is TreeNode & { kind: 'message' } => n.kind === 'message');
    const fromTree = selected.length === refs.length && refs.every((r) => selected.some((n) => n.accountId === r.accountId && n.entry.id === r.messageId));
    const after = fromTree ? await tree.rowAfter(selected) : undefined;
    const refreshed = after && tree.refreshed(after.accountId);
    for (const [accountId, ids] of byAccount(refs)) await mail.change(accountId, (s) => change(s, ids));
    if (after) {
      await refreshed;
      await tree.select(after);
    }
  };

  /** Next or Previous Message in the tree: the next row is selected and shown in the preview reader. */
  const stepInTree = async (step: 1 | -1) => {
    const current = treeSelection.nodes.find((n): n is TreeNode & { kind: 'message' } => n.kind === 'message');
    const next = current && (await tree.neighbour(current, step));
    if (!next) return void vscode.window.setStatusBarMessage(step === 1 ? 'No older message in this folder' : 'No newer message in this folder', 3000);
    await tree.select(next);
    await readers.open(next.accountId, next.entry.id, { preserveFocus: true, preview: true });
  };

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'mailPanel.addAccount': () => addAccount(mail),
    'mailPanel.editAccount': (arg) => editAccount(mail, arg),
    'mailPanel.accountSettings': (arg) => accountSettings(mail, arg),
    'mailPanel.removeAccount': (arg) => removeAccount(mail, arg),
    'mailPanel.fetchMail': async (arg) => {
      const account = await pickAccount(mail, 'Fetch Mail', arg);
      if (account) await mail.fetch(account.id);
    },
    'mailPanel.fetchAll': () => mail.fetchAll(),
    'mailPanel.openList': async (node?: unknown) => {
      const n = node as TreeNode | undefined;
      if (n?.kind === 'folder') await lists.open({ kind: 'folder', accountId: n.accountId, folder: n.folder });
      else await lists.open({ kind: 'unified' });
    },
    'mailPanel.openAllInboxes': () => lists.open({ kind: 'unified' }),
    'mailPanel.openMessage': async (node?: unknown, selection?: unknown) => {
      const [ref] = targets(readers, treeSelection, node, undefined, lists);
      // A tree click passes only the node; a context-menu or palette run passes a selection or nothing.
      const fromTreeClick = node !== undefined && selection === undefined;
      // A click shows the message in the one preview tab, which the next click replaces.
      if (ref) await readers.open(ref.accountId, ref.messageId, { preserveFocus: fromTreeClick, preview: fromTreeClick });
      else return vscode.commands.executeCommand('mailPanel.searchMessages');
    },
    'mailPanel.deleteMessage': (node?: unknown, selection?: unknown) => leaveFolder(node, selection, (s, ids) => s.trash(ids)),
    'mailPanel.restoreMessage': (node?: unknown, selection?: unknown) => leaveFolder(node, selection, (s, ids) => s.restore(ids)),
    'mailPanel.markRead': onMessages((accountId, ids) => mail.change(accountId, (s) => s.markSeen(ids, true))),
    'mailPanel.markUnread': onMessages((accountId, ids) => mail.change(accountId, (s) => s.markSeen(ids, false))),
    'mailPanel.markFolderRead': (node?: unknown) => markFolderRead(mail, lists, node),
    'mailPanel.deleteFromServer': onMessages(async (accountId, ids) => {
      const store = await mail.store(accountId);
      const entries = ids.map((id) => store.get(id)).filter((e) => e !== undefined);
      const partial = entries.some((e) => e.partialOf !== undefined);
      const pick = await vscode.window.showWarningMessage(
        `Delete ${entries.length === 1 ? 'this message' : `${entries.length} messages`} from the server now?`,
        { modal: true, detail: partial ? 'Messages whose body was never downloaded (headers only) are skipped, so nothing is lost.' : 'The copies in Mail Panel move to Trash.' },
        'Delete from Server',
      );
      if (pick !== 'Delete from Server') return;
      const deleted = await mail.deleteFromServer(accountId, entries.map((e) => e.uidl).filter((u): u is string => !!u));
      await mail.change(accountId, (s) => s.trash(entries.filter((e) => e.partialOf === undefined).map((e) => e.id)));
      void vscode.window.showInformationMessage(`Deleted ${messagesText(deleted)} from the server.`);
    }),
    'mailPanel.emptyTrash': async (arg) => {
      const account = await pickAccount(mail, 'Empty Trash', arg);
      if (!account) return;
      const trashed = (await mail.messages(account.id)).filter((m) => m.trashed);
      const count = trashed.length;
      if (count === 0) return void vscode.window.showInformationMessage('Trash is empty.');
      const policy = { ...DEFAULT_POLICY, ...account.policy };
      const onServer = trashed.some((m) => m.uidl !== undefined) && !policy.deleteAfterDownload;
      const detail = !onServer
        ? undefined
        : policy.deleteWhenDeletedLocally
          ? `This account deletes from the server what you delete here: the next fetch also deletes ${count === 1 ? 'it' : 'them'} from ${account.host}.`
          : `Copies left on ${account.host} are not touched.`;
      const pick = await vscode.window.showWarningMessage(`Delete ${messagesText(count)} in Trash for good?`, { modal: true, detail }, 'Empty Trash');
      if (pick === 'Empty Trash') await mail.change(account.id, (s) => s.emptyTrash());
    },
    'mailPanel.openSource': async (node?: unknown, selection?: unknown) => {
      const [ref] = targets(readers, treeSelection, node, selection, lists);
      if (!ref) return none();
      await openSource(mail, ref.accountId, ref.messageId);
    },
    'mailPanel.saveAttachment': async (node?: unknown) => {
      const [ref] = targets(readers, treeSelection, node);
      if (ref && (!readers.current || readers.current.messageId !== ref.messageId)) await readers.open(ref.accountId, ref.messageId);
      await readers.saveAttachmentOfCurrent();
    },
    'mailPanel.downloadFullMessage': onMessages(async (accountId, ids) => {
      for (const id of ids) {
        await mail.completeMessage(accountId, id);
        await readers.reload(accountId, id);
      }
    }),
    'mailPanel.exportMessages': async (node?: unknown, selection?: unknown) => {
      let refs = targets(readers, treeSelection, node, selection, lists);
      if (node && typeof node === 'object' && 'kind' in node && (node as TreeNode).kind === 'account') {
        const account = await pickAccount(mail, 'Export Messages of Account', node);
        if (!account) return;
        refs = (await mail.messages(account.id)).map((m) => ({ accountId: account.id, messageId: m.id }));
      } else if (!node && !selection) {
        // From the palette: say what would be exported, and let the person choose.
        const accounts = await Promise.all(mail.list().map(async (a) => ({ id: a.id, address: a.address, entries: await mail.messages(a.id).catch(() => []) })));
        const pick = await vscode.window.showQuickPick(exportChoices(refs.length, accounts), { title: 'Export Messages', placeHolder: 'Which messages to export as .eml files' });
        if (!pick) return;
        const scope = pick.scope;
        if (scope.kind === 'folder') {
          const entries = accounts.find((a) => a.id === scope.accountId)?.entries ?? [];
          refs = (scope.folder === 'all' ? entries : inFolder(entries, scope.folder)).map((m) => ({ accountId: scope.accountId, messageId: m.id }));
        }
      }
      if (refs.length === 0) return void vscode.window.showInformationMessage('There is no message to export.');
      const [folder] = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export Here', title: `Export ${refs.length === 1 ? 'the message' : messagesText(refs.length)} as .eml` })) ?? [];
      if (!folder) return;
      await mkdir(folder.fsPath, { recursive: true });
      let written = 0;
      for (const { accountId, messageId } of refs) {
        const store = await mail.store(accountId);
        const entry = store.get(messageId);
        const source = store.pathOf(messageId);
        if (!entry || !source) continue;
        let target = join(folder.fsPath, emlName(entry.subject, entry.date, messageId));
        for (let i = 2; await stat(target).then(() => true, () => false); i++) target = target.replace(/( \(\d+\))?\.eml$/, ` (${i}).eml`);
        await copyFile(source, target);
        written++;
      }
      void vscode.window.showInformationMessage(`Exported ${messagesText(written)} to ${folder.fsPath}.`);
    },
    'mailPanel.searchMessages': async () => {
      const query = await vscode.window.showInputBox({
        title: 'Search Messages',
        prompt: 'Words, "a phrase", from:, to:, subject:, has:attachment, is:unread, date:2026-11, before:, after:, OR, -word',
        value: lastQuery,
        validateInput: (text) => {
          try {
            parseQuery(text);
            return undefined;
          } catch (e) {
            return e instanceof QueryError ? queryErrorText(e) : String(e);
          }
        },
      });
      if (query === undefined) return;
      lastQuery = query;
      await lists.search(query);
    },
    'mailPanel.retryDownload': async (node?: unknown, selection?: unknown) => {
      for (const [accountId, keys] of skippedTargets(node, selection)) await mail.fetch(accountId, { retrySkipped: keys });
    },
    'mailPanel.deleteSkippedFromServer': async (node?: unknown, selection?: unknown) => {
      for (const [accountId, keys] of skippedTargets(node, selection)) {
        const pick = await vscode.window.showWarningMessage(
          `Delete ${keys.length === 1 ? 'this message' : `${keys.length} messages`} from the server without reading ${keys.length === 1 ? 'it' : 'them'}?`,
          { modal: true, detail: 'It could not be downloaded, so no copy exists in Mail Panel: it will be gone for good.' },
          'Delete from Server',
        );
        if (pick !== 'Delete from Server') return;
        const deleted = await mail.deleteSkipped(accountId, keys);
        void vscode.window.showInformationMessage(`Deleted ${messagesText(deleted)} from the server.`);
      }
    },
    'mailPanel.nextMessage': () => readers.step(1),
    'mailPanel.previousMessage': () => readers.step(-1),
    'mailPanel.nextMessageInTree': () => stepInTree(1),
    'mailPanel.previousMessageInTree': () => stepInTree(-1),
    'mailPanel.deleteShownMessage': () => readers.deleteShown(),
    'mailPanel.showLog': () => mail.log.show(true),
    'mailPanel.showMore': (node) => tree.showMore(node as TreeNode & { kind: 'more' }),
  };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
}
