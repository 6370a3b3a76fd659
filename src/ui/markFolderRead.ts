/**
 * Mark Folder Read: every unread message of an Inbox, of Trash or of All Inboxes marked read at once
 * (Thunderbird's command of the same name), with Undo in the message that says how many.
 */
import * as vscode from 'vscode';
import { messagesText } from '../shared/format';
import { inFolder, isWrittenHere, type TreeNode } from '../views/treeModel';
import type { ListSource, MessageListPanels } from './listPanel';
import type { MailService } from './mailService';
import { withDelayedProgress } from './progress';

/** The folder a run is about: the tree's folder row, else the active message list, else one picked. */
async function folderOf(mail: MailService, lists: MessageListPanels, node: unknown): Promise<ListSource | undefined> {
  const n = node as TreeNode | undefined;
  if (n?.kind === 'folder') return { kind: 'folder', accountId: n.accountId, folder: n.folder };
  if (lists.activeSource) return lists.activeSource;
  const inboxes: ListSource[] = mail.list().map((a) => ({ kind: 'folder', accountId: a.id, folder: 'inbox' }));
  if (inboxes.length <= 1) return inboxes[0];
  // Each Inbox counted once; All Inboxes is their sum.
  const counts = await Promise.all(inboxes.map(async (source) => (await unreadOf(mail, lists, source))[0][1].length));
  const item = (source: ListSource, unread: number) => ({ label: lists.title(source), description: messagesText(unread, 'unread'), source });
  const items = [item({ kind: 'unified' }, counts.reduce((a, b) => a + b, 0)), ...inboxes.map((source, i) => item(source, counts[i]))];
  return (await vscode.window.showQuickPick(items, { title: 'Mark Folder Read', placeHolder: 'Which folder?' }))?.source;
}

/** The unread messages of a folder, by account. */
async function unreadOf(mail: MailService, lists: MessageListPanels, source: ListSource): Promise<Array<[string, string[]]>> {
  const folder = source.kind === 'folder' ? source.folder : 'inbox';
  return Promise.all(lists.accountsOf(source).map(async (id): Promise<[string, string[]]> => [id, inFolder(await mail.messages(id).catch(() => []), folder).filter((e) => !e.seen).map((e) => e.id)]));
}

export async function markFolderRead(mail: MailService, lists: MessageListPanels, node?: unknown): Promise<void> {
  const source = await folderOf(mail, lists, node);
  if (!source) return;
  const title = lists.title(source);
  // Drafts, Outbox and Sent hold mail written here: nothing in them waits to be read.
  if (source.kind === 'folder' && isWrittenHere(source.folder)) return void vscode.window.setStatusBarMessage(`$(check-all) ${title} holds mail written here: nothing to mark read`, 4000);
  const unread = (await unreadOf(mail, lists, source)).filter(([, ids]) => ids.length > 0);
  const count = unread.reduce((a, [, ids]) => a + ids.length, 0);
  if (count === 0) return void vscode.window.setStatusBarMessage(`$(check-all) Nothing unread in ${title}`, 4000);
  const mark = (seen: boolean) =>
    withDelayedProgress({ location: vscode.ProgressLocation.Notification, title: seen ? `Marking ${title} read…` : 'Undoing Mark Folder Read…' }, async () => {
      for (const [accountId, ids] of unread) await mail.change(accountId, (store) => store.markSeen(ids, seen));
    });
  await mark(true);
  // Not awaited: the command is done; Undo marks exactly these messages unread again.
  void vscode.window.showInformationMessage(`${messagesText(count)} in ${title} marked read.`, 'Undo').then(async (pick) => {
    if (pick === 'Undo') await mark(false);
  });
}
