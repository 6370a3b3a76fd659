/**
 * Mail Panel inside a real VS Code extension host, against a real Dovecot (see environment.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AccountConfig } from '../../src/accounts/account';
import type { MailPanelApi } from '../../src/ui/activate';
import type { TreeNode } from '../../src/views/treeModel';
import type { SuiteConfig } from './environment';
import { startPop3Server } from '../../src/demo/pop3Server';
import { acquireLock } from '../../src/store/lock';

const EXTENSION_ID = 'mail-panel.mail-panel';

async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => statSync(f).isFile());
}

describe('Mail Panel in VS Code', function () {
  let api: MailPanelApi;
  let config: SuiteConfig;
  let account: AccountConfig;

  before(async function () {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    config = JSON.parse(readFileSync(join(folder, '.mailpanel-test.json'), 'utf8')) as SuiteConfig;
    account = {
      id: 'dovecot',
      address: 'alice@example.org',
      host: '127.0.0.1',
      port: config.pop3sPort,
      security: 'tls',
      user: config.user,
      pinnedCertificate: config.fingerprint256,
      policy: { deleteWhenDeletedLocally: true },
    };
  });

  it('activates', async () => {
    const extension = vscode.extensions.getExtension<MailPanelApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    api = await extension.activate();
    assert.ok(extension.isActive);
    assert.ok(api.mail && api.tree);
  });

  it('registers every contributed command', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: Array<{ command: string }> } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    assert.ok(manifest.contributes.commands.length >= 18);
  });

  it('"Fetch Mail" fills the tree from a real Dovecot', async () => {
    await api.mail.passwords.store(account, config.password);
    await vscode.workspace.getConfiguration('mailPanel').update('accounts', [account], vscode.ConfigurationTarget.Global);
    await waitFor('the account to load', () => api.mail.list().length === 1);
    await vscode.commands.executeCommand('mailPanel.fetchMail', account.id);
    const [root] = await api.tree.getChildren();
    assert.equal(root.kind, 'account');
    const [inbox] = await api.tree.getChildren(root);
    const messages = await waitFor('messages in the tree', async () => {
      const rows = await api.tree.getChildren(inbox);
      return rows.length === config.subjects.length ? rows : undefined;
    });
    const subjects = messages.map((m) => (m.kind === 'message' ? m.entry.subject : ''));
    assert.deepEqual([...subjects].sort(), [...config.subjects].sort());
    const item = await api.tree.getTreeItem(messages[0]);
    assert.match(String(item.label), /^● /, 'new mail is unread');
  });

  it('opening a message opens the reader panel with its subject and marks it read', async () => {
    const [root] = await api.tree.getChildren();
    const [inbox] = await api.tree.getChildren(root);
    const node = (await api.tree.getChildren(inbox)).find((n) => n.kind === 'message' && n.entry.subject === 'Quarterly report') as TreeNode & { kind: 'message' };
    assert.ok(node);
    await vscode.commands.executeCommand('mailPanel.openMessage', node);
    const tab = await waitFor('the reader tab', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Quarterly report' && t.input instanceof vscode.TabInputWebview),
    );
    assert.ok(tab);
    const entry = await waitFor('the message to be marked read', async () => (await api.mail.store(account.id)).get(node.entry.id)?.seen);
    assert.equal(entry, true);
  });

  it('a click shows each message in one preview tab that the next click replaces; Open Source is titled with the subject', async () => {
    const [root] = await api.tree.getChildren();
    const [inbox] = await api.tree.getChildren(root);
    const rows = (await api.tree.getChildren(inbox)).filter((n): n is TreeNode & { kind: 'message' } => n.kind === 'message');
    const readerTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mailPanel.reader'));
    for (const node of rows) {
      await vscode.commands.executeCommand('mailPanel.openMessage', node); // a tree click passes the node alone
      await waitFor(`the preview of ${node.entry.subject}`, () => readerTabs().some((t) => t.label === node.entry.subject));
    }
    // The message opened by the test before was a click too: its tab was the preview, reused since.
    assert.equal(readerTabs().length, 1, `one preview tab for ${rows.length} clicks: ${readerTabs().map((t) => t.label).join(', ')}`);
    const last = rows.at(-1)!;
    await vscode.commands.executeCommand('mailPanel.openSource', last, [last]);
    const source = await waitFor('the source tab', () => vscode.window.tabGroups.activeTabGroup.activeTab);
    assert.equal(source.label, `${last.entry.subject}.eml`);
    assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', new RegExp(`Subject: ${last.entry.subject.replace(/[?]/g, '\\?')}`));
  });

  it('Delete moves a message to Trash; with delete-when-deleted-locally the next fetch removes it from the server', async () => {
    const serverCount = () => filesUnder(join(config.maildir, 'cur')).length + filesUnder(join(config.maildir, 'new')).length;
    assert.equal(serverCount(), config.subjects.length);
    const [root] = await api.tree.getChildren();
    const [inbox, trash] = await api.tree.getChildren(root);
    const node = (await api.tree.getChildren(inbox)).find((n) => n.kind === 'message' && n.entry.subject === 'Lunch on Friday?')!;
    await vscode.commands.executeCommand('mailPanel.deleteMessage', node, [node]);
    const trashed = await waitFor('the message in Trash', async () => {
      const rows = await api.tree.getChildren(trash);
      return rows.length === 1 ? rows : undefined;
    });
    assert.equal(trashed[0].kind === 'message' && trashed[0].entry.subject, 'Lunch on Friday?');
    assert.equal((await api.tree.getChildren(inbox)).length, config.subjects.length - 1);
    await vscode.commands.executeCommand('mailPanel.fetchMail', account.id);
    await waitFor('the server to drop the message', () => serverCount() === config.subjects.length - 1);
  });

  it('a server that refuses the APOP it announces and one message: login falls back, the rest is fetched, the refused one shows under "Could not download"', async () => {
    // The scripted server's greeting carries an APOP timestamp; APOP itself is refused there.
    const server = await startPop3Server({
      messages: ['good one', 'refused', 'good two'].map((s) => Buffer.from(`From: x@example.org\r\nSubject: ${s}\r\n\r\nbody\r\n`)),
      intercept: (line, session) => {
        if (line !== 'RETR 2') return false;
        session.write('-ERR this message cannot be read\r\n');
        return true;
      },
    });
    try {
      const odd: AccountConfig = { id: 'odd', address: 'odd@example.org', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice', allowInsecureAuth: true };
      await api.mail.passwords.store(odd, 'secret');
      await vscode.workspace.getConfiguration('mailPanel').update('accounts', [account, odd], vscode.ConfigurationTarget.Global);
      await waitFor('the second account', () => api.mail.list().length === 2);
      await vscode.commands.executeCommand('mailPanel.fetchMail', odd.id);
      assert.deepEqual(server.sessions[0].commands.filter((c) => /^(APOP|USER)/.test(c)).map((c) => c.split(' ')[0]), ['APOP', 'USER']);
      const roots = await api.tree.getChildren();
      const root = roots.find((n) => n.kind === 'account' && n.accountId === odd.id)!;
      const folders = await waitFor('the Could not download folder', async () => {
        const children = await api.tree.getChildren(root);
        return children.some((c) => c.kind === 'skipped-folder') ? children : undefined;
      });
      const inboxRows = await api.tree.getChildren(folders[0]);
      assert.deepEqual(inboxRows.map((r) => (r.kind === 'message' ? r.entry.subject : '')).sort(), ['good one', 'good two']);
      const skippedFolder = folders.find((c) => c.kind === 'skipped-folder')!;
      const [row] = await api.tree.getChildren(skippedFolder);
      const item = await api.tree.getTreeItem(row);
      assert.match(String(item.description), /will retry · .*this message cannot be read/);
      assert.equal(item.contextValue, 'skipped');
    } finally {
      await vscode.workspace.getConfiguration('mailPanel').update('accounts', [account], vscode.ConfigurationTarget.Global);
      await server.close();
    }
  });

  it('Next and Previous Message move the reader through its folder; Delete in the reader trashes and shows the next', async () => {
    const [root] = await api.tree.getChildren();
    const [inbox] = await api.tree.getChildren(root);
    const rows = (await api.tree.getChildren(inbox)).filter((n): n is TreeNode & { kind: 'message' } => n.kind === 'message');
    const subjects = rows.map((r) => r.entry.subject); // newest first, as the reader steps
    assert.ok(subjects.length >= 2, subjects.join(', '));
    const shown = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('mailPanel.reader'))?.label;
    await vscode.commands.executeCommand('mailPanel.openMessage', rows[0]);
    await waitFor(`the reader on ${subjects[0]}`, () => shown() === subjects[0]);
    await vscode.commands.executeCommand('mailPanel.nextMessage');
    await waitFor(`the reader on ${subjects[1]}`, () => shown() === subjects[1]);
    await vscode.commands.executeCommand('mailPanel.previousMessage');
    await waitFor(`the reader back on ${subjects[0]}`, () => shown() === subjects[0]);
    await vscode.commands.executeCommand('mailPanel.deleteShownMessage');
    await waitFor(`the reader on ${subjects[1]} after Delete`, () => shown() === subjects[1]);
    assert.equal((await api.mail.store(account.id)).get(rows[0].entry.id)?.trashed, true);
    await vscode.commands.executeCommand('mailPanel.restoreMessage', rows[0], [rows[0]]);
  });

  it('New Message: a draft in Drafts; addresses complete from the mail; a bad address is underlined on its line', async () => {
    await vscode.commands.executeCommand('mailPanel.newMessage', account.id);
    const editor = await waitFor('the draft tab', () => (vscode.window.activeTextEditor?.document.uri.scheme === 'mail-draft' ? vscode.window.activeTextEditor : undefined));
    const { document } = editor;
    assert.equal(document.languageId, 'mail-draft');
    assert.equal(document.lineAt(1).text, 'To: ', 'the cursor waits on To');
    assert.deepEqual([editor.selection.active.line, editor.selection.active.character], [1, 4]);
    const store = await api.mail.store(account.id);
    await waitFor('the draft in the Drafts folder', () => store.local('drafts').size === 1);

    // The senders of the fetched mail are offered in To.
    await editor.edit((e) => e.insert(new vscode.Position(1, 4), 'mail'));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', document.uri, new vscode.Position(1, 8));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('Mail Panel Tests <tests@example.org>'), labels.join(', '));

    // Typing a word that is not an address underlines the To line; what is typed reaches the Drafts folder unasked.
    await editor.edit((e) => e.replace(document.lineAt(1).range, 'To: bob'));
    // (The diagnostic of the earlier text, "mail", may still be shown: wait for the one of this text.)
    const problem = await waitFor('the diagnostic', () => vscode.languages.getDiagnostics(document.uri).find((d) => d.message.includes('"bob"')));
    assert.equal(problem.range.start.line, 1);
    assert.equal(problem.message, '"bob" is not an e-mail address.');
    assert.equal(problem.severity, vscode.DiagnosticSeverity.Error);
    await waitFor('the draft saved', async () => !document.isDirty && (await store.local('drafts').read(store.local('drafts').ids()[0])).includes('To: bob'));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Mark Folder Read marks every unread message of the Inbox read; Undo marks the same ones unread again', async () => {
    const store = () => api.mail.store(account.id);
    const inboxOf = async () => (await api.mail.messages(account.id)).filter((e) => !e.trashed && !e.folder);
    const all = (await inboxOf()).map((e) => e.id);
    assert.ok(all.length >= 2, 'two messages in the Inbox');
    const unreadBefore = all.slice(0, 2);
    await api.mail.change(account.id, async (s) => {
      await s.markSeen(all, true);
      await s.markSeen(unreadBefore, false);
    });
    const window = vscode.window as { showInformationMessage: unknown };
    const real = window.showInformationMessage;
    let answer!: (pick: string | undefined) => void;
    const said: string[] = [];
    window.showInformationMessage = (message: string) => (said.push(message), new Promise((resolve) => (answer = resolve)));
    try {
      const [root] = await api.tree.getChildren();
      const inbox = (await api.tree.getChildren(root)).find((n) => n.kind === 'folder' && n.folder === 'inbox');
      await vscode.commands.executeCommand('mailPanel.markFolderRead', inbox);
      assert.deepEqual((await inboxOf()).filter((e) => !e.seen), []);
      assert.deepEqual(said, ['2 messages in Inbox — alice@example.org marked read.']);
      answer('Undo');
      const unread = await waitFor('Undo', async () => {
        const ids = (await inboxOf()).filter((e) => !e.seen).map((e) => e.id);
        return ids.length >= unreadBefore.length ? ids : undefined; // (marked one by one: wait for all)
      });
      assert.deepEqual(unread.sort(), [...unreadBefore].sort());
      assert.equal((await store()).unreadCount(), 2);
    } finally {
      window.showInformationMessage = real;
    }
  });

  it('an automatic check asks for no password and says nothing while another window fetches; Fetch Mail does both', async () => {
    const root = api.mail.storeRoot(account.id);
    assert.match(readFileSync(join(root, 'last-check'), 'latin1'), /^\d+\n$/, 'the fetches stamped their checks for every window');
    const window = vscode.window as { showErrorMessage: unknown; showInputBox: unknown };
    const real = { showErrorMessage: window.showErrorMessage, showInputBox: window.showInputBox };
    const shown: string[] = [];
    window.showErrorMessage = async (message: string) => void shown.push(`error: ${message}`);
    window.showInputBox = async (options: vscode.InputBoxOptions) => void shown.push(`asked: ${options.title}`);
    const lock = await acquireLock(join(root, 'fetch.lock')); // as another window's fetch holds it
    let held = true;
    try {
      assert.equal(await api.mail.fetch(account.id, { scheduled: true }), undefined);
      assert.deepEqual(shown, []);
      await api.mail.fetch(account.id);
      assert.equal(shown.length, 1);
      assert.match(shown[0], /^error: .*is running/);
      await lock.release();
      held = false;

      shown.length = 0;
      await api.mail.passwords.delete(account);
      assert.equal(await api.mail.fetch(account.id, { scheduled: true }), undefined);
      assert.deepEqual(shown, [], 'no password box raised unbidden');
      await api.mail.fetch(account.id);
      assert.deepEqual(shown, [`asked: Password for ${config.user} at 127.0.0.1`]);
    } finally {
      Object.assign(window, real);
      if (held) await lock.release();
      await api.mail.passwords.store(account, config.password);
    }
  });

  it('keeps the password in SecretStorage and in no settings file or store file', async () => {
    assert.equal(await api.mail.passwords.get(account), config.password);
    const settings = config.settingsFiles.filter((f) => existsSync(f));
    assert.ok(settings.some((f) => readFileSync(f, 'utf8').includes('"mailPanel.accounts"')), 'the account itself was saved to settings');
    for (const file of [...settings, ...filesUnder(api.mail.storeRoot(account.id))]) {
      assert.ok(!readFileSync(file).includes(config.password), `password found in ${file}`);
    }
  });
});
