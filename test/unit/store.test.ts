import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { decodeHeaderValue, parseParameterized } from '../../src/mime/headers';
import { summarize } from '../../src/mime/summary';
import { AccountStore } from '../../src/store/accountStore';
import { acquireLock, LockBusyError } from '../../src/store/lock';
import { fetchMail } from '../../src/sync/fetch';
import { startPop3Server } from '../../src/demo/pop3Server';
import { assertStoredExactlyOnce } from '../support/mailcheck';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-store-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(scratch, `s${++n}`);

describe('header decoding', () => {
  test('RFC 2047 encoded-words in B and Q, across charsets, adjacent words joined', () => {
    assert.equal(decodeHeaderValue('=?UTF-8?B?Q2Fmw6k=?= =?UTF-8?Q?_cr=C3=A8me?='), 'Café crème');
    assert.equal(decodeHeaderValue('=?iso-8859-1?q?=E9t=E9?= au lac'), 'été au lac');
    assert.equal(decodeHeaderValue('=?koi8-r?B?8NLJ18XU?='), 'Привет');
    assert.equal(decodeHeaderValue('=?shift_jis?B?k/qWe4zq?='), '日本語');
    assert.equal(decodeHeaderValue('=?utf-8*en?q?hello?='), 'hello');
    assert.equal(decodeHeaderValue('plain =?bogus-charset?q?x?= text'), 'plain x text');
  });

  test('raw 8-bit headers: UTF-8 when valid, else windows-1252', () => {
    assert.equal(decodeHeaderValue(Buffer.from('Ünïcödé', 'utf8').toString('latin1')), 'Ünïcödé');
    assert.equal(decodeHeaderValue(Buffer.from([0x93, 0x71, 0x94]).toString('latin1')), '“q”');
  });

  test('parameters: quoted, RFC 2231 continuations and charsets', () => {
    const p = parseParameterized(`attachment; filename*0*=utf-8''r%C3%A9sum; filename*1*=%C3%A9.pdf; size=3`);
    assert.equal(p.value, 'attachment');
    assert.equal(p.params.get('filename'), 'résumé.pdf');
    assert.equal(parseParameterized('text/plain; charset="iso-8859-1"; format=flowed').params.get('charset'), 'iso-8859-1');
  });
});

describe('message summary', () => {
  test('multipart: snippet from the decoded text part, attachment detected', () => {
    const message = Buffer.from(
      [
        'From: =?utf-8?q?Ren=C3=A9e?= <renee@example.org>',
        'To: bob@example.org',
        'Subject: =?utf-8?b?UmFwcG9ydCBmaW5hbA==?=',
        'Date: Tue, 03 Nov 2026 10:00:00 +0100',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Voil=E0 le rapport, =',
        'bonne lecture.',
        '--b1',
        'Content-Type: application/pdf; name="r.pdf"',
        'Content-Disposition: attachment; filename="r.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERi0xLjQ=',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const s = summarize(message);
    assert.equal(s.from, 'Renée <renee@example.org>');
    assert.equal(s.subject, 'Rapport final');
    assert.equal(s.date, Date.UTC(2026, 10, 3, 9, 0, 0));
    assert.equal(s.snippet, 'Voilà le rapport, bonne lecture.');
    assert.equal(s.hasAttachments, true);
  });

  test('an HTML-only message gives a text snippet without tags or scripts', () => {
    const s = summarize(Buffer.from('Content-Type: text/html\r\n\r\n<style>p{}</style><script>x()</script><p>Hi &amp; welcome</p>'));
    assert.equal(s.snippet, 'Hi & welcome');
    assert.equal(s.hasAttachments, false);
  });

  test('the snippet is the body with white space collapsed as /\\s+/ does, trimmed, 160 characters', () => {
    const alphabet = [' ', '\t', '\r\n', '\n', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u0085', 'a', 'é', '日', '😀', '.'];
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 2000; trial++) {
      let body = '';
      for (let i = Math.floor(random() * 500); i > 0; i--) body += alphabet[Math.floor(random() * alphabet.length)];
      const s = summarize(Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\n${body}`));
      assert.equal(s.snippet, body.replace(/\s+/g, ' ').trim().slice(0, 160), JSON.stringify(body));
    }
  });

  test('headers end at the first blank line, CRLF or bare LF, whichever comes first', () => {
    assert.equal(summarize(Buffer.from('Subject: crlf\r\n\r\nbody\n\nSubject: no')).subject, 'crlf');
    assert.equal(summarize(Buffer.from('Subject: lf\n\nbody\r\n\r\nmore')).snippet, 'body more');
  });

  test('a header line without a colon is skipped, not fatal', () => {
    const s = summarize(Buffer.from('Subject: ok\r\nthis line is broken\r\nFrom: a@b.c\r\n\r\nbody'));
    assert.equal(s.subject, 'ok');
    assert.equal(s.from, 'a@b.c');
  });
});

async function fetchFrom(port: number, storeRoot: string) {
  return fetchMail({
    storeRoot,
    server: { host: '127.0.0.1', port, security: 'none', allowInsecureAuth: true, credentials: { user: 'alice', password: 'secret', mechanism: 'USER' } },
  });
}

const MESSAGES = [
  Buffer.from('Subject: first\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\none\r\n'),
  Buffer.from('Subject: second\r\nDate: Tue, 03 Nov 2026 10:00:00 +0000\r\n\r\ntwo\r\n'),
  Buffer.from('Subject: third\r\nDate: Wed, 04 Nov 2026 10:00:00 +0000\r\n\r\nthree\r\n'),
];

describe('account store', () => {
  test('lists newest first; Trash, Restore and Empty Trash; emptied messages are not fetched again', async () => {
    const server = await startPop3Server({ messages: MESSAGES });
    const root = freshRoot();
    try {
      assert.equal((await fetchFrom(server.port, root)).downloaded, 3);
      let store = await AccountStore.open(root);
      assert.deepEqual(store.list().map((m) => m.subject), ['third', 'second', 'first']);
      const [third, second] = store.list();
      assert.equal(store.unreadCount(), 3);
      await store.markSeen([third.id]);
      assert.equal(store.unreadCount(), 2);
      await store.trash([third.id, second.id]);
      assert.deepEqual(store.list().filter((m) => m.trashed).map((m) => m.subject), ['third', 'second']);
      assert.equal(store.unreadCount(), 1, 'Trash does not count');
      await store.restore([second.id]);
      assert.equal(store.get(second.id)?.trashed, false);
      assert.equal(await store.emptyTrash(), 1);
      assert.deepEqual(store.list().map((m) => m.subject), ['second', 'first']);
      await store.close();
      // Reopened from disk, flags and removals persist.
      store = await AccountStore.open(root);
      assert.deepEqual(store.list().map((m) => [m.subject, m.seen, m.trashed]), [['second', false, false], ['first', false, false]]);
      // The server still has the emptied message (delete-when-deleted-locally is on by default, so the
      // next fetch deletes it there); it is not downloaded again.
      const again = await fetchFrom(server.port, root);
      assert.equal(again.downloaded, 0);
      assert.equal(again.deletedOnServer, 1);
      assert.deepEqual(server.mailbox.map((m) => m.uid).sort(), ['uid-1', 'uid-2']);
    } finally {
      await server.close();
    }
  });

  test('an unchanged directory is not listed again; any change to it (another window, another tool) is seen', async () => {
    const server = await startPop3Server({ messages: MESSAGES });
    const root = freshRoot();
    try {
      await fetchFrom(server.port, root);
      const maildir = join(root, 'Maildir');
      const listingOf = () => (JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { mtimes?: Record<string, unknown> }).mtimes ?? {};
      // Just written: too fresh to trust a listing of it (a change in the same timestamp tick could hide).
      await (await AccountStore.open(root)).close();
      assert.equal(listingOf().new, undefined);
      // Quiet for a while: the listing is recorded, and the next open lists the same messages from it.
      const past = new Date(Date.now() - 10_000);
      for (const dir of ['new', 'cur']) utimesSync(join(maildir, dir), past, past);
      const first = await AccountStore.open(root);
      const subjects = first.list().map((m) => m.subject);
      await first.close();
      assert.ok(listingOf().new, 'a quiet directory\'s listing is saved');
      assert.deepEqual((await AccountStore.open(root)).list().map((m) => m.subject), subjects);
      // Another process moves a message to cur/ and marks it read: the directories' mtimes move on.
      const [name] = readdirSync(join(maildir, 'new'));
      renameSync(join(maildir, 'new', name), join(maildir, 'cur', `${name}:2,S`));
      const after = await AccountStore.open(root);
      assert.deepEqual(after.list().map((m) => m.subject), subjects);
      assert.equal(after.unreadCount(), 2);
      assert.throws(() => after.uidlRecord('uid-1'), /without its POP3 state/, 'a reader never loads the POP3 state');
    } finally {
      await server.close();
    }
  });

  test('a directory counts as quiet from 2 s after its last change, to the millisecond (mocked clock)', async (t) => {
    const changed = Math.floor(Date.now() / 1000) - 60; // whole seconds: the directory's time is then exact
    t.mock.timers.enable({ apis: ['Date'] });
    for (const [ageMs, recorded] of [
      [1_999, false],
      [2_000, true],
    ] as const) {
      const root = freshRoot();
      await (await AccountStore.open(root)).close();
      for (const dir of ['new', 'cur']) utimesSync(join(root, 'Maildir', dir), changed, changed);
      t.mock.timers.setTime(changed * 1000 + ageMs);
      await (await AccountStore.open(root)).close();
      const index = join(root, 'index.json'); // written only when there is something to record
      const listing = existsSync(index) ? ((JSON.parse(readFileSync(index, 'utf8')) as { mtimes?: Record<string, unknown> }).mtimes ?? {}) : {};
      assert.equal(listing.cur !== undefined, recorded, `a directory last changed ${ageMs} ms ago`);
    }
  });

  test('a lost or corrupt state file and index are rebuilt from the Maildir; nothing is fetched twice', async () => {
    const server = await startPop3Server({ messages: MESSAGES });
    const root = freshRoot();
    try {
      await fetchFrom(server.port, root);
      const before = (await AccountStore.open(root)).list();
      writeFileSync(join(root, 'pop3-state.json'), '{"version":1,"uidls":{"tru');
      writeFileSync(join(root, 'index.json'), 'garbage');
      const rebuilt = await AccountStore.open(root);
      assert.deepEqual(rebuilt.list(), before);
      assert.equal((await fetchFrom(server.port, root)).downloaded, 0);
      rmSync(join(root, 'pop3-state.json'));
      rmSync(join(root, 'index.json'));
      assert.equal((await fetchFrom(server.port, root)).downloaded, 0);
      assertStoredExactlyOnce(root, new Map(server.mailbox.map((m) => [m.uid, m.data])));
    } finally {
      await server.close();
    }
  });

  test('an index of the previous version, or with a damaged row, is re-read from the messages with their thread headers', async () => {
    const reply = Buffer.from('Subject: Re: first\r\nMessage-ID: <r@x>\r\nIn-Reply-To: <f@x> (sent by Ann)\r\nReferences: <root@x>\r\n <f@x>\r\n\r\nok\r\n');
    const server = await startPop3Server({ messages: [reply] });
    const root = freshRoot();
    try {
      await fetchFrom(server.port, root);
      const [fresh] = (await AccountStore.open(root)).list();
      assert.deepEqual([fresh.messageId, fresh.inReplyTo, fresh.references], ['<r@x>', '<f@x>', ['<root@x>', '<f@x>']]);
      const saved = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8')) as { version: number; fields: string[]; columns: unknown[][] };
      const row = saved.columns.map((column) => column[0]);
      // Version 1 had no thread headers: an 11-slot row without them.
      writeFileSync(join(root, 'index.json'), JSON.stringify({ version: 1, rows: [row.slice(0, 11)] }));
      assert.deepEqual((await AccountStore.open(root)).list(), [fresh]);
      const damaged = structuredClone(saved);
      damaged.columns[saved.fields.indexOf('references')][0] = 'not a list';
      damaged.columns[saved.fields.indexOf('subject')][0] = 'forged';
      writeFileSync(join(root, 'index.json'), JSON.stringify(damaged));
      assert.deepEqual((await AccountStore.open(root)).list(), [fresh]);
    } finally {
      await server.close();
    }
  });

  test('a torn journal line from a crash is ignored', async () => {
    const server = await startPop3Server({ messages: MESSAGES });
    const root = freshRoot();
    try {
      await fetchFrom(server.port, root);
      writeFileSync(join(root, 'pop3-state.journal'), '{"op":"add","uidl":"uid-9","rec');
      const store = await AccountStore.open(root, { pop3State: true });
      assert.equal(store.list().length, 3);
      assert.equal(store.uidlRecord('uid-9'), undefined);
    } finally {
      await server.close();
    }
  });
});

describe('batch-limited servers', () => {
  test('reconnects while each session hands out new mail, up to maxRounds', async () => {
    const messages = Array.from({ length: 25 }, (_, i) => Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`));
    const server = await startPop3Server({ messages, perSessionLimit: 10 });
    const root = freshRoot();
    const options = {
      storeRoot: root,
      server: { host: '127.0.0.1', port: server.port, security: 'none' as const, allowInsecureAuth: true, credentials: { user: 'alice', password: 'secret', mechanism: 'USER' as const } },
    };
    try {
      const limited = await fetchMail({ ...options, maxRounds: 2 });
      assert.deepEqual([limited.downloaded, limited.rounds], [20, 2]);
      const rest = await fetchMail({ ...options, maxRounds: 5 });
      assert.deepEqual([rest.downloaded, rest.rounds], [5, 2], 'stops at the first round with nothing new');
      assertStoredExactlyOnce(root, new Map(server.mailbox.map((m) => [m.uid, m.data])));
    } finally {
      await server.close();
    }
  });
});

describe('fetch lock', () => {
  test('a live holder blocks a second fetch; a dead holder\'s lock is broken', async () => {
    const root = freshRoot();
    await AccountStore.open(root);
    const path = join(root, 'fetch.lock');
    const held = await acquireLock(path);
    await assert.rejects(acquireLock(path), LockBusyError);
    await held.release();
    // A crashed holder: a process id that is not running.
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 0 }));
    const taken = await acquireLock(path);
    assert.ok(existsSync(path));
    await taken.release();
    assert.ok(!existsSync(path));
  });

  test('two fetches at once: one runs, the other is told the account is busy', async () => {
    const server = await startPop3Server({ messages: MESSAGES });
    const root = freshRoot();
    try {
      const results = await Promise.allSettled([fetchFrom(server.port, root), fetchFrom(server.port, root)]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const busy = results.filter((r) => r.status === 'rejected' && r.reason instanceof LockBusyError);
      assert.equal(ok.length + busy.length, 2);
      assert.ok(ok.length >= 1);
      assertStoredExactlyOnce(root, new Map(server.mailbox.map((m) => [m.uid, m.data])));
    } finally {
      await server.close();
    }
  });
});
