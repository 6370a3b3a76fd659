/**
 * The commands of writing mail: New Message, Reply, Reply All, Forward (inline or as attachment),
 * and in a draft's tab Send, Attach File and Discard; in the Outbox, Send Again, Mark as Sent and
 * Delete; Set Up Sending for an account.
 */
import * as vscode from 'vscode';
import { forward, newMessage, reply } from '../compose/replies';
import { parseMessage } from '../mime/parse';
import type { TreeNode } from '../views/treeModel';
import { pickAccount } from './accountWizard';
import { attachEdit, DRAFT_SCHEME } from './draftAssist';
import type { Drafts } from './drafts';
import type { MessageListPanels, MessageRef } from './listPanel';
import type { MailService } from './mailService';
import type { Sending } from './sending';

export function registerComposeCommands(
  context: vscode.ExtensionContext,
  mail: MailService,
  drafts: Drafts,
  sending: Sending,
  lists: MessageListPanels,
  /** The message a command is about (the tree's, the list's or the reader's, as other commands choose). */
  messageOf: (node?: unknown, selection?: unknown) => MessageRef | undefined,
): void {
  const draftDocument = (uri?: unknown) =>
    uri instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : vscode.window.activeTextEditor?.document.uri.scheme === DRAFT_SCHEME ? vscode.window.activeTextEditor.document : undefined;

  /** Opens a draft made from a stored message by `make`. */
  const answer = (make: (parsed: Awaited<ReturnType<typeof parseMessage>>, ref: MessageRef) => Parameters<Drafts['create']>[0] | undefined) => async (node?: unknown, selection?: unknown) => {
    const ref = messageOf(node, selection);
    if (!ref) return void vscode.window.showInformationMessage('Select or open the message to answer first.');
    const store = await mail.store(ref.accountId);
    const draft = make(await parseMessage(await store.read(ref.messageId)), ref);
    if (draft) await drafts.create(draft);
  };
  const senderOf = (accountId: string) => {
    const account = mail.account(accountId);
    if (!account) throw new Error('The account of this message is no longer set up.');
    return drafts.sender(account);
  };
  const outgoingRef = (node?: unknown) => {
    const n = node as TreeNode | undefined;
    return n?.kind === 'message' && n.folder === 'outbox' ? { accountId: n.accountId, id: n.entry.id } : undefined;
  };

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'mailPanel.newMessage': async (arg?: unknown) => {
      const account = await pickAccount(mail, 'New Message from', arg);
      if (account) await drafts.create(newMessage(drafts.sender(account)));
    },
    'mailPanel.reply': answer((parsed, ref) => reply(parsed, senderOf(ref.accountId), false)),
    'mailPanel.replyAll': answer((parsed, ref) => reply(parsed, senderOf(ref.accountId), true)),
    'mailPanel.forward': answer((parsed, ref) => forward(parsed, `${ref.accountId}/${ref.messageId}`, senderOf(ref.accountId), 'inline')),
    'mailPanel.forwardAsAttachment': answer((parsed, ref) => forward(parsed, `${ref.accountId}/${ref.messageId}`, senderOf(ref.accountId), 'attachment')),
    'mailPanel.send': async (uri?: unknown) => {
      const document = draftDocument(uri);
      if (!document) return void vscode.window.showInformationMessage('Open a draft to send it (Mail: New Message, or Reply).');
      await drafts.send(document);
    },
    'mailPanel.attachFile': async (uri?: unknown) => {
      const document = draftDocument(uri);
      if (!document) return;
      const files = await vscode.window.showOpenDialog({ canSelectMany: true, openLabel: 'Attach', title: 'Attach Files' });
      if (files?.length) await vscode.workspace.applyEdit(attachEdit(document, files));
    },
    'mailPanel.discardDraft': async (uri?: unknown) => {
      const document = draftDocument(uri);
      if (document) await drafts.discard(document);
    },
    'mailPanel.openDraft': async (accountId?: unknown, draftId?: unknown) => {
      if (typeof accountId === 'string' && typeof draftId === 'string') await drafts.show(accountId, draftId);
    },
    'mailPanel.openFolder': (accountId?: unknown, folder?: unknown) => lists.open({ kind: 'folder', accountId: String(accountId), folder: folder as 'outbox' }),
    'mailPanel.sendAgain': async (node?: unknown) => {
      const ref = outgoingRef(node);
      if (ref) await sending.sendDue(ref.accountId, [ref.id], true);
    },
    'mailPanel.markSent': async (node?: unknown) => {
      const ref = outgoingRef(node);
      if (!ref) return;
      await (await sending.outbox(ref.accountId)).markSent(ref.id);
      await mail.change(ref.accountId, async () => undefined);
    },
    'mailPanel.deleteOutgoing': async (node?: unknown) => {
      const ref = outgoingRef(node);
      if (!ref) return;
      const pick = await vscode.window.showWarningMessage('Delete this message from the Outbox without sending it?', { modal: true }, 'Delete');
      if (pick !== 'Delete') return;
      await (await sending.outbox(ref.accountId)).discard(ref.id);
      await mail.change(ref.accountId, async () => undefined);
    },
    'mailPanel.setUpSending': async (arg?: unknown) => {
      const account = await pickAccount(mail, 'Set Up Sending for', arg);
      const smtp = account && (await sending.setUp(account));
      if (account && smtp) void vscode.window.showInformationMessage(`${account.address} sends through ${smtp.host}.`);
    },
  };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
}
