/**
 * How a fetch holds its session and its store (src/sync/fetch.ts): rounds go on while a round
 * brings anything (headers-only copies included), the connection is dropped however the work ends,
 * a store that cannot be opened is the error shown, and Download Full
 * Message completes the message asked for and no other.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { completeMessage, fetchMail, type FetchOptions } from '../../src/sync/fetch';
import type { Pop3Server } from '../../src/demo/pop3Server';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';

const { freshRoot, serve } = scriptedFixture('sessions');
const options = (storeRoot: string, server: Pop3Server, extra: Partial<FetchOptions> = {}): FetchOptions => ({ storeRoot, server: scriptedLogin(server), ...extra });

describe('rounds and sessions', () => {
  test('a round that brought one whole message and one headers-only copy is followed by another', async () => {
    const server = await serve({ messages: [mail('small'), mail('big', 'x'.repeat(3000)), mail('later')], perSessionLimit: 2 });
    const root = freshRoot();
    const result = await fetchMail(options(root, server, { sizeLimit: 1000, maxRounds: 5 }));
    assert.deepEqual([result.downloaded, result.partial], [2, 1]);
    assert.equal(result.rounds, 3, 'two rounds with mail, then one that brought nothing');
  });

  test('a server that pipelines gets several RETRs at once; one that does not, one at a time', async () => {
    const messages = Array.from({ length: 12 }, (_, i) => mail(`m${i}`));
    for (const [capa, most] of [
      [undefined, 32],
      [['USER', 'UIDL', 'TOP'], 1],
    ] as const) {
      const server = await serve({ messages, ...(capa ? { capa: [...capa] } : {}) });
      const result = await fetchMail(options(freshRoot(), server));
      assert.equal(result.downloaded, 12);
      if (most === 1) assert.equal(server.maxOutstanding, 1);
      else assert.ok(server.maxOutstanding > 1, `at most ${server.maxOutstanding} at once`);
    }
  });

  test('a fetch that fails after logging in drops its connection', { timeout: 10_000 }, async () => {
    const server = await serve({ messages: [mail('a')], errOn: 'DELE', errText: '[SYS/TEMP] not now' });
    const root = freshRoot();
    await assert.rejects(fetchMail(options(root, server, { policy: { deleteAfterDownload: true } })), /temporary problem/);
    const socket = server.sessions[0].socket;
    if (!socket.destroyed) await once(socket, 'close');
    const store = await AccountStore.open(root);
    assert.equal(store.list().length, 1, 'what was stored stays stored');
    await store.close();
  });

  test('a store that cannot be opened: its own error is what the fetch reports', async () => {
    const server = await serve({ messages: [mail('a')] });
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    writeFileSync(join(root, 'Maildir'), 'not a folder');
    const err = await fetchMail(options(root, server)).catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.doesNotMatch(err.message, /Cannot read properties/);
    assert.match(String((err as NodeJS.ErrnoException).code ?? err.message), /ENOTDIR|EEXIST|not a directory/i);
    assert.equal(server.sessions.length, 0, 'no connection without a store to put mail in');
  });
});

describe('Download Full Message', () => {
  test('completes the message asked for, not another headers-only copy beside it', async () => {
    const first = mail('first', '1'.repeat(3000));
    const second = mail('second', '2'.repeat(3000));
    const server = await serve({ messages: [first, second] });
    const root = freshRoot();
    await fetchMail(options(root, server, { sizeLimit: 1000 }));
    let store = await AccountStore.open(root);
    const target = store.list().find((e) => e.subject === 'second');
    assert.ok(target);
    await store.close();
    await completeMessage({ storeRoot: root, server: scriptedLogin(server) }, target.id);
    store = await AccountStore.open(root);
    assert.deepEqual(await store.read(target.id), second);
    assert.notEqual(store.list().find((e) => e.subject === 'first')?.partialOf, undefined, 'the other stays headers only');
    await store.close();
  });

  test('a RETR the server refuses fails Download Full Message and leaves the headers-only copy as it was', async () => {
    let refuse = false;
    const server = await serve({ messages: [mail('big', 'x'.repeat(3000))], intercept: (cmd, s) => refuse && cmd.startsWith('RETR') && (s.write('-ERR [SYS/TEMP] busy\r\n'), true) });
    const root = freshRoot();
    await fetchMail(options(root, server, { sizeLimit: 1000 }));
    let store = await AccountStore.open(root);
    const [entry] = store.list();
    await store.close();
    refuse = true;
    await assert.rejects(completeMessage({ storeRoot: root, server: scriptedLogin(server) }, entry.id), /temporary problem/);
    store = await AccountStore.open(root);
    assert.notEqual(store.get(entry.id)?.partialOf, undefined, 'still headers only');
    assert.deepEqual(readdirSync(join(root, 'Maildir', 'tmp')), [], 'nothing half-written left');
    await store.close();
  });

  test('a headers-only copy under a UIDL the server reused (another size) is found by its own key and completed', async () => {
    const reused = mail('reused', 'r'.repeat(3000));
    const server = await serve({ messages: [mail('old')] });
    const root = freshRoot();
    await fetchMail(options(root, server)); // the first uid-1, stored whole under its UIDL
    server.mailbox.splice(0, 1, { uid: 'uid-1', data: reused });
    await fetchMail(options(root, server, { sizeLimit: 1000 }));
    let store = await AccountStore.open(root);
    const target = store.list().find((e) => e.subject === 'reused');
    await store.close();
    assert.equal(target?.uidl, `uid-1 ${reused.length}`);
    await completeMessage({ storeRoot: root, server: scriptedLogin(server) }, target.id);
    store = await AccountStore.open(root);
    assert.deepEqual(await store.read(target.id), reused);
    await store.close();
  });

  test('a message gone from the server: Download Full Message says so in words', async () => {
    const server = await serve({ messages: [mail('big', 'x'.repeat(3000))] });
    const root = freshRoot();
    await fetchMail(options(root, server, { sizeLimit: 1000 }));
    const store = await AccountStore.open(root);
    const [entry] = store.list();
    await store.close();
    server.mailbox.splice(0, 1);
    await assert.rejects(completeMessage({ storeRoot: root, server: scriptedLogin(server) }, entry.id), { kind: 'server', message: 'The message is no longer on the server; only its headers were kept.' });
  });

  test('a message no longer in the mailbox is said to be gone, not complete', async () => {
    const server = await serve({ messages: [mail('a')] });
    const root = freshRoot();
    await fetchMail(options(root, server));
    await assert.rejects(completeMessage({ storeRoot: root, server: scriptedLogin(server) }, 'no-such-id'), /no longer in the mailbox/);
  });
});
