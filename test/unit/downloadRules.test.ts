/**
 * The download loop's rules, each pinned (src/sync/download.ts had 51 surviving mutants): how much
 * a RETR may send, where the size limit falls, when a batch reaches the disk, which failures are one
 * message's and which end the session, which message a broken session is held against, what is
 * left in tmp/, and how a skipped message is named and forgotten.
 */
import assert from 'node:assert/strict';
import fs, { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Pop3Error } from '../../src/pop3';
import { AccountStore } from '../../src/store/accountStore';
import { retrCap } from '../../src/sync/download';
import { fetchMail, type FetchOptions } from '../../src/sync/fetch';
import type { Pop3Server, Pop3ServerOptions, Pop3ServerSession } from '../../src/demo/pop3Server';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';
import { withPatched } from '../support/patch';
import { storedFiles } from '../support/mailcheck';

const { freshRoot, serve } = scriptedFixture('download');
const options = (storeRoot: string, server: Pop3Server, extra: Partial<FetchOptions> = {}): FetchOptions => ({ storeRoot, server: scriptedLogin(server, { timeouts: { connectMs: 2000, greetingMs: 2000, responseMs: 400 } }), ...extra });
const skippedOf = async (root: string) => {
  const store = await AccountStore.open(root);
  const list = store.skipped.list();
  await store.close();
  return list;
};
const filesIn = (root: string, sub: string) => readdirSync(join(root, 'Maildir', sub)).filter((f) => !f.startsWith('.'));

describe('the download loop', () => {
  test('a RETR may send the listed size and as much again, at least 1 MB more', () => {
    assert.equal(retrCap(100), 100 + 1024 * 1024);
    assert.equal(retrCap(3 * 1024 * 1024), 6 * 1024 * 1024);
    assert.equal(retrCap(1024 * 1024), 2 * 1024 * 1024);
  });

  test('the size limit: a message of exactly the limit is downloaded whole, one byte over is headers only', async () => {
    const exact = mail('exact', 'e'.repeat(500));
    const over = Buffer.concat([exact, Buffer.from('!')]);
    const server = await serve({ messages: [exact, over] });
    const root = freshRoot();
    const result = await fetchMail(options(root, server, { sizeLimit: exact.length }));
    assert.deepEqual([result.downloaded, result.partial], [1, 1]);
    const stored = storedFiles(root).map((f) => f.data.length).sort((a, b) => a - b);
    assert.deepEqual(stored, [over.indexOf('\r\n\r\n') + 4, exact.length]);
    assert.ok(server.sessions[0].commands.includes('TOP 2 0') && server.sessions[0].commands.includes('RETR 1'));
  });

  // The test ends the stall itself once the batches it expects are on disk: a batch that waited for
  // the end of the session would never arrive while the fifth message stalls (and the test times out).
  test('a batch reaches the disk when it holds batchMessages messages or batchBytes bytes, not before', { timeout: 30_000 }, async () => {
    for (const [batching, flushed] of [
      [{ batchMessages: 2, batchBytes: 1 << 30 }, 4],
      [{ batchMessages: 3, batchBytes: 1 << 30 }, 3],
      [{ batchMessages: 100, batchBytes: 1 }, 4],
      [{ batchMessages: 100, batchBytes: 2 * mail('m1').length }, 4], // exactly two messages' bytes
      [{ batchMessages: 100, batchBytes: 1 << 30 }, 0],
    ] as const) {
      let stalled: (session: Pop3ServerSession) => void = () => undefined;
      const atStall = new Promise<Pop3ServerSession>((resolve) => (stalled = resolve));
      const server = await serve({
        messages: [1, 2, 3, 4, 5].map((n) => mail(`m${n}`)),
        capa: ['USER', 'UIDL', 'TOP'], // one command at a time: the stall comes after the fourth
        intercept: (cmd, session) => {
          if (cmd !== 'RETR 5') return false;
          stalled(session);
          return true; // never answered
        },
      });
      const root = freshRoot();
      let committed = 0;
      const login = scriptedLogin(server, { timeouts: { connectMs: 2000, greetingMs: 2000, responseMs: 120_000 } });
      const fetching = fetchMail({ storeRoot: root, server: login, ...batching, onProgress: (p) => (committed = p.messagesDone) }).catch((err: unknown) => err);
      const session = await atStall;
      // Four messages are complete while the fifth stalls: only full batches were flushed.
      while (committed < flushed) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(committed, flushed, JSON.stringify(batching));
      assert.equal(filesIn(root, 'new').length, flushed);
      session.socket.destroy(); // the link is cut mid-message
      assert.ok((await fetching) instanceof Pop3Error, 'the cut ends the fetch');
      assert.equal(storedFiles(root).length, 4, 'and what was complete is kept');
      assert.deepEqual(readdirSync(join(root, 'Maildir', 'tmp')), [], 'the cut message leaves nothing half-written');
    }
  });

  test('each batch is told of once it is on disk, with its files, so search can index it while the fetch goes on', async () => {
    const messages = [1, 2, 3, 4, 5].map((n) => mail(`m${n}`));
    const server = await serve({ messages });
    const root = freshRoot();
    const told: Array<Array<{ id: string; path: string; size: number }>> = [];
    const result = await fetchMail(options(root, server, { batchMessages: 2, onStored: (files) => told.push(files) }));
    assert.equal(result.downloaded, 5);
    assert.deepEqual(told.map((batch) => batch.length), [2, 2, 1], 'one call per batch');
    const sizes = new Set(messages.map((m) => m.length));
    for (const file of told.flat()) {
      assert.ok(fs.existsSync(file.path), `${file.path} is there when told`);
      assert.equal(fs.statSync(file.path).size, file.size);
      assert.ok(sizes.has(file.size));
      assert.ok(file.path.includes(file.id));
    }
    assert.equal(new Set(told.flat().map((f) => f.id)).size, 5);
  });

  test('a message sent longer than its listing allows is skipped and the others come; a cut session is held against no message', async () => {
    const server = await serve({
      messages: [mail('a'), mail('b'), mail('c')],
      intercept: (cmd, s) => {
        if (cmd !== 'RETR 2') return false;
        s.write(`+OK\r\n${'x'.repeat(80)}\r\n`.repeat(Math.ceil(retrCap(mail('b').length) / 80) + 10) + '.\r\n');
        return true;
      },
    });
    const root = freshRoot();
    const result = await fetchMail(options(root, server));
    assert.equal(result.downloaded, 2);
    assert.deepEqual((await skippedOf(root)).map((s) => s.key), ['uid-2']);

    const cut = await serve({
      messages: [mail('a'), mail('b')],
      intercept: (cmd, s) => (cmd === 'RETR 2' ? (s.socket.destroy(), true) : false),
    });
    const root2 = freshRoot();
    await assert.rejects(fetchMail(options(root2, cut)), (err: unknown) => err instanceof Pop3Error && err.kind === 'connection');
    assert.equal(storedFiles(root2).length, 1);
    assert.deepEqual(await skippedOf(root2), [], 'a cut link is not the message\'s fault');
    assert.deepEqual(filesIn(root2, 'tmp'), [], 'nothing half-written is left');
  });

  test('a message cut after it had streamed to a file of its own leaves nothing in tmp/', async () => {
    const big = mail('big', `${'x'.repeat(78)}\r\n`.repeat(8_000)); // 640 KB: past what a delivery keeps in memory
    const server = await serve({
      messages: [big],
      intercept: (cmd, s) => {
        if (cmd !== 'RETR 1') return false;
        s.write(`+OK\r\n${big.subarray(0, 400_000).toString('latin1')}`);
        s.socket.end(); // everything written so far arrives, then the server hangs up
        return true;
      },
    });
    const root = freshRoot();
    await assert.rejects(fetchMail(options(root, server)), (err: unknown) => err instanceof Pop3Error && err.kind === 'connection');
    assert.deepEqual(filesIn(root, 'tmp'), []);
    assert.equal(storedFiles(root).length, 0);
    assert.deepEqual(await skippedOf(root), [], "a link cut mid-message is not the message's fault");
  });

  test('a disk that refuses a message ends the session at once, without waiting on the RETRs in flight', { timeout: 20_000 }, async () => {
    const server = await serve({
      messages: Array.from({ length: 70 }, (_, i) => mail(`m${i + 1}`)), // more than the loop keeps in flight
      intercept: (cmd) => cmd.startsWith('RETR ') && cmd !== 'RETR 1', // only the first is ever answered
    });
    const root = freshRoot();
    const diskFull = () =>
      (() => {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }) as typeof fs.writevSync;
    const login = scriptedLogin(server, { timeouts: { connectMs: 2000, greetingMs: 2000, responseMs: 60_000 } });
    await withPatched(fs, 'writevSync', diskFull, () => assert.rejects(fetchMail({ storeRoot: root, server: login }), /ENOSPC/));
    assert.equal(storedFiles(root).length, 0);
    assert.deepEqual(filesIn(root, 'tmp'), [], 'the refused file is removed');
    assert.deepEqual(await skippedOf(root), [], 'a full disk is not the message\'s fault');
  });

  test('a session broken by an answer is held against that message only, not those queued behind it', async () => {
    const server = await serve({
      messages: [mail('a'), mail('b'), mail('c'), mail('d')],
      intercept: (cmd, s) => {
        if (cmd !== 'RETR 2') return false;
        s.write('HELLO this is no answer\r\n');
        return true;
      },
    });
    const root = freshRoot();
    await assert.rejects(fetchMail(options(root, server)));
    const skipped = await skippedOf(root);
    assert.deepEqual(skipped.map((s) => s.key), ['uid-2']);
    assert.equal(storedFiles(root).length, 1);
  });

  test('a stall inside a body is that message\'s fault; a stall before its first byte is not', async () => {
    const midBody = await serve({ messages: [mail('a'), mail('b')], intercept: (cmd, s) => (cmd === 'RETR 2' ? (s.write('+OK\r\nFrom: half\r\n'), true) : false) });
    const root = freshRoot();
    await assert.rejects(fetchMail(options(root, midBody)), (err: unknown) => err instanceof Pop3Error && err.kind === 'timeout');
    assert.deepEqual((await skippedOf(root)).map((s) => s.key), ['uid-2']);

    const silent = await serve({ messages: [mail('a'), mail('b')], intercept: (cmd) => cmd === 'RETR 2' });
    const root2 = freshRoot();
    await assert.rejects(fetchMail(options(root2, silent)), (err: unknown) => err instanceof Pop3Error && err.kind === 'timeout');
    assert.deepEqual(await skippedOf(root2), []);
  });

  test('a skipped message is named printably and briefly, and forgotten once it is stored', async () => {
    const uid = `odd\x01uid-${'u'.repeat(100)}`;
    let refuse = true;
    const intercept: Pop3ServerOptions['intercept'] = (cmd, s) => {
      if (cmd === 'UIDL') {
        s.write(`+OK\r\n1 ${uid}\r\n.\r\n`);
        return true;
      }
      if (cmd === 'RETR 1' && refuse) {
        s.write('-ERR not today\r\n');
        return true;
      }
      return false;
    };
    const server = await serve({ messages: [mail('odd')], intercept });
    const root = freshRoot();
    await fetchMail(options(root, server));
    const [entry] = await skippedOf(root);
    assert.equal(entry.uid, `odd?uid-${'u'.repeat(72)}…`, 'cut after 80 characters');
    assert.match(entry.reason, /not today/);
    assert.equal(entry.size, mail('odd').length);
    refuse = false;
    await fetchMail(options(root, server));
    assert.deepEqual(await skippedOf(root), []);
    assert.equal(storedFiles(root).length, 1);
  });

  test('a UIDL of exactly 80 characters is named whole', async () => {
    const uid = 'u'.repeat(80);
    const server = await serve({
      messages: [mail('long')],
      intercept: (cmd, s) => {
        if (cmd === 'UIDL') s.write(`+OK\r\n1 ${uid}\r\n.\r\n`);
        else if (cmd === 'RETR 1') s.write('-ERR not today\r\n');
        else return false;
        return true;
      },
    });
    const root = freshRoot();
    await fetchMail(options(root, server));
    assert.deepEqual((await skippedOf(root)).map((s) => s.uid), [uid]);
  });
});
