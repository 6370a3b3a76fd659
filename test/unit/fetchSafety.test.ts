/**
 * Hostile and odd servers: reused and duplicate UIDLs must never get mail deleted unseen; one bad
 * message (refused, overlong, a broken or huge UIDL, a trickling body) must never block the rest.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pop3Error } from '../../src/pop3';
import { AccountStore } from '../../src/store/accountStore';
import { GIVE_UP_AFTER } from '../../src/store/skipped';
import { deleteSkippedFromServer, fetchMail, type FetchOptions, type ServerPolicy } from '../../src/sync/fetch';
import type { Pop3Server, Pop3ServerOptions } from '../../src/demo/pop3Server';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';
import { storedFiles } from '../support/mailcheck';

const { freshRoot, serve } = scriptedFixture('safety');

function options(storeRoot: string, server: Pop3Server, extra: Partial<FetchOptions> = {}): FetchOptions {
  return {
    storeRoot,
    server: scriptedLogin(server),
    ...extra,
  };
}

/** Every message the server deleted is on disk, byte for byte. */
function assertDeletedOnlyWhenStored(storeRoot: string, server: Pop3Server): void {
  const stored = storedFiles(storeRoot).map((f) => f.data.toString('latin1'));
  for (const gone of server.deleted) assert.ok(stored.includes(gone.data.toString('latin1')), `deleted unseen: ${gone.data.toString().split('\r\n')[1]}`);
}

const DAY = 86_400_000;
const policies: Array<[string, Partial<ServerPolicy>, (root: string) => Promise<void>, () => number]> = [
  ['delete right after download', { deleteAfterDownload: true }, async () => undefined, Date.now],
  ['delete after N days', { deleteAfterDays: 1 }, async () => undefined, () => Date.now() + 2 * DAY],
  [
    'delete when deleted locally',
    { deleteWhenDeletedLocally: true },
    async (root) => {
      const store = await AccountStore.open(root);
      await store.trash(store.list().map((m) => m.id));
      await store.emptyTrash();
    },
    Date.now,
  ],
];

describe('a UIDL is not proof of identity', () => {
  for (const [name, policy, afterFirst, now] of policies) {
    test(`${name}: a new message under a reused UIDL is downloaded before any DELE (later session)`, async () => {
      const server = await serve({ messages: [mail('first')], uids: ['reused'] });
      const root = freshRoot();
      await fetchMail(options(root, server, { policy: { deleteAfterDownload: false, deleteAfterDays: 0, deleteWhenDeletedLocally: false } }));
      await afterFirst(root);
      // The server forgets the first message and hands its UIDL to another one.
      server.mailbox.splice(0, 1, { uid: 'reused', data: mail('second, a different message', 'other words') });
      await fetchMail(options(root, server, { policy, now }));
      assertDeletedOnlyWhenStored(root, server);
      assert.ok(
        storedFiles(root).some((f) => f.data.toString().includes('second, a different message')),
        'the new message is stored',
      );
    });
  }

  // Found by the fuzzer (seed 1628): a recycled UIDL on a different message of the very same size.
  for (const [name, policy, now] of [
    ['delete right after download', { deleteAfterDownload: true }, Date.now],
    ['delete after N days', { deleteAfterDays: 1 }, () => Date.now() + 2 * DAY],
  ] as const) {
    test(`${name}: a different message under a reused UIDL with the same size is never deleted unseen`, async () => {
      const server = await serve({ messages: [mail('first')], uids: ['reused'] });
      const root = freshRoot();
      await fetchMail(options(root, server));
      const twin = mail('fifth'); // the same length, other headers
      assert.equal(twin.length, server.mailbox[0].data.length);
      server.mailbox.splice(0, 1, { uid: 'reused', data: twin });
      await fetchMail(options(root, server, { policy, now }));
      assert.deepEqual(server.deleted, [], 'not deleted: its headers are not those of the stored message');
    });
  }

  test('two listed messages with one UIDL: both stored once, each deleted only once stored', async () => {
    const server = await serve({ messages: [mail('one'), mail('two', 'longer body'), mail('three')], uids: ['dup', 'dup', 'dup'] });
    const root = freshRoot();
    const first = await fetchMail(options(root, server));
    assert.equal(first.downloaded, 3);
    const again = await fetchMail(options(root, server));
    assert.equal(again.downloaded, 0, 'nothing stored twice');
    await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assertDeletedOnlyWhenStored(root, server);
    assert.equal(server.mailbox.length, 0);
    assert.equal(storedFiles(root).length, 3);
  });

  test('a second message listed under a stored UIDL: stored before any DELE, the first not stored twice', async () => {
    const server = await serve({ messages: [mail('first')], uids: ['x'] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    server.mailbox.push({ uid: 'x', data: mail('twin', 'a longer, different body') });
    await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assertDeletedOnlyWhenStored(root, server);
    assert.equal(server.deleted.length, 2);
    assert.equal(storedFiles(root).length, 2);
  });
});

describe('one bad message never blocks a mailbox', () => {
  test('a RETR refused with -ERR is skipped, the others stored; retried, then left for the user', async () => {
    const server = await serve({
      messages: [mail('good 1'), mail('bad'), mail('good 2')],
      intercept: (cmd, s) => {
        if (cmd !== 'RETR 2') return false;
        s.write('-ERR cannot read this message\r\n');
        return true;
      },
    });
    const root = freshRoot();
    const first = await fetchMail(options(root, server));
    assert.equal(first.downloaded, 2);
    assert.equal(first.skipped.length, 1);
    assert.equal(first.skipped[0].uid, 'uid-2');
    assert.match(first.skipped[0].reason, /cannot read this message/);
    for (let i = 1; i < GIVE_UP_AFTER; i++) await fetchMail(options(root, server));
    const retrieves = () => server.sessions.flatMap((s) => s.commands).filter((c) => c === 'RETR 2').length;
    assert.equal(retrieves(), GIVE_UP_AFTER, 'tried on each fetch until it gave up');
    const before = retrieves();
    const waiting = await fetchMail(options(root, server));
    assert.equal(retrieves(), before, 'not tried again automatically');
    assert.equal(waiting.skipped[0].attempts, GIVE_UP_AFTER);
    await fetchMail(options(root, server, { retrySkipped: true }));
    assert.equal(retrieves(), before + 1, 'tried again on request');
    const views = await AccountStore.open(root);
    assert.equal(views.skipped.list().length, 1, 'the views see it with its reason');
    await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assert.deepEqual(server.mailbox.map((m) => m.uid), ['uid-2'], 'the skipped one stays on the server');
    // The user's explicit choice: delete it from the server unread.
    const { server: session } = options(root, server);
    assert.equal(await deleteSkippedFromServer({ storeRoot: root, server: session }, [views.skipped.list()[0].key]), 1);
    assert.equal(server.mailbox.length, 0);
    assert.equal((await AccountStore.open(root)).skipped.list().length, 0);
  });

  test('a RETR longer than its LIST size allows is skipped and not stored', async () => {
    const server = await serve({
      messages: [mail('good 1'), mail('liar'), mail('good 2')],
      intercept: (cmd, s) => {
        if (cmd !== 'RETR 2') return false;
        s.write(`+OK\r\n${'y'.repeat(1000)}\r\n`.repeat(3000) + '.\r\n'); // LIST said about 41 bytes; 3 MB follow
        return true;
      },
    });
    const root = freshRoot();
    const result = await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assert.equal(result.downloaded, 2);
    assert.equal(result.skipped.length, 1);
    assert.match(result.skipped[0].reason, /more than/);
    assert.ok(storedFiles(root).every((f) => f.size < 1000), 'nothing of the 3 MB was stored');
    assert.deepEqual(server.mailbox.map((m) => m.uid), ['uid-2']);
  });

  test('UIDLs with spaces, control bytes, 150 and 200 characters: stored, and every local action works', async () => {
    const uids = ['has spaces', 'ctl\x01x', 'u'.repeat(150), 'v'.repeat(200), 'normal'];
    const server = await serve({ messages: uids.map((_, i) => mail(`m${i}`)), uids, intercept: uidlAsIs(uids) });
    const root = freshRoot();
    const first = await fetchMail(options(root, server));
    assert.equal(first.downloaded, 5);
    assert.equal((await fetchMail(options(root, server))).downloaded, 0, 'recognised on the next fetch');
    const store = await AccountStore.open(root);
    const ids = store.list().map((m) => m.id);
    await store.markSeen(ids);
    await store.trash(ids);
    await store.restore(ids);
    const reopened = await AccountStore.open(root);
    assert.ok(reopened.list().every((m) => m.seen && !m.trashed));
    for (const f of storedFiles(root)) assert.ok(f.size > 0);
    for (const id of ids) assert.ok((await reopened.read(id)).length > 0);
    await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assert.equal(server.mailbox.length, 0);
    assertDeletedOnlyWhenStored(root, server);
  });

  test('a server that trickles a message for ever fails with a clear error within its rate window', async () => {
    let trickle: NodeJS.Timeout | undefined;
    const server = await serve({
      messages: [mail('slow')],
      intercept: (cmd, s) => {
        if (cmd !== 'RETR 1') return false;
        s.write('+OK\r\n');
        trickle = setInterval(() => s.write('a line\r\n'), 20);
        return true;
      },
    });
    const root = freshRoot();
    const started = Date.now();
    const fetching = fetchMail({
      ...options(root, server),
      server: { ...options(root, server).server, timeouts: { responseMs: 5000, minBytesPerSecond: 2000, rateWindowMs: 150 } },
    });
    await assert.rejects(fetching, (err: unknown) => err instanceof Pop3Error && err.kind === 'timeout' && /slower than/.test(err.message));
    clearInterval(trickle);
    assert.ok(Date.now() - started < 3000, 'ends within a few windows, not at the silence timeout');
    const store = await AccountStore.open(root);
    assert.equal(store.skipped.list()[0]?.uid, 'uid-1', 'recorded against the message');
  });
});

/** The scripted server's UIDL answer with the UIDLs written as they are (spaces, control bytes). */
function uidlAsIs(uids: string[]): Pop3ServerOptions['intercept'] {
  return (cmd, s) => {
    if (cmd !== 'UIDL') return false;
    s.write(`+OK\r\n${uids.map((u, i) => `${i + 1} ${u}\r\n`).join('')}.\r\n`);
    return true;
  };
}
