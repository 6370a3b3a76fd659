/**
 * The fetch engine's bookkeeping and its smaller doors, each pinned (src/sync/fetch.ts had 91
 * surviving mutants): what a fetch reports (counts, bytes, progress), rounds with servers that hand
 * out batches, the day a message becomes old enough to delete, the header check before a DELE,
 * what is forgotten, the order of retries, completing a headers-only copy, and the two deletions
 * on request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pop3Error } from '../../src/pop3';
import { AccountStore } from '../../src/store/accountStore';
import { completeMessage, deleteFromServerNow, deleteSkippedFromServer, fetchMail, type FetchOptions, type FetchProgress } from '../../src/sync/fetch';
import type { Pop3Server, Pop3ServerOptions } from '../../src/demo/pop3Server';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';
import { storedFiles } from '../support/mailcheck';

const { freshRoot, serve } = scriptedFixture('rules');
const DAY = 86_400_000;
const options = (storeRoot: string, server: Pop3Server, extra: Partial<FetchOptions> = {}): FetchOptions => ({ storeRoot, server: scriptedLogin(server), ...extra });
const openStore = (root: string) => AccountStore.open(root, { pop3State: true });
type Intercept = NonNullable<Pop3ServerOptions['intercept']>;
/** An intercept the test can change between sessions. */
const switchable = () => {
  const hook: { now?: Intercept } = {};
  return { hook, intercept: ((cmd, s) => hook.now?.(cmd, s) ?? false) as Intercept };
};

describe('what a fetch reports', () => {
  test('counts, bytes and progress add up, phase by phase; headers-only copies are counted apart', async () => {
    const big = mail('big', 'x'.repeat(5000));
    const messages = [mail('one'), big, mail('three')];
    const server = await serve({ messages });
    const progress: FetchProgress[] = [];
    const result = await fetchMail(options(freshRoot(), server, { sizeLimit: 1000, onProgress: (p) => progress.push(p) }));
    assert.equal(result.downloaded, 2);
    assert.equal(result.partial, 1);
    const headerBytes = big.indexOf('\r\n\r\n') + 4;
    assert.equal(result.bytes, messages[0].length + messages[2].length + headerBytes, 'bytes stored: the headers of the big one');
    assert.equal(result.rounds, 1);
    assert.equal(result.identity, 'uidl');
    assert.deepEqual(result.skipped, []);
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['connecting', 'listing', 'downloading', 'cleaning-up']);
    const last = progress.at(-1)!;
    assert.equal(last.messagesTotal, 3);
    assert.equal(last.messagesDone, 3);
    assert.equal(last.bytesTotal, messages.reduce((a, m) => a + m.length, 0));
    assert.equal(last.bytesDone, last.bytesTotal, 'a headers-only copy counts its full size as done');
    assert.deepEqual(progress.filter((p) => p.phase === 'downloading').map((p) => p.messagesDone), [0, 1, 2, 3]);
  });

  test('a server that hands out a batch per session: rounds until one brings nothing, totals summed', async () => {
    const messages = Array.from({ length: 7 }, (_, i) => mail(`m${i}`));
    const server = await serve({ messages, perSessionLimit: 3 });
    const result = await fetchMail(options(freshRoot(), server, { maxRounds: 5, policy: { deleteAfterDownload: true } }));
    assert.equal(result.downloaded, 7);
    assert.equal(result.rounds, 4, '3 + 3 + 1, then a round that finds nothing');
    assert.equal(result.bytes, messages.reduce((a, m) => a + m.length, 0));
    assert.equal(result.deletedOnServer, 7);
    const limited = await fetchMail(options(freshRoot(), await serve({ messages, perSessionLimit: 3 }), { maxRounds: 2 }));
    assert.equal(limited.rounds, 2);
    assert.equal(limited.downloaded, 6);
    assert.equal((await fetchMail(options(freshRoot(), await serve({ messages }), { maxRounds: 0 }))).rounds, 1, 'at least one round');
  });
});

describe('deleting on the server', () => {
  test('"after N days" deletes on the day, not a millisecond before', async () => {
    const server = await serve({ messages: [mail('old')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    const store = await openStore(root);
    const t0 = store.uidlRecord('uid-1')!.firstSeen; // when it was stored
    await store.close();
    assert.equal((await fetchMail(options(root, server, { policy: { deleteAfterDays: 2, deleteWhenDeletedLocally: false }, now: () => t0 + 2 * DAY - 1 }))).deletedOnServer, 0);
    assert.equal((await fetchMail(options(root, server, { policy: { deleteAfterDays: 2, deleteWhenDeletedLocally: false }, now: () => t0 + 2 * DAY }))).deletedOnServer, 1);
  });

  test('a message stored earlier whose headers changed under the same UIDL and size is not deleted', async () => {
    const first = mail('first');
    const server = await serve({ messages: [first] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    // Same UIDL, same size, other headers: TOP tells them apart.
    const impostor = Buffer.from(first.toString().replace('Subject: first', 'Subject: fIrst'));
    server.mailbox[0].data = impostor;
    assert.equal((await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }))).deletedOnServer, 0);
    assert.equal(server.deleted.length, 0);
    server.mailbox[0].data = first;
    assert.equal((await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }))).deletedOnServer, 1, 'the same headers: deleted');
  });

  test('a server without TOP: the size rule alone decides; a broken TOP stops the deletion', async () => {
    const root = freshRoot();
    const plain = await serve({ messages: [mail('a')], top: false, capa: ['USER', 'UIDL'] });
    await fetchMail(options(root, plain));
    assert.equal((await fetchMail(options(root, plain, { policy: { deleteAfterDownload: true } }))).deletedOnServer, 1);

    const root2 = freshRoot();
    const { hook, intercept } = switchable();
    const broken = await serve({ messages: [mail('b')], intercept });
    await fetchMail(options(root2, broken));
    hook.now = (cmd, s) => (cmd.startsWith('TOP ') ? (s.socket.destroy(), true) : false);
    await assert.rejects(fetchMail(options(root2, broken, { policy: { deleteAfterDownload: true } })), (err: unknown) => err instanceof Pop3Error);
    assert.equal(broken.deleted.length, 0);
  });

  test('records of messages gone from the server and the Maildir are forgotten; skipped entries no longer listed too', async () => {
    const server = await serve({
      messages: [mail('keep'), mail('bad')],
      intercept: (cmd, s) => (cmd === 'RETR 2' ? (s.write('-ERR broken\r\n'), true) : false),
    });
    const root = freshRoot();
    await fetchMail(options(root, server));
    let store = await openStore(root);
    assert.deepEqual([...store.uidlRecords().keys()], ['uid-1']);
    assert.deepEqual(store.skipped.list().map((s) => s.key), ['uid-2']);
    await store.emptyTrash();
    await store.trash(store.list().map((m) => m.id));
    await store.emptyTrash();
    await store.close();
    // Deleted here, so deleted there (the default policy); the bad one leaves the server too.
    server.mailbox.splice(1, 1);
    await fetchMail(options(root, server));
    store = await openStore(root);
    assert.deepEqual([...store.uidlRecords().keys()], [], 'the record of a message gone from both is dropped');
    assert.deepEqual(store.skipped.list(), [], 'the skipped entry of a message no longer listed is dropped');
    await store.close();
  });
});

describe('retries', () => {
  test('messages that failed before are tried after the new ones; retrySkipped names which given-up ones to try', async () => {
    let failing = new Set(['RETR 1', 'RETR 2']);
    const server = await serve({
      messages: [mail('a'), mail('b'), mail('c')],
      intercept: (cmd, s) => (failing.has(cmd) ? (s.write('-ERR not now\r\n'), true) : false),
    });
    const root = freshRoot();
    await fetchMail(options(root, server));
    failing = new Set();
    server.mailbox.push({ uid: 'uid-4', data: mail('d') });
    const before = server.sessions.length;
    await fetchMail(options(root, server));
    const retrs = server.sessions.slice(before).flatMap((s) => s.commands).filter((c) => c.startsWith('RETR'));
    assert.deepEqual(retrs, ['RETR 4', 'RETR 1', 'RETR 2'], 'the new one first, then those that failed');

    const root2 = freshRoot();
    const { hook, intercept } = switchable();
    hook.now = (cmd, s) => (cmd.startsWith('RETR') ? (s.write('-ERR no\r\n'), true) : false);
    const stubborn = await serve({ messages: [mail('x'), mail('y')], intercept });
    for (let i = 0; i < 3; i++) await fetchMail(options(root2, stubborn));
    hook.now = undefined;
    const mark = stubborn.sessions.length;
    await fetchMail(options(root2, stubborn, { retrySkipped: ['uid-2'] }));
    assert.deepEqual(stubborn.sessions.slice(mark).flatMap((s) => s.commands).filter((c) => c.startsWith('RETR')), ['RETR 2']);
    await fetchMail(options(root2, stubborn, { retrySkipped: true }));
    assert.equal(storedFiles(root2).length, 2);
  });
});

describe('on request', () => {
  test('Download Full Message completes a headers-only copy in place, keeping its id', async () => {
    const big = mail('big', 'y'.repeat(4000));
    const server = await serve({ messages: [big] });
    const root = freshRoot();
    await fetchMail(options(root, server, { sizeLimit: 100 }));
    let store = await AccountStore.open(root);
    const [entry] = store.list();
    assert.equal(entry.partialOf, big.length);
    await store.close();
    await completeMessage({ storeRoot: root, server: scriptedLogin(server) }, entry.id);
    store = await AccountStore.open(root);
    assert.equal(store.get(entry.id)?.partialOf, undefined);
    assert.deepEqual(await store.read(entry.id), big);
    assert.equal(store.list().length, 1);
    await store.close();
    await assert.rejects(completeMessage({ storeRoot: root, server: scriptedLogin(server) }, entry.id), /already complete/);
  });

  test('Download Full Message of a message gone from the server, or cut off, keeps the headers', async () => {
    const big = mail('big', 'z'.repeat(4000));
    const { hook, intercept } = switchable();
    const server = await serve({ messages: [big], intercept });
    const root = freshRoot();
    await fetchMail(options(root, server, { sizeLimit: 100 }));
    const id = (await AccountStore.open(root)).list()[0].id;
    hook.now = (cmd, s) => (cmd.startsWith('RETR') ? (s.socket.write('+OK\r\nFrom: a\r\n', () => s.socket.destroy()), true) : false);
    await assert.rejects(completeMessage({ storeRoot: root, server: scriptedLogin(server) }, id));
    assert.equal((await AccountStore.open(root)).get(id)?.partialOf, big.length, 'still the headers, nothing torn');
    hook.now = undefined;
    server.mailbox.splice(0, 1);
    await assert.rejects(completeMessage({ storeRoot: root, server: scriptedLogin(server) }, id), /no longer on the server/);
  });

  test('Delete from Server Now takes only complete stored copies it can vouch for', async () => {
    const server = await serve({ messages: [mail('a'), mail('b', 'b'.repeat(3000)), mail('c')] });
    const root = freshRoot();
    await fetchMail(options(root, server, { sizeLimit: 1000 }));
    const login = { storeRoot: root, server: scriptedLogin(server) };
    assert.equal(await deleteFromServerNow(login, ['uid-2', 'nope']), 0, 'a headers-only copy and an unknown key: nothing');
    assert.equal(server.sessions.at(-1)?.commands.some((c) => c.startsWith('DELE')) ?? false, false);
    assert.equal(await deleteFromServerNow(login, ['uid-1', 'uid-3']), 2);
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-1', 'uid-3']);
  });

  test('Delete from Server Unread takes only skipped messages still listed and unknown, and forgets them', async () => {
    const server = await serve({
      messages: [mail('a'), mail('bad')],
      intercept: (cmd, s) => (cmd === 'RETR 2' ? (s.write('-ERR broken\r\n'), true) : false),
    });
    const root = freshRoot();
    await fetchMail(options(root, server));
    const login = { storeRoot: root, server: scriptedLogin(server) };
    assert.equal(await deleteSkippedFromServer(login, ['uid-1']), 0, 'a stored message is not "skipped"');
    assert.equal(await deleteSkippedFromServer(login, ['uid-2']), 1);
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-2']);
    const store = await openStore(root);
    assert.deepEqual(store.skipped.list(), []);
    await store.close();
  });
});
