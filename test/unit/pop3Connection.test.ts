/**
 * The command channel alone, over a socket the test plays by hand: what is written and when
 * (the pipelining window, one write per batch), how a body over its listing's size is cut off,
 * how the connection ends, and what the trace shows. No network, so every step is the test's own.
 * Its timers: pop3Timers.test.ts.
 */
import assert from 'node:assert/strict';
import type * as net from 'node:net';
import { describe, test } from 'node:test';
import type { ConnectionOptions } from '../../src/pop3/connection';
import { Pop3Error } from '../../src/pop3/errors';
import { holdingSink, ScriptedSocket, scriptedConnection, settled, tick } from '../support/scriptedSocket';

const open = (extra: Partial<ConnectionOptions> = {}) => scriptedConnection(undefined, extra);

describe('a body longer than its listing', () => {
  test('exactly the listed size is accepted whole', async () => {
    const { conn, socket } = open();
    const sink = holdingSink();
    const done = conn.send({ line: 'RETR 1', multiline: true, sink, maxBodyBytes: 6 });
    await socket.serve('+OK\r\nabcd\r\n.\r\n');
    assert.equal(await done, '');
    assert.equal(Buffer.concat(sink.bytes).toString(), 'abcd\r\n');
  });

  test('one byte more fails that command alone, keeps the extra bytes out of the sink, and the session goes on', async () => {
    const { conn, socket } = open();
    const sink = holdingSink();
    const retr = settled(conn.send({ line: 'RETR 7', multiline: true, sink, maxBodyBytes: 5 }));
    await socket.serve('+OK\r\nabc\r\n');
    await socket.serve('d\r\n.\r\n');
    const r = await retr;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'oversized', String(!r.ok && r.e));
    assert.match((r.e as Error).message, /sent 8 bytes in answer to RETR 7, more than the 5 its listing allows/);
    assert.ok(Buffer.concat(sink.bytes).length <= 5, 'the sink holds no more than the listing allows');
    const noop = conn.send({ line: 'NOOP' });
    await socket.serve('+OK still here\r\n');
    assert.equal(await noop, 'still here');
    assert.equal(conn.isOpen, true);
  });

  test('the error names the command and its message, not the line count TOP asked for', async () => {
    const { conn, socket } = open();
    const top = settled(conn.send({ line: 'TOP 4 0', multiline: true, sink: holdingSink(), maxBodyBytes: 3 }));
    await socket.serve('+OK\r\nabcd\r\n.\r\n');
    const r = await top;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'oversized', String(!r.ok && r.e));
    assert.equal((r.e as Error).message, 'The server sent 6 bytes in answer to TOP 4, more than the 3 its listing allows.');
  });

  test('a body of exactly the discard allowance is read to its end and refused alone; the session goes on', async () => {
    const { conn, socket } = open();
    const retr = settled(conn.send({ line: 'RETR 2', multiline: true, sink: holdingSink(), maxBodyBytes: 10 }));
    await socket.serve('+OK\r\n');
    const line = Buffer.alloc(1024 * 1024, 'x');
    line.write('\r\n', line.length - 2, 'latin1');
    for (let i = 0; i < 64; i++) await socket.serve(line); // 64 MB: the allowance past the listing
    await socket.serve('12345678\r\n.\r\n'); // and the 10 bytes listed
    const r = await retr;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'oversized', String(!r.ok && r.e));
    assert.match((r.e as Error).message, /sent 67108874 bytes in answer to RETR 2/);
    const noop = conn.send({ line: 'NOOP' });
    await socket.serve('+OK\r\n');
    await noop;
    assert.equal(conn.isOpen, true);
  });

  test('a body that goes on past the limit and the discard allowance ends the connection', async () => {
    const { conn, socket } = open();
    const retr = settled(conn.send({ line: 'RETR 2', multiline: true, sink: holdingSink(), maxBodyBytes: 10 }));
    await socket.serve('+OK\r\n');
    const line = Buffer.alloc(1024 * 1024, 'x');
    line.write('\r\n', line.length - 2, 'latin1');
    for (let i = 0; i < 65; i++) await socket.serve(line);
    const r = await retr;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'protocol', String(!r.ok && r.e));
    assert.match((r.e as Error).message, /more than \d+ bytes in answer to RETR\.$/);
    assert.equal(conn.isOpen, false);
    assert.equal(socket.destroyed, true);
  });
});

describe('pipelining', () => {
  test('lock-step by default: the next command is written only when the answer before it is in', async () => {
    const { conn, socket } = open();
    const a = conn.send({ line: 'LIST 1' });
    const b = conn.send({ line: 'LIST 2' });
    await tick();
    assert.deepEqual(socket.lines, ['LIST 1']);
    await socket.serve('+OK 1 10\r\n');
    assert.equal(await a, '1 10');
    await Promise.resolve();
    assert.deepEqual(socket.lines, ['LIST 1', 'LIST 2']);
    await socket.serve('+OK 2 20\r\n');
    assert.equal(await b, '2 20');
  });

  test('a window of two writes two commands at once, a third when one is answered, answers matched in order', async () => {
    const { conn, socket } = open();
    conn.window = 2;
    const answers = ['A', 'B', 'C'].map((x) => conn.send({ line: `NOOP ${x}` }));
    assert.deepEqual(socket.writes, [], 'nothing written before the tick ends');
    await tick();
    assert.deepEqual(socket.writes, ['NOOP A\r\nNOOP B\r\n'], 'both in one socket write');
    await socket.serve('+OK a\r\n');
    await answers[0];
    assert.deepEqual(socket.lines, ['NOOP A', 'NOOP B', 'NOOP C']);
    await socket.serve('+OK b\r\n+OK c\r\n');
    assert.deepEqual(await Promise.all(answers), ['a', 'b', 'c']);
  });

  test('answers that end in one chunk release the next commands in one write', async () => {
    const { conn, socket } = open();
    conn.window = 2;
    const answers = ['1', '2', '3', '4'].map((x) => conn.send({ line: `UIDL ${x}` }));
    await tick();
    await socket.serve('+OK 1 a\r\n+OK 2 b\r\n');
    await Promise.all(answers.slice(0, 2));
    assert.deepEqual(socket.writes, ['UIDL 1\r\nUIDL 2\r\n', 'UIDL 3\r\nUIDL 4\r\n']);
    await socket.serve('+OK 3 c\r\n+OK 4 d\r\n');
    await Promise.all(answers);
  });
});

describe('answers and errors', () => {
  test('-ERR names the command it answers and takes the kind the caller gave', async () => {
    const { conn, socket } = open();
    const pass = settled(conn.send({ line: 'PASS secret', traced: 'PASS ****', errorKind: 'auth' }));
    await socket.serve('-ERR no\r\n');
    const r = await pass;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'auth');
    const dele = settled(conn.send({ line: 'DELE 3' }));
    await socket.serve('-ERR message 3 already deleted\r\n');
    const d = await dele;
    assert.ok(!d.ok && d.e instanceof Pop3Error && d.e.kind === 'server');
    assert.equal((d.e as Error).message, 'The server refused DELE: message 3 already deleted');
  });

  test('a refused greeting names the connection, not a command', async () => {
    const { conn, socket } = open();
    const greeting = settled(conn.greeting(1000));
    await socket.serve('-ERR go away\r\n');
    const r = await greeting;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'server');
    assert.equal((r.e as Error).message, 'The server refused the connection: go away');
    assert.deepEqual(socket.writes, [], 'a greeting writes nothing');
  });

  test('"+ " where no exchange is under way is a protocol error; in a SASL exchange the answer goes back untraced', async () => {
    const first = open();
    const user = settled(first.conn.send({ line: 'USER alice' }));
    await first.socket.serve('+ what?\r\n');
    const r = await user;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'protocol');
    assert.match((r.e as Error).message, /asked for more input/);

    const { conn, socket, trace } = open();
    const auth = conn.send({ line: 'AUTH PLAIN', onContinue: (challenge) => `answer-to-${challenge || 'empty'}` });
    await socket.serve('+ \r\n');
    await socket.serve('+OK in\r\n');
    assert.equal(await auth, 'in');
    assert.deepEqual(socket.lines, ['AUTH PLAIN', 'answer-to-empty']);
    assert.ok(trace.includes('send [client response]'), trace.join('\n'));
    assert.ok(!trace.some((t) => t.includes('answer-to')), trace.join('\n'));
  });

  test('the trace shows what went each way, secrets by their stand-in, bodies by their size', async () => {
    const { conn, socket, trace } = open();
    const pass = conn.send({ line: 'PASS hunter2', traced: 'PASS ****' });
    await socket.serve('+OK logged in\r\n');
    await pass;
    const retr = conn.send({ line: 'RETR 1', multiline: true, sink: holdingSink() });
    await socket.serve('+OK 5 octets\r\nhi\r\n.\r\n');
    await retr;
    const dele = settled(conn.send({ line: 'DELE 1' }));
    await socket.serve('-ERR  \r\n');
    await dele;
    conn.destroy();
    assert.deepEqual(trace, [
      'send PASS ****',
      'receive +OK logged in',
      'send RETR 1',
      'receive +OK 5 octets',
      'receive [4 bytes]',
      'send DELE 1',
      'receive -ERR',
      'info connection closed: The connection was closed.',
    ]);
  });
});

describe('ends of the connection', () => {
  test('destroy fails every waiting and written command with the same cancelled error, and later ones at once', async () => {
    const { conn, socket } = open();
    const pending = [conn.send({ line: 'STAT' }), conn.send({ line: 'LIST' })].map(settled);
    await tick(); // STAT written, LIST waiting for its turn
    conn.destroy();
    const results = await Promise.all(pending);
    for (const r of results) assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'cancelled');
    assert.equal((results[0] as { e: Error }).e, (results[1] as { e: Error }).e);
    assert.equal(socket.destroyed, true);
    assert.equal(conn.isOpen, false);
    await tick(); // the socket's 'close' after the destroy: a second end that must not replace the first
    const later = await settled(conn.send({ line: 'NOOP' }));
    assert.ok(!later.ok && later.e === (results[0] as { e: Error }).e, String(!later.ok && later.e));
    await tick();
    assert.deepEqual(socket.lines, ['STAT'], 'nothing written after the end');
  });

  test('a server that hangs up fails the commands with a connection error naming it', async () => {
    const { conn, socket } = open();
    const stat = settled(conn.send({ line: 'STAT' }));
    socket.emit('close');
    const r = await stat;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'connection');
    assert.match((r.e as Error).message, /pop\.example\.org:110 closed the connection/);
  });

  test('a signal aborted before the connection was made fails the first command', async () => {
    const controller = new AbortController();
    controller.abort();
    const { conn, socket } = open({ signal: controller.signal });
    const r = await settled(conn.send({ line: 'STAT' }));
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'cancelled');
    assert.equal(socket.writes.length, 0);
  });

  test('an abort during a command fails it as cancelled; a later abort of the same signal after the end changes nothing', async () => {
    const controller = new AbortController();
    const { conn, socket, trace } = open({ signal: controller.signal });
    const stat = settled(conn.send({ line: 'STAT' }));
    controller.abort();
    const r = await stat;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'cancelled');
    assert.equal(socket.destroyed, true);
    assert.equal(trace.filter((t) => t.startsWith('info')).length, 1);
  });

  test('after STLS the connection reads and writes on the new socket only', async () => {
    const { conn, socket } = open();
    const stls = conn.send({ line: 'STLS' });
    await socket.serve('+OK begin\r\n');
    await stls;
    const old = conn.detachSocket();
    assert.equal(old, socket as unknown as net.Socket);
    assert.equal(socket.listenerCount('data') + socket.listenerCount('close') + socket.listenerCount('error'), 0);
    const secure = new ScriptedSocket();
    conn.attachSocket(secure as unknown as net.Socket);
    const capa = conn.send({ line: 'NOOP' });
    socket.emit('close'); // the plain socket going away is no longer ours to hear
    await secure.serve('+OK over tls\r\n');
    assert.equal(await capa, 'over tls');
    assert.deepEqual(secure.lines, ['NOOP']);
    assert.equal(conn.isOpen, true);
  });
});
