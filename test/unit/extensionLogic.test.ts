/** The extension's logic that runs without VS Code: accounts, tree model, view model, error advice. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { guessServer, newAccountId, parseAccount, pop3Options, presetFor, secretKey } from '../../src/accounts/account';
import { adviseOn } from '../../src/accounts/errorAdvice';
import { checkNumber, settingRows, withSetting } from '../../src/accounts/accountSettings';
import { CertificateError, Pop3Error } from '../../src/pop3';
import { emlName, isExecutable, sanitizeFilename } from '../../src/reader/files';
import { buildMessageView, hasRemoteContent } from '../../src/reader/viewModel';
import { contentSecurityPolicy } from '../../src/reader/html';
import { readerRefOf } from '../../src/shared/readerProtocol';
import type { MessageEntry } from '../../src/store/accountStore';
import { LockBusyError } from '../../src/store/lock';
import { sampleMailbox } from '../../src/demo/sampleMailbox';
import { summarize } from '../../src/mime/summary';
import { accountChildren, describe as describeNode, exportChoices, folderChildren, PAGE_SIZE } from '../../src/views/treeModel';
import { messagesText } from '../../src/shared/format';
import { displayName, relativeDate } from '../../src/shared/format';

describe('accounts', () => {
  test('presets fill server and port for common providers; unknown domains get a guess', () => {
    assert.deepEqual(presetFor('Someone@GMAIL.com'), { host: 'pop.gmail.com', port: 995, security: 'tls', batching: true });
    assert.deepEqual(guessServer('me@example.org'), { host: 'pop.example.org', port: 995, security: 'tls' });
  });

  test('a settings entry is validated with a sentence for each problem', () => {
    const ok = parseAccount({ id: 'work', address: 'me@example.org', host: 'pop.example.org' });
    assert.ok('account' in ok);
    assert.equal(ok.account.port, 995);
    assert.equal(ok.account.user, 'me@example.org');
    const cases: Array<[unknown, RegExp]> = [
      [null, /not an object/],
      [{ id: '../x', address: 'a@b.c', host: 'h' }, /"id" must be/],
      [{ id: 'a', address: 'nope', host: 'pop.x.org' }, /e-mail address/],
      [{ id: 'a', address: 'a@b.org', host: 'bad host!' }, /server name/],
      [{ id: 'a', address: 'a@b.org', host: 'pop.b.org', port: 70000 }, /port number/],
      [{ id: 'a', address: 'a@b.org', host: 'pop.b.org', security: 'ssl' }, /"security" must be/],
      [{ id: 'a', address: 'a@b.org', host: 'pop.b.org', policy: { deleteAfterDays: -1 } }, /deleteAfterDays/],
      [{ id: 'a', address: 'a@b.org', host: 'pop.b.org', pinnedCertificate: 'xyz' }, /SHA-256/],
      [{ id: 'a', address: 'a@b.org', host: 'pop.b.org', sizeLimitKB: 'big' }, /sizeLimitKB/],
    ];
    for (const [raw, message] of cases) {
      const r = parseAccount(raw);
      assert.ok('error' in r, JSON.stringify(raw));
      assert.match(r.error, message);
    }
  });

  test('the password key binds user, host and port: pointing an account elsewhere finds no password', () => {
    const a = { user: 'me', host: 'pop.example.org', port: 995 };
    assert.equal(secretKey(a), secretKey({ ...a, host: 'POP.example.org' }));
    assert.notEqual(secretKey(a), secretKey({ ...a, host: 'evil.example.net' }));
    assert.notEqual(secretKey(a), secretKey({ ...a, port: 110 }));
    assert.notEqual(secretKey(a), secretKey({ ...a, user: 'you' }));
  });

  test('settings map to POP3 options in one place: the pin, the security and the insecure-login choice carry over', () => {
    const parsed = parseAccount({ id: 'a', address: 'a@b.org', host: 'pop.b.org', security: 'starttls', pinnedCertificate: 'AB'.repeat(32), allowInsecureAuth: true });
    assert.ok('account' in parsed);
    const options = pop3Options(parsed.account, 'pw');
    assert.deepEqual([options.security, options.port, options.tls?.pinnedSha256, options.allowInsecureAuth, options.credentials], ['starttls', 110, 'AB'.repeat(32), true, { user: 'a@b.org', password: 'pw', mechanism: 'auto' }]);
  });

  test('the login method: automatic unless named, a named one carries over, an unknown one is refused', () => {
    const base = { id: 'a', address: 'a@b.org', host: 'pop.b.org' };
    const auto = parseAccount(base);
    assert.ok('account' in auto);
    assert.equal(pop3Options(auto.account, 'pw').credentials.mechanism, 'auto');
    const named = parseAccount({ ...base, loginMethod: 'USER' });
    assert.ok('account' in named);
    assert.equal(pop3Options(named.account, 'pw').credentials.mechanism, 'USER');
    const bad = parseAccount({ ...base, loginMethod: 'KERBEROS' });
    assert.ok('error' in bad && /loginMethod/.test(bad.error));
  });

  test('new ids are safe folder names and unique', () => {
    assert.equal(newAccountId('Me+tag@Example.org', []), 'me-tag-example.org');
    assert.equal(newAccountId('me@example.org', ['me-example.org']), 'me-example.org-2');
  });
});

describe('error advice', () => {
  test('each kind of failure gets a sentence and its next step', () => {
    assert.deepEqual(adviseOn(new Pop3Error('auth', 'Wrong user name or password.'), 'me@x.org').actions.map((a) => a.action), ['re-enter-password']);
    const cert = adviseOn(new CertificateError('not verified', 'AB:CD', 'DEPTH_ZERO_SELF_SIGNED_CERT'), 'me@x.org');
    assert.deepEqual(cert.actions.map((a) => a.action), ['trust-certificate']);
    assert.match(cert.message, /fingerprint is AB:CD/);
    assert.deepEqual(adviseOn(new Pop3Error('in-use', 'locked'), 'x').actions.map((a) => a.action), ['retry', 'show-log']);
    assert.deepEqual(adviseOn(new Pop3Error('insecure', 'clear'), 'x').actions.map((a) => a.action), ['edit-account', 'allow-insecure']);
    assert.deepEqual(adviseOn(new LockBusyError({ pid: 1, host: 'h', since: 0 }, 'Another fetch of this account'), 'x').actions, []);
    assert.doesNotMatch(adviseOn(new TypeError('boom'), 'x').message, /at .*\(/, 'no stack trace');
  });
});

function entry(i: number, extra: Partial<MessageEntry> = {}): MessageEntry {
  return { id: `m${i}`, uidl: `u${i}`, from: `Ann <ann${i}@x.org>`, to: 'me@x.org', subject: `S${i}`, date: 1_700_000_000_000 + i, size: 100, hasAttachments: false, snippet: '', messageId: '', inReplyTo: '', references: [], seen: false, trashed: false, ...extra };
}

describe('tree model', () => {
  test('an account\'s tooltip says when it was last checked', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    assert.match(describeNode({ kind: 'account', accountId: 'a', label: 'me@x.org', lastChecked: now - 5 * 60_000 }, [], now).tooltip, /Last checked 5 min ago/);
    assert.match(describeNode({ kind: 'account', accountId: 'a', label: 'me@x.org' }, [], now).tooltip, /Not checked yet/);
  });


  test('folders page their messages and say how many remain', () => {
    const entries = Array.from({ length: PAGE_SIZE + 50 }, (_, i) => entry(i, { trashed: i % 10 === 0 }));
    const inbox = folderChildren('a', 'inbox', entries, PAGE_SIZE);
    assert.equal(inbox.length, PAGE_SIZE + 1);
    assert.deepEqual(inbox.at(-1), { kind: 'more', accountId: 'a', folder: 'inbox', remaining: 225 - PAGE_SIZE });
    assert.equal(folderChildren('a', 'trash', entries, PAGE_SIZE).length, 25);
  });

  test('message rows show sender, relative date, unread, attachment and partial markers; context values drive menus', () => {
    const now = 1_700_000_000_000 + 3 * 3_600_000;
    const unread = describeNode({ kind: 'message', accountId: 'a', folder: 'inbox', entry: entry(0, { hasAttachments: true, partialOf: 5000 }) }, [], now);
    assert.equal(unread.label, '● S0');
    assert.equal(unread.description, 'Ann · 3 h ago · 📎 (headers only)');
    assert.equal(unread.icon, 'mail');
    assert.equal(unread.contextValue, 'message-unread-partial');
    const read = describeNode({ kind: 'message', accountId: 'a', folder: 'trash', entry: entry(1, { seen: true, subject: '' }) }, [], now);
    assert.equal(read.label, '(no subject)');
    assert.equal(read.contextValue, 'trashed-read');
    const folder = describeNode({ kind: 'folder', accountId: 'a', folder: 'inbox' }, [entry(1), entry(2, { seen: true })], now);
    assert.equal(folder.description, '1 unread');
  });

  test('Drafts, Outbox and Sent show when they hold mail, keep their own messages, and name recipients', () => {
    const entries = [entry(1), entry(2, { trashed: true }), entry(3, { folder: 'sent', seen: true, to: 'Bob <bob@x.org>' }), entry(4, { folder: 'outbox', seen: true })];
    const folders = (list: MessageEntry[]) => accountChildren('a', [], list).map((n) => (n.kind === 'folder' ? n.folder : n.kind));
    assert.deepEqual(folders(entries.slice(0, 2)), ['inbox', 'trash']);
    assert.deepEqual(folders(entries), ['inbox', 'outbox', 'sent', 'trash']);
    assert.deepEqual(folderChildren('a', 'inbox', entries, PAGE_SIZE).map((n) => n.kind === 'message' && n.entry.id), ['m1'], 'the Inbox holds no mail written here');
    assert.deepEqual(folderChildren('a', 'trash', entries, PAGE_SIZE).map((n) => n.kind === 'message' && n.entry.id), ['m2']);
    const [sent] = folderChildren('a', 'sent', entries, PAGE_SIZE);
    const row = describeNode(sent, entries, 1_700_000_000_003 + 3 * 3_600_000);
    assert.equal(row.description, 'to Bob · 3 h ago');
    assert.equal(row.contextValue, 'sent-message', 'not a fetched message: no Delete from Server, no Mark Read');
    const [waiting] = folderChildren('a', 'outbox', entries, PAGE_SIZE, new Map([['m4', 'will retry 10:42']]));
    assert.match(describeNode(waiting, entries, 0).description, /^will retry 10:42 · to /);
    assert.equal(describeNode({ kind: 'folder', accountId: 'a', folder: 'sent' }, entries, 0).label, 'Sent');
    assert.equal(exportChoices(0, [{ id: 'a', address: 'me@x.org', entries }])[1].description, '1 message', 'Trash counts only trashed mail');
  });

  test('right-to-left names are isolated so the row keeps its order', () => {
    const row = describeNode({ kind: 'message', accountId: 'a', folder: 'inbox', entry: entry(0, { from: 'أحمد <a@x.eg>' }) }, [], 1_700_000_000_000 + 86_400_000 * 2);
    assert.equal(row.description, '\u2068أحمد\u2069 · 2 d ago');
  });

  test('tooltips escape Markdown from hostile subjects', () => {
    const row = describeNode({ kind: 'message', accountId: 'a', folder: 'inbox', entry: entry(0, { subject: '[click](command:evil) *x*' }) }, [], 0);
    assert.ok(!row.tooltip.includes('](command:'), row.tooltip);
  });

  test('a message that could not be downloaded shows under its account with its reason, and whether fetches still try it', () => {
    assert.deepEqual(accountChildren('a', []).map((n) => n.kind), ['folder', 'folder'], 'no empty "Could not download" folder');
    const skipped = { key: 'k', uid: 'uid-7', size: 41, reason: 'The server refused RETR: gone', attempts: 1, lastTried: 0 };
    const [, , folder] = accountChildren('a', [skipped]);
    assert.equal(folder.kind, 'skipped-folder');
    assert.equal(describeNode(folder, [], 0).description, '1');
    const retrying = describeNode({ kind: 'skipped', accountId: 'a', skipped }, [], 0);
    assert.match(retrying.description, /^will retry · The server refused RETR: gone$/);
    assert.equal(retrying.contextValue, 'skipped');
    const waiting = describeNode({ kind: 'skipped', accountId: 'a', skipped: { ...skipped, attempts: 3 } }, [], 0);
    assert.match(waiting.description, /^waiting for you/);
  });

  test('dates and names read naturally', () => {
    assert.equal(relativeDate(1000, 1000 + 30_000), 'just now');
    assert.equal(relativeDate(0, 5), '');
    assert.equal(relativeDate(0 + 1, 2 * 86_400_000), '1 d ago');
    assert.equal(displayName('"Renée D." <r@x.org>'), 'Renée D.');
    assert.equal(displayName('plain@x.org'), 'plain@x.org');
  });
});

describe('message view model', () => {
  test('HTML with cid images, attachments, remote content', async () => {
    const raw = Buffer.from(
      [
        'From: "Ann" <ann@x.org>',
        'To: me@x.org, "Bob B" <bob@x.org>',
        'Subject: =?utf-8?q?R=C3=A9sum=C3=A9?=',
        'Date: Tue, 03 Nov 2026 10:00:00 +0000',
        'Content-Type: multipart/mixed; boundary=m',
        '',
        '--m',
        'Content-Type: multipart/related; boundary=r',
        '',
        '--r',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Hi <img src="cid:a@b"><img src="https://tracker.example/p.gif"></p>',
        '--r',
        'Content-Type: image/png',
        'Content-ID: <a@b>',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgo=',
        '--r--',
        '--m',
        'Content-Type: application/x-msdownload; name="../../evil.exe"',
        'Content-Disposition: attachment; filename="../../evil.exe"',
        '',
        'MZ',
        '--m--',
        '',
      ].join('\r\n'),
    );
    const { view } = await buildMessageView('id1', raw, false);
    assert.equal(view.subject, 'Résumé');
    assert.equal(view.from, 'Ann <ann@x.org>');
    assert.equal(view.to, 'me@x.org, Bob B <bob@x.org>');
    assert.equal(view.date, '2026-11-03T10:00:00.000Z');
    assert.equal(view.body.kind, 'html');
    assert.ok(view.body.kind === 'html' && view.body.html.includes('src="data:image/png;base64,iVBORw0KGgo="'));
    assert.equal(view.hasRemoteContent, true);
    assert.deepEqual(view.attachments.map((a) => [a.filename, a.executable]), [['_.._evil.exe', true]]);
  });

  test('plain text stays text; links alone are not remote content', async () => {
    const { view } = await buildMessageView('id2', Buffer.from('Subject: t\r\n\r\nline 1\r\nline 2\r\n'), true);
    assert.deepEqual(view.body, { kind: 'text', text: 'line 1\nline 2\n' });
    assert.equal(view.partial, true);
    assert.equal(hasRemoteContent('<a href="https://x.org">x</a>'), false);
    assert.equal(hasRemoteContent('<div style="background:url(//x.org/a.png)">'), true);
  });

  test('a broken message still gives a view, never a crash', async () => {
    const { view } = await buildMessageView('id3', Buffer.from('\x00\xff garbage without headers\r\n--boundary\r\n'), false);
    assert.equal(view.body.kind, 'text');
  });

  test('the CSP blocks remote loads and foreign scripts until remote content is allowed', () => {
    const strict = contentSecurityPolicy('https://webview', 'N', false);
    assert.match(strict, /default-src 'none'/);
    assert.match(strict, /script-src 'nonce-N'(;|$)/);
    assert.doesNotMatch(strict, /https:(?!\/\/webview)/);
    assert.match(contentSecurityPolicy('https://webview', 'N', true), /img-src https:\/\/webview data: https: http:/);
  });
});

describe('demo mailbox', () => {
  test('a few dozen messages whose headers and bodies decode cleanly', async () => {
    const messages = sampleMailbox(Date.UTC(2026, 10, 22));
    assert.ok(messages.length >= 24);
    const summaries = messages.map((m) => summarize(m));
    for (const s of summaries) assert.doesNotMatch(`${s.subject} ${s.from} ${s.snippet}`, /\uFFFD|=\?|Ã/, s.subject);
    const subjects = summaries.map((s) => s.subject);
    for (const expected of ['Réunion de lundi — ordre du jour', 'Grüße aus München', '来週の打ち合わせについて', 'Фотографии с конференции', 'Your talk was accepted 🎉']) assert.ok(subjects.includes(expected), expected);
    assert.ok(summaries.some((s) => s.hasAttachments));
    const french = summaries.find((s) => s.subject.startsWith('Réunion'))!;
    assert.match(french.snippet, /Voici l'ordre du jour de lundi/);
    const views = await Promise.all(messages.map((m, i) => buildMessageView(String(i), m, false)));
    assert.ok(views.some(({ view }) => view.body.kind === 'html' && view.body.html.includes('data:image/png;base64,')), 'inline images resolve');
  });
});

describe('file names from mail', () => {
  test('paths, controls, bidi tricks and reserved names are neutralised', () => {
    assert.equal(sanitizeFilename('../../etc/passwd'), '_.._etc_passwd');
    assert.equal(sanitizeFilename('.bashrc'), 'bashrc');
    assert.equal(sanitizeFilename('report\u202Efdp.exe'), 'reportfdp.exe');
    assert.equal(sanitizeFilename('CON.txt'), '_CON.txt');
    assert.equal(sanitizeFilename('   '), 'attachment');
    assert.equal(sanitizeFilename(`${'a'.repeat(300)}.pdf`).length, 200);
    assert.ok(sanitizeFilename(`${'a'.repeat(300)}.pdf`).endsWith('.pdf'));
    assert.equal(isExecutable('Invoice.PDF.exe'), true);
    assert.equal(isExecutable('notes.txt'), false);
    assert.equal(emlName('Re: a/b?', Date.UTC(2026, 0, 2), 'abc.def'), '2026-01-02 Re_ a_b_ [abcdef].eml');
  });
});

describe('a reader brought back after a reload', () => {
  test('its saved state names the message, or it is not brought back', () => {
    assert.deepEqual(readerRefOf({ ref: { accountId: 'a', messageId: 'm', extra: 1 } }), { accountId: 'a', messageId: 'm' });
    for (const damaged of [undefined, null, 7, {}, { ref: null }, { ref: { accountId: 'a' } }, { ref: { accountId: 3, messageId: 'm' } }]) {
      assert.equal(readerRefOf(damaged), undefined, JSON.stringify(damaged));
    }
  });
});

describe('Export Messages from the palette', () => {
  test('offers what is selected and each folder with its count, in good English', () => {
    const entries = [entry(1), entry(2, { trashed: true }), entry(3)];
    const choices = exportChoices(1, [{ id: 'a', address: 'ann@x.org', entries }, { id: 'b', address: 'bob@x.org', entries: [entry(4)] }]);
    assert.deepEqual(
      choices.map((c) => [c.label, c.description]),
      [
        ['The selected message', '1 message'],
        ['Inbox — ann@x.org', '2 messages'],
        ['Trash — ann@x.org', '1 message'],
        ['All mail — ann@x.org', '3 messages'],
        ['Inbox — bob@x.org', '1 message'],
      ],
    );
    assert.deepEqual(choices[3].scope, { kind: 'folder', accountId: 'a', folder: 'all' });
    assert.deepEqual(exportChoices(3, [])[0].label, 'The selected messages');
    assert.deepEqual(exportChoices(0, [{ id: 'a', address: 'ann@x.org', entries: [] }]).map((c) => c.description), ['0 messages']);
    assert.equal(messagesText(1, 'new'), '1 new message');
    assert.equal(messagesText(0, 'unread'), '0 unread messages');
  });
});

describe('Account Settings without JSON', () => {
  const base = { id: 'a', address: 'ann@x.org', host: 'pop.x.org', port: 995, security: 'tls' as const, user: 'ann' };
  const values = (a: Parameters<typeof settingRows>[0]) => Object.fromEntries(settingRows(a).map((r) => [r.key, r.value]));

  test('every setting shows its value in words, defaults included', () => {
    assert.deepEqual(values(base), {
      leaveOnServer: 'Yes',
      deleteAfterDays: 'Never',
      deleteWhenDeletedLocally: 'Yes',
      sizeLimitKB: 'No limit',
      checkIntervalMinutes: 'every 10 minutes',
      loginMethod: 'Automatic',
    });
    assert.deepEqual(values({ ...base, policy: { deleteAfterDownload: true, deleteAfterDays: 1 }, sizeLimitKB: 512, checkIntervalMinutes: 0, loginMethod: 'APOP' }), {
      leaveOnServer: 'No',
      deleteAfterDays: 'after 1 day',
      deleteWhenDeletedLocally: 'Yes',
      sizeLimitKB: 'over 512 KB',
      checkIntervalMinutes: 'Off',
      loginMethod: 'APOP',
    });
  });

  test('each change makes an account the settings accept, with only that setting changed', () => {
    let a: Parameters<typeof settingRows>[0] = base;
    a = withSetting(a, 'leaveOnServer');
    a = withSetting(a, 'deleteWhenDeletedLocally');
    a = withSetting(a, 'deleteAfterDays', 30);
    a = withSetting(a, 'sizeLimitKB', 2048);
    a = withSetting(a, 'checkIntervalMinutes', 0);
    a = withSetting(a, 'loginMethod', 'CRAM-MD5');
    assert.deepEqual(values(a), { leaveOnServer: 'No', deleteAfterDays: 'after 30 days', deleteWhenDeletedLocally: 'No', sizeLimitKB: 'over 2048 KB', checkIntervalMinutes: 'Off', loginMethod: 'CRAM-MD5' });
    const parsed = parseAccount(JSON.parse(JSON.stringify(a)));
    assert.ok('account' in parsed, JSON.stringify(parsed));
    assert.deepEqual(values(parsed.account), values(a), 'saved and read back, the same');
    assert.equal(values(withSetting(withSetting(base, 'leaveOnServer'), 'leaveOnServer')).leaveOnServer, 'Yes', 'a toggle flips back');
  });

  test('numbers are checked against their range', () => {
    const interval = settingRows(base).find((r) => r.key === 'checkIntervalMinutes')!;
    assert.equal(checkNumber(interval, '0'), undefined);
    assert.equal(checkNumber(interval, ' 1440 '), undefined);
    assert.match(checkNumber(interval, '1441')!, /0 to 1440/);
    for (const bad of ['', '-1', '2.5', 'ten']) assert.equal(checkNumber(interval, bad), 'Enter a whole number.', bad);
  });
});

