/**
 * What the Mail tree shows, as plain data: accounts, their Inbox and Trash, and pages of
 * messages. The VS Code adapter (src/ui/tree.ts) only turns these into TreeItems, so the
 * logic is tested under plain Node.
 */
import type { MessageEntry } from '../store/accountStore';
import type { LocalFolderName } from '../store/localFolder';
import { GIVE_UP_AFTER, type SkippedMessage } from '../store/skipped';
import { displayName, formatSize, isolate, messagesText, relativeDate } from '../shared/format';

/** Fetched mail (Inbox, Trash) and mail written here (Drafts, Outbox, Sent). */
export type Folder = 'inbox' | 'trash' | LocalFolderName;

const FOLDER_VIEW: Record<Folder, { label: string; icon: string }> = {
  inbox: { label: 'Inbox', icon: 'inbox' },
  drafts: { label: 'Drafts', icon: 'edit' },
  outbox: { label: 'Outbox', icon: 'clock' },
  sent: { label: 'Sent', icon: 'send' },
  trash: { label: 'Trash', icon: 'trash' },
};

export const folderLabel = (folder: Folder) => FOLDER_VIEW[folder].label;

/** Drafts, Outbox and Sent: mail written here, listed by recipient. */
export const isWrittenHere = (folder: Folder): folder is LocalFolderName => folder !== 'inbox' && folder !== 'trash';

/** Messages shown per folder before a "Show more" row; keeps huge mailboxes responsive. */
export const PAGE_SIZE = 200;

export type TreeNode =
  | { kind: 'account'; accountId: string; label: string; error?: string; lastChecked?: number }
  | { kind: 'folder'; accountId: string; folder: Folder }
  | { kind: 'message'; accountId: string; folder: Folder; entry: MessageEntry; note?: string }
  | { kind: 'more'; accountId: string; folder: Folder; remaining: number }
  | { kind: 'skipped-folder'; accountId: string; skipped: SkippedMessage[] }
  | { kind: 'skipped'; accountId: string; skipped: SkippedMessage };

export interface ItemView {
  id: string;
  label: string;
  description: string;
  tooltip: string; // Markdown
  icon: string; // codicon id
  contextValue: string;
  collapsible: boolean;
}

export function inFolder(entries: MessageEntry[], folder: Folder): MessageEntry[] {
  if (isWrittenHere(folder)) return entries.filter((e) => e.folder === folder);
  return entries.filter((e) => !e.folder && e.trashed === (folder === 'trash'));
}

/** The children of a folder: the first `shown` messages (newest first), then a "more" row. `notes`: a line per message (the Outbox's reasons). */
export function folderChildren(accountId: string, folder: Folder, entries: MessageEntry[], shown: number, notes?: ReadonlyMap<string, string>): TreeNode[] {
  const list = inFolder(entries, folder);
  const page: TreeNode[] = list.slice(0, shown).map((entry) => ({ kind: 'message', accountId, folder, entry, note: notes?.get(entry.id) }));
  if (list.length > shown) page.push({ kind: 'more', accountId, folder, remaining: list.length - shown });
  return page;
}

/** An account's children: Inbox, Drafts, Outbox and Sent when they hold mail, Trash and, when a fetch had to leave messages behind, "Could not download". */
export function accountChildren(accountId: string, skipped: SkippedMessage[], entries: MessageEntry[] = []): TreeNode[] {
  const held = new Set(entries.map((e) => e.folder));
  const shown = (['inbox', 'drafts', 'outbox', 'sent', 'trash'] as Folder[]).filter((f) => f === 'inbox' || f === 'trash' || held.has(f));
  const folders: TreeNode[] = shown.map((folder) => ({ kind: 'folder', accountId, folder }));
  if (skipped.length > 0) folders.push({ kind: 'skipped-folder', accountId, skipped });
  return folders;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function describe(node: TreeNode, entries: MessageEntry[], now: number): ItemView {
  switch (node.kind) {
    case 'account':
      return {
        id: `account:${node.accountId}`,
        label: node.label,
        description: node.error ? 'settings error' : '',
        tooltip: node.error ? escapeMarkdown(node.error) : `${escapeMarkdown(node.label)}  \n${node.lastChecked ? `Last checked ${relativeDate(node.lastChecked, now)}` : 'Not checked yet in this window'}`,
        icon: node.error ? 'warning' : 'account',
        contextValue: 'account',
        collapsible: true,
      };
    case 'folder': {
      const list = inFolder(entries, node.folder);
      const unread = list.filter((e) => !e.seen).length;
      const written = isWrittenHere(node.folder);
      return {
        id: `folder:${node.accountId}:${node.folder}`,
        label: FOLDER_VIEW[node.folder].label,
        description: node.folder === 'inbox' ? (unread ? `${unread} unread` : '') : list.length ? String(list.length) : '',
        tooltip: written ? messagesText(list.length) : `${list.length} messages, ${unread} unread`,
        icon: FOLDER_VIEW[node.folder].icon,
        contextValue: node.folder,
        collapsible: true,
      };
    }
    case 'more':
      return {
        id: `more:${node.accountId}:${node.folder}`,
        label: `Show ${Math.min(node.remaining, PAGE_SIZE)} more…`,
        description: `${node.remaining} not shown`,
        tooltip: 'Load the next page of messages',
        icon: 'ellipsis',
        contextValue: 'more',
        collapsible: false,
      };
    case 'skipped-folder':
      return {
        id: `skipped:${node.accountId}`,
        label: 'Could not download',
        description: String(node.skipped.length),
        tooltip: 'Messages left on the server because their download failed. Fetches try them again; after a few failures they wait here for you to retry or delete them from the server.',
        icon: 'warning',
        contextValue: 'skipped-folder',
        collapsible: true,
      };
    case 'skipped': {
      const s = node.skipped;
      const waiting = s.attempts >= GIVE_UP_AFTER;
      return {
        id: `skipped:${node.accountId}:${s.key}`,
        label: `Message of ${formatSize(s.size)} on the server`,
        description: waiting ? `waiting for you · ${s.reason}` : `will retry · ${s.reason}`,
        tooltip: [
          `**${escapeMarkdown(s.reason)}**`,
          '',
          `UIDL: ${escapeMarkdown(s.uid)}`,
          `Tried ${s.attempts} time${s.attempts === 1 ? '' : 's'}, last ${new Date(s.lastTried).toLocaleString()}`,
          waiting ? 'Fetches no longer try it: retry it, or delete it from the server.' : 'The next fetch tries it again.',
        ].join('  \n'),
        icon: waiting ? 'error' : 'sync',
        contextValue: 'skipped',
        collapsible: false,
      };
    }
    case 'message': {
      const e = node.entry;
      const markers = [e.hasAttachments ? '📎' : '', e.partialOf !== undefined ? '(headers only)' : ''].filter(Boolean).join(' ');
      const tooltip = [
        `**${escapeMarkdown(e.subject || '(no subject)')}**`,
        '',
        `From: ${escapeMarkdown(e.from)}`,
        `To: ${escapeMarkdown(e.to)}`,
        `Date: ${e.date ? new Date(e.date).toLocaleString() : 'unknown'}`,
        `Size: ${formatSize(e.partialOf ?? e.size)}${e.partialOf !== undefined ? ' (only the headers are downloaded)' : ''}`,
        e.snippet ? `\n${escapeMarkdown(e.snippet)}` : '',
      ].join('  \n');
      const kind = e.folder ? `${e.folder}-message` : [node.folder === 'trash' ? 'trashed' : 'message', e.seen ? 'read' : 'unread', e.partialOf !== undefined ? 'partial' : ''].filter(Boolean).join('-');
      const written = e.folder !== undefined;
      return {
        id: `msg:${node.accountId}:${e.id}`,
        label: `${e.seen || written ? '' : '● '}${isolate(e.subject || '(no subject)')}`,
        description: [node.note, isolate(written ? `to ${displayName(e.to)}` : displayName(e.from)), relativeDate(e.date, now), markers].filter(Boolean).join(' · '),
        tooltip: node.note ? `**${escapeMarkdown(node.note)}**  \n${tooltip}` : tooltip,
        icon: written ? FOLDER_VIEW[e.folder!].icon : e.seen ? 'mail-read' : 'mail',
        contextValue: kind,
        collapsible: false,
      };
    }
  }
}

/** What Export Messages can export, when run from the palette: what is selected, or a folder of an account. */
export interface ExportChoice {
  label: string;
  description: string;
  scope: { kind: 'selection' } | { kind: 'folder'; accountId: string; folder: Folder | 'all' };
}

export function exportChoices(selected: number, accounts: Array<{ id: string; address: string; entries: MessageEntry[] }>): ExportChoice[] {
  const choices: ExportChoice[] = [];
  if (selected > 0) choices.push({ label: selected === 1 ? 'The selected message' : 'The selected messages', description: messagesText(selected), scope: { kind: 'selection' } });
  for (const { id, address, entries } of accounts) {
    const inbox = inFolder(entries, 'inbox').length;
    const trash = inFolder(entries, 'trash').length;
    choices.push({ label: `Inbox — ${address}`, description: messagesText(inbox), scope: { kind: 'folder', accountId: id, folder: 'inbox' } });
    if (trash) choices.push({ label: `Trash — ${address}`, description: messagesText(trash), scope: { kind: 'folder', accountId: id, folder: 'trash' } });
    if (trash) choices.push({ label: `All mail — ${address}`, description: messagesText(entries.length), scope: { kind: 'folder', accountId: id, folder: 'all' } });
  }
  return choices;
}

