/**
 * What may leave the server, and what must not (src/sync/fetch.ts): a message deleted here stays
 * deleted without being downloaded again, the header check is spent only on messages stored in an
 * earlier session, and the two deletions on request take exactly what they are asked for and may
 * vouch for, connecting only when something qualifies.
 */
import assert from 'node:assert/strict';
// The module object itself: the store's fsync goes through it, and one test fails it as a full disk would.
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { deleteFromServerNow, deleteSkippedFromServer, fetchMail, type FetchOptions } from '../../src/sync/fetch';
import type { Pop3Server } from '../../src/demo/pop3Server';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';
import { withPatched } from '../support/patch';

const { freshRoot, serve } = scriptedFixture('deletion');
const options = (storeRoot: string, server: Pop3Server, extra: Partial<FetchOptions> = {}): FetchOptions => ({ storeRoot, server: scriptedLogin(server), ...extra });
const login = (storeRoot: string, server: Pop3Server) => ({ storeRoot, server: scriptedLogin(server) });
const commands = (server: Pop3Server, word: string) => server.sessions.flatMap((s) => s.commands).filter((c) => c.startsWith(word));

async function deleteHere(root: string, subject: string): Promise<void> {
  const store = await AccountStore.open(root, { pop3State: true });
  const entry = store.list().find((e) => e.subject === subject);
  assert.ok(entry, subject);
  await store.trash([entry.id]);
  await store.emptyTrash();
  await store.close();
}

describe('a fetch', () => {
  test('a message deleted here and left on the server is not downloaded again', async () => {
    const server = await serve({ messages: [mail('keep'), mail('gone')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    await deleteHere(root, 'gone');
    for (let round = 0; round < 2; round++) {
      const again = await fetchMail(options(root, server, { policy: { deleteWhenDeletedLocally: false } }));
      assert.equal(again.downloaded, 0, `fetch ${round + 2}`);
    }
    const store = await AccountStore.open(root);
    assert.deepEqual(store.list().map((e) => e.subject), ['keep']);
    await store.close();
    assert.equal(server.mailbox.length, 2, 'left on the server, as the account says');
  });

  test('a message LIST names twice is stored once', async () => {
    const messages = [mail('one'), mail('two')];
    const server = await serve({
      messages,
      intercept: (cmd, s) => cmd === 'LIST' && (s.write(`+OK\r\n1 ${messages[0].length}\r\n1 ${messages[0].length}\r\n2 ${messages[1].length}\r\n.\r\n`), true),
    });
    const root = freshRoot();
    const result = await fetchMail(options(root, server));
    assert.equal(result.downloaded, 2);
    assert.deepEqual(commands(server, 'RETR'), ['RETR 1', 'RETR 2']);
    const store = await AccountStore.open(root);
    assert.deepEqual(store.list().map((e) => e.subject).sort(), ['one', 'two']);
    await store.close();
  });

  test('messages downloaded in this session are deleted without a header check: no TOP for them', async () => {
    const server = await serve({ messages: [mail('a'), mail('b')] });
    const root = freshRoot();
    const result = await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assert.equal(result.deletedOnServer, 2);
    assert.deepEqual(commands(server, 'TOP'), []);
  });

  test('a message stored in an earlier session gets its header check before the DELE, and only it', async () => {
    const server = await serve({ messages: [mail('old')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    server.mailbox.push({ uid: 'uid-new', data: mail('new') });
    const result = await fetchMail(options(root, server, { policy: { deleteAfterDownload: true } }));
    assert.equal(result.deletedOnServer, 2);
    assert.deepEqual(commands(server, 'TOP'), ['TOP 1 0']);
  });
});

describe('Delete from Server Now', () => {
  test('nothing it may take: no connection at all', async () => {
    const server = await serve({ messages: [mail('a')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    const sessions = server.sessions.length;
    assert.equal(await deleteFromServerNow(login(root, server), ['not-a-key']), 0);
    assert.equal(server.sessions.length, sessions);
  });

  test('a message whose headers changed under the same UIDL and size is not deleted', async () => {
    const original = mail('Original');
    const impostor = mail('Impostor'); // same length: "Original" and "Impostor" are both 8 letters
    assert.equal(original.length, impostor.length);
    const server = await serve({ messages: [original, mail('b')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    server.mailbox[0] = { uid: 'uid-1', data: impostor };
    assert.equal(await deleteFromServerNow(login(root, server), ['uid-1', 'uid-2']), 1);
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-2']);
    assert.equal(server.mailbox[0].data, impostor);
  });

  test('a header check the server cannot answer now deletes nothing; a server without TOP falls back to the size rule', async () => {
    let busy = false;
    const server = await serve({ messages: [mail('a'), mail('b')], intercept: (cmd, s) => busy && cmd.startsWith('TOP') && (s.write('-ERR [SYS/TEMP] busy\r\n'), true) });
    const root = freshRoot();
    await fetchMail(options(root, server));
    busy = true;
    await assert.rejects(deleteFromServerNow(login(root, server), ['uid-1', 'uid-2']), /temporary problem/);
    assert.deepEqual(server.deleted, [], 'no DELE without the check');
    const withoutTop = await serve({ messages: [mail('a'), mail('b')], capa: ['USER', 'UIDL'], intercept: (cmd, s) => cmd.startsWith('TOP') && (s.write('-ERR unknown command\r\n'), true) });
    const other = freshRoot();
    await fetchMail(options(other, withoutTop));
    assert.equal(await deleteFromServerNow(login(other, withoutTop), ['uid-1']), 1, 'no TOP announced: UIDL and size vouch');
    assert.deepEqual(withoutTop.deleted.map((m) => m.uid), ['uid-1']);
  });

  test('a message already deleted here can still be deleted from the server (its record vouches for it)', async () => {
    const server = await serve({ messages: [mail('a'), mail('b')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    await deleteHere(root, 'a');
    assert.equal(await deleteFromServerNow(login(root, server), ['uid-1']), 1);
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-1']);
  });
});

describe('Delete from Server Unread', () => {
  const brokenSecond = () =>
    serve({
      messages: [mail('a'), mail('bad'), mail('new')],
      intercept: (cmd, s) => (cmd === 'RETR 2' ? (s.write('-ERR broken\r\n'), true) : false),
    });

  test('takes the skipped message asked for, never a stored one, never another unknown message listed beside it', async () => {
    const server = await brokenSecond();
    const root = freshRoot();
    await fetchMail(options(root, server, { maxRounds: 1 }));
    server.mailbox.push({ uid: 'uid-4', data: mail('arrived since, never tried') });
    assert.equal(await deleteSkippedFromServer(login(root, server), ['uid-2', 'uid-3']), 1, 'uid-3 was stored, not skipped');
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-2']);
  });

  test('a skipped message under a UIDL the server reused (another size) is taken by its own key', async () => {
    const server = await serve({ messages: [mail('old')], intercept: (cmd, s) => cmd === 'RETR 2' && (s.write('-ERR damaged\r\n'), true) });
    const root = freshRoot();
    await fetchMail(options(root, server)); // the first uid-1, stored under its UIDL
    server.mailbox.push({ uid: 'uid-1', data: mail('reused', 'r'.repeat(700)) });
    server.mailbox.splice(0, 1);
    server.mailbox.unshift({ uid: 'uid-0', data: mail('placeholder') }); // the reused one is message 2, which fails
    await fetchMail(options(root, server, { maxRounds: 1 }));
    const store = await AccountStore.open(root);
    const [skipped] = store.skipped.list();
    await store.close();
    assert.equal(skipped?.key, `uid-1 ${mail('reused', 'r'.repeat(700)).length}`);
    assert.equal(await deleteSkippedFromServer(login(root, server), [skipped.key]), 1);
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-1']);
  });

  test('a key that is not in the skipped log: nothing taken, no connection', async () => {
    const server = await brokenSecond();
    const root = freshRoot();
    await fetchMail(options(root, server));
    server.mailbox.push({ uid: 'uid-4', data: mail('never fetched') });
    const sessions = server.sessions.length;
    assert.equal(await deleteSkippedFromServer(login(root, server), ['uid-4']), 0);
    assert.equal(server.sessions.length, sessions);
    assert.equal(server.mailbox.length, 4);
  });
});

describe('a disk that fails', () => {
  test('an fsync refused while committing fails the fetch with that error, records nothing and deletes nothing', async () => {
    const server = await serve({ messages: [mail('a'), mail('b'), mail('c')] });
    const root = freshRoot();
    const failingFsync = () => ((_fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => callback(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }))) as typeof fs.fsync;
    await withPatched(fs, 'fsync', failingFsync, () => assert.rejects(fetchMail(options(root, server, { policy: { deleteAfterDownload: true } })), /EIO/));
    assert.deepEqual(server.deleted, [], 'nothing leaves the server');
    assert.equal(commands(server, 'DELE').length, 0);
    const store = await AccountStore.open(root, { pop3State: true });
    assert.deepEqual([...store.uidlRecords().keys()], [], 'no UIDL recorded as stored');
    await store.close();
    const again = await fetchMail(options(root, server));
    assert.equal(again.downloaded, 3, 'the next fetch downloads them all');
  });
});
