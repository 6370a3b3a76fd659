/**
 * Which stored message a listed server message is (src/sync/identity.ts): the key of each listing
 * entry decides whether it is downloaded and whether a DELE may touch it, so every rule is pinned
 * here: plain and hashed UIDLs, the size that vouches, twins in one listing, keys of older stores,
 * and the identities of servers without UIDL or TOP.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Pop3Client, Pop3Error } from '../../src/pop3';
import { headerFingerprint } from '../../src/mime/fingerprint';
import { baseKey, keyListing, listServer, vouchedSize, type KnownRecord } from '../../src/sync/identity';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';

const { serve } = scriptedFixture('identity');

const hashOf = (uid: string) => `#${createHash('sha256').update(uid, 'latin1').digest('base64url').slice(0, 32)}`;

describe('keys of UIDLs', () => {
  test('a short printable UIDL is its own key; a long or unprintable one is hashed, byte for byte', () => {
    assert.equal(baseKey('abc-123'), 'abc-123');
    assert.equal(baseKey('x'.repeat(48)), 'x'.repeat(48), '48 characters are kept');
    assert.equal(baseKey('x'.repeat(49)), hashOf('x'.repeat(49)), '49 are hashed');
    for (const odd of ['with space', 'tab\there', 'nul\0', 'del\x7f', 'high\xe9', '']) assert.equal(baseKey(odd), hashOf(odd), JSON.stringify(odd));
    assert.equal(baseKey('!~'), '!~', 'the printable range ends included');
    assert.match(baseKey('a b'), /^#[A-Za-z0-9_-]{32}$/);
    assert.notEqual(baseKey('a\xe9 b'), baseKey('a\xe8 b'), 'one byte apart, two keys');
  });

  test('a record is vouched for by the LIST size at download, else (older records) by its stored size', () => {
    assert.equal(vouchedSize({ size: 10, listSize: 12 }), 12);
    assert.equal(vouchedSize({ size: 10 }), 10);
  });
});

describe('keying a listing', () => {
  const uids = (list: string[]) => new Map(list.map((u, i) => [i + 1, u]));
  const sizes = (list: number[]) => list.map((size, i) => ({ msg: i + 1, size }));
  const store = (records: Record<string, KnownRecord>) => (key: string) => records[key];

  test('a UIDL stored with the same LIST size is the stored message; with another size it is a new one', () => {
    const keyed = keyListing(sizes([10, 20, 30]), uids(['a', 'b', 'c']), store({ a: { size: 10 }, b: { size: 99, listSize: 21 } }));
    assert.deepEqual(
      keyed.map((m) => [m.msg, m.uid, m.key, m.known]),
      [
        [1, 'a', 'a', true],
        [2, 'b', 'b 20', false],
        [3, 'c', 'c', false],
      ],
    );
  });

  test('the second message under a reused UIDL, stored before, is known by its sized key', () => {
    const keyed = keyListing(sizes([20]), uids(['b']), store({ b: { size: 10 }, 'b 20': { size: 20 } }));
    assert.deepEqual(keyed.map((m) => [m.key, m.known]), [['b 20', true]]);
  });

  test('a long UIDL stored under itself (before hashing) is still found; a new one is keyed by its hash', () => {
    const long = 'L'.repeat(60);
    assert.deepEqual(keyListing(sizes([5]), uids([long]), store({ [long]: { size: 5 } })).map((m) => [m.key, m.known]), [[long, true]]);
    assert.deepEqual(keyListing(sizes([5]), uids([long]), store({ [hashOf(long)]: { size: 5 } })).map((m) => [m.key, m.known]), [[hashOf(long), true]]);
    assert.deepEqual(keyListing(sizes([5]), uids([long]), store({})).map((m) => [m.key, m.known]), [[hashOf(long), false]]);
  });

  test('a UIDL listed twice: each copy has its own key, the first keeps the plain key it was stored under', () => {
    assert.deepEqual(keyListing(sizes([10, 10, 20]), uids(['t', 't', 't']), store({})).map((m) => m.key), ['t 10', 't 10 2', 't 20']);
    const stored = keyListing(sizes([10, 10]), uids(['t', 't']), store({ t: { size: 10 } }));
    assert.deepEqual(stored.map((m) => [m.key, m.known]), [['t', true], ['t 10 2', false]]);
    const otherSize = keyListing(sizes([10, 20]), uids(['t', 't']), store({ t: { size: 20 }, 't 10': { size: 10 } }));
    assert.deepEqual(otherSize.map((m) => [m.key, m.known]), [['t 10', true], ['t', true]], 'the plain key goes to the copy of its size');
  });

  test('messages without a UIDL are left out of the keys', () => {
    const keyed = keyListing(sizes([1, 2, 3]), new Map([[2, 'two']]), store({}));
    assert.deepEqual(keyed.map((m) => m.msg), [2]);
  });
});

describe('identities from the server', () => {
  const messages = [mail('one'), mail('two'), mail('three')];
  const connect = async (options: Parameters<typeof serve>[0]) => Pop3Client.connect(scriptedLogin(await serve(options)));

  test('with UIDL: the server\'s; a message the listing leaves out is named by a hash of its headers', async () => {
    const client = await connect({
      messages,
      intercept: (cmd, s) => {
        if (cmd !== 'UIDL') return false;
        s.write('+OK\r\n1 uid-1\r\n3 uid-3\r\n.\r\n');
        return true;
      },
    });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.equal(listing.identity, 'uidl');
    assert.deepEqual(listing.messages.map((m) => m.uid), ['uid-1', `h-${headerFingerprint(messages[1])}`, 'uid-3']);
    assert.deepEqual(listing.unnamed, []);
  });

  test('a message left out of UIDL whose TOP is refused stays unnamed (never downloaded, never deleted)', async () => {
    const client = await connect({
      messages,
      intercept: (cmd, s) => {
        if (cmd === 'UIDL') s.write('+OK\r\n1 uid-1\r\n.\r\n');
        else if (cmd.startsWith('TOP ')) s.write('-ERR no such thing\r\n');
        else return false;
        return true;
      },
    });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.deepEqual(listing.messages.map((m) => m.uid), ['uid-1']);
    assert.deepEqual(listing.unnamed.map((m) => m.msg), [2, 3]);
  });

  test('a message left out of UIDL on a server without TOP stays unnamed; the rest are listed', async () => {
    const client = await connect({
      messages,
      capa: ['USER', 'UIDL'],
      intercept: (cmd, s) => {
        if (cmd === 'UIDL') s.write('+OK\r\n1 uid-1\r\n3 uid-3\r\n.\r\n');
        else if (cmd.startsWith('TOP ')) s.write('-ERR unknown command\r\n');
        else return false;
        return true;
      },
    });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.deepEqual(listing.messages.map((m) => m.uid), ['uid-1', 'uid-3']);
    assert.deepEqual(listing.unnamed.map((m) => m.msg), [2]);
  });

  test('a message number LIST gives twice is one message (not stored twice); given with two sizes, it is left alone', async () => {
    const size = (i: number) => messages[i].length;
    const client = await connect({
      messages,
      intercept: (cmd, s) => {
        if (cmd !== 'LIST') return false;
        s.write(`+OK\r\n1 ${size(0)}\r\n1 ${size(0)}\r\n2 ${size(1)}\r\n2 ${size(1) + 5}\r\n3 ${size(2)}\r\n.\r\n`);
        return true;
      },
    });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.deepEqual(listing.messages.map((m) => [m.msg, m.uid]), [[1, 'uid-1'], [3, 'uid-3']]);
    assert.deepEqual(listing.unnamed.map((m) => m.msg), [2], 'the server contradicts itself about message 2: never downloaded, never deleted');
  });

  test('a message UIDL names twice is one message; named two ways, it is named by its headers instead', async () => {
    const client = await connect({
      messages,
      intercept: (cmd, s) => {
        if (cmd !== 'UIDL') return false;
        s.write('+OK\r\n1 uid-1\r\n1 uid-1\r\n2 uid-2\r\n2 uid-other\r\n3 uid-3\r\n.\r\n');
        return true;
      },
    });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.deepEqual(listing.messages.map((m) => m.uid), ['uid-1', `h-${headerFingerprint(messages[1])}`, 'uid-3']);
  });

  test('without UIDL: a hash of each message\'s headers (TOP n 0)', async () => {
    const client = await connect({ messages, uidl: false, capa: ['USER', 'TOP'] });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.equal(listing.identity, 'header-hash');
    assert.deepEqual(listing.messages.map((m) => m.uid), messages.map((m) => `h-${headerFingerprint(m)}`));
  });

  test('without UIDL and TOP: a hash of each whole message', async () => {
    const client = await connect({ messages, uidl: false, top: false, capa: ['USER'] });
    const listing = await listServer(client, () => undefined);
    await client.quit();
    assert.equal(listing.identity, 'content-hash');
    assert.deepEqual(listing.messages.map((m) => m.uid), messages.map((m) => `c-${createHash('sha256').update(m).digest('base64url').slice(0, 32)}`));
  });

  test('a failure other than "not supported" is not taken for a missing command', async () => {
    const client = await connect({
      messages,
      intercept: (cmd, s) => {
        if (cmd !== 'UIDL') return false;
        s.socket.destroy();
        return true;
      },
    });
    await assert.rejects(listServer(client, () => undefined), (err: unknown) => err instanceof Pop3Error && err.kind === 'connection');
  });

  test('a TOP that fails otherwise than by refusal ends the listing (it is not silently unnamed)', async () => {
    const client = await connect({
      messages,
      intercept: (cmd, s) => {
        if (cmd === 'UIDL') s.write('+OK\r\n1 uid-1\r\n.\r\n');
        else if (cmd.startsWith('TOP ')) s.socket.destroy();
        else return false;
        return true;
      },
    });
    await assert.rejects(listServer(client, () => undefined), (err: unknown) => err instanceof Pop3Error && err.kind === 'connection');
  });
});

describe('a server that fails for now is not taken for one without the command', () => {
  test('UIDL refused for now ([SYS/TEMP]) ends the listing: the mailbox is not keyed anew by header hashes', async () => {
    const server = await serve({
      messages: [mail('one'), mail('two')],
      intercept: (cmd, s) => (cmd === 'UIDL' ? (s.write('-ERR [SYS/TEMP] busy, try later\r\n'), true) : false),
    });
    const client = await Pop3Client.connect(scriptedLogin(server));
    await assert.rejects(listServer(client, () => undefined), (err: unknown) => err instanceof Pop3Error && err.kind === 'temporary');
    client.close();
    assert.ok(!server.sessions[0].commands.some((c) => c.startsWith('TOP')), 'no header hashing after a temporary failure');
  });

  test('TOP refused for now, on a server without UIDL, ends the listing: nothing is downloaded to be hashed', async () => {
    const server = await serve({
      messages: [mail('one'), mail('two')],
      uidl: false,
      capa: ['USER', 'TOP'],
      intercept: (cmd, s) => (cmd.startsWith('TOP ') ? (s.write('-ERR [SYS/TEMP] busy\r\n'), true) : false),
    });
    const client = await Pop3Client.connect(scriptedLogin(server));
    await assert.rejects(listServer(client, () => undefined), (err: unknown) => err instanceof Pop3Error && err.kind === 'temporary');
    client.close();
    assert.ok(!server.sessions[0].commands.some((c) => c.startsWith('RETR')), 'no whole-message hashing after a temporary failure');
  });
});
