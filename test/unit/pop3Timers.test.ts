/**
 * The command channel's timers, over a socket the test plays by hand: the response timer and the
 * transfer-rate check may fire only while the server owes us bytes, never while we are idle or our
 * own sink holds back. Windows of the rate check are driven by mocked timers, so a verdict at a
 * window's edge is the test's own step, not a race.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from '../../src/pop3/connection';
import { Pop3Error } from '../../src/pop3/errors';
import { holdingSink, scriptedConnection, settled, tick } from '../support/scriptedSocket';

const open = (extra: Partial<ConnectionOptions> = {}) => scriptedConnection(undefined, extra);

describe('timers: only while the server owes us bytes', () => {
  test('a server that never answers fails the command with a timeout in seconds', async () => {
    const { conn } = open({ responseTimeoutMs: 1500 });
    const r = await settled(conn.send({ line: 'STAT' }));
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'timeout');
    assert.equal((r.e as Error).message, 'The server did not answer within 2 s.');
  });

  test('a greeting has its own time limit', async () => {
    const { conn } = open({ responseTimeoutMs: 60_000 });
    const r = await settled(conn.greeting(50));
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'timeout');
  });

  test('waiting on our own slow sink is not the server being slow: no timeout while it holds back', async () => {
    const { conn, socket } = open({ responseTimeoutMs: 60, minBytesPerSecond: 1_000_000, rateWindowMs: 20 });
    const sink = holdingSink();
    sink.hold = true;
    const retr = settled(conn.send({ line: 'RETR 1', multiline: true, sink }));
    await socket.serve('+OK\r\nfirst\r\n');
    assert.equal(socket.paused, true, 'reading stops while the sink is full');
    await sleep(300); // many times the response timeout and the rate window
    assert.equal(conn.isOpen, true);
    sink.release();
    assert.equal(socket.paused, false);
    await socket.serve('second\r\n.\r\n');
    const r = await retr;
    assert.ok(r.ok, String(!r.ok && r.e));
    assert.equal(Buffer.concat(sink.bytes).toString(), 'first\r\nsecond\r\n');
  });

  test('the timer starts again when reading resumes: a server silent after that still times out', async () => {
    const { conn, socket } = open({ responseTimeoutMs: 80 });
    const sink = holdingSink();
    sink.hold = true;
    const retr = settled(conn.send({ line: 'RETR 1', multiline: true, sink }));
    await socket.serve('+OK\r\nfirst\r\n');
    sink.release();
    const r = await retr;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'timeout', String(!r.ok && r.e));
  });

  test('a sink that held back the end of a body: once it drains, the idle connection has no timer running', async () => {
    const { conn, socket } = open({ responseTimeoutMs: 40 });
    const sink = holdingSink();
    sink.hold = true;
    const retr = conn.send({ line: 'RETR 1', multiline: true, sink });
    await socket.serve('+OK\r\nall of it\r\n.\r\n'); // the whole answer, in the chunk the sink holds back
    await retr;
    assert.equal(socket.paused, true);
    sink.release(); // nothing is owed now: no timer may start
    await sleep(200);
    assert.equal(conn.isOpen, true);
    const noop = conn.send({ line: 'NOOP' });
    await socket.serve('+OK\r\n');
    await noop;
  });

  test('an idle connection (nothing asked) never times out', async () => {
    const { conn, socket } = open({ responseTimeoutMs: 40, minBytesPerSecond: 1_000_000, rateWindowMs: 20 });
    const noop = conn.send({ line: 'NOOP' });
    await socket.serve('+OK\r\n');
    await noop;
    await sleep(250);
    assert.equal(conn.isOpen, true);
    const again = conn.send({ line: 'NOOP' });
    await socket.serve('+OK again\r\n');
    assert.equal(await again, 'again');
  });

  test('a server that keeps the silence timer alive but sends too little per window fails on the rate', async () => {
    const { conn, socket } = open({ responseTimeoutMs: 60_000, minBytesPerSecond: 100_000, rateWindowMs: 40 });
    const retr = settled(conn.send({ line: 'RETR 1', multiline: true, sink: holdingSink() }));
    await socket.serve('+OK\r\n');
    const drip = setInterval(() => void socket.serve('x'), 5);
    const r = await retr;
    clearInterval(drip);
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'timeout', String(!r.ok && r.e));
    assert.match((r.e as Error).message, /^The server sent only \d+ bytes in 0 s, slower than the 100000 bytes\/s a fetch needs/);
  });

  test('a server fast enough is never cut off by the rate check', async () => {
    const { conn, socket } = open({ responseTimeoutMs: 60_000, minBytesPerSecond: 10_000, rateWindowMs: 20 });
    const sink = holdingSink();
    const retr = settled(conn.send({ line: 'RETR 1', multiline: true, sink }));
    await socket.serve('+OK\r\n');
    const chunk = `${'y'.repeat(998)}\r\n`; // 1,000 bytes every 4 ms, where 200 per window would do
    const flow = setInterval(() => void socket.serve(chunk), 4);
    await sleep(250);
    clearInterval(flow);
    await socket.serve('.\r\n');
    const r = await retr;
    assert.ok(r.ok, String(!r.ok && r.e));
  });
});

describe('the transfer-rate check, window by window', () => {
  const RATE = { responseTimeoutMs: 60_000, minBytesPerSecond: 1_000, rateWindowMs: 1_000 }; // 1,000 bytes a window

  test('a command sent late in a window is not judged on that window, the first or a later one', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const { conn, socket } = open(RATE);
    t.mock.timers.tick(900); // idle
    const first = conn.send({ line: 'NOOP' });
    await tick();
    t.mock.timers.tick(100); // the first window ends with 100 ms of it waited on the server
    assert.equal(conn.isOpen, true);
    await socket.serve('+OK\r\n'); // answered as the second window starts
    await first;
    t.mock.timers.tick(900); // idle since
    const second = conn.send({ line: 'NOOP' });
    await tick();
    t.mock.timers.tick(100); // the second window ends: an answer, idle, 100 ms waited
    assert.equal(conn.isOpen, true);
    await socket.serve('+OK\r\n');
    await second;
    t.mock.timers.tick(1_900); // the third window idle, the fourth until 900 ms
    const third = conn.send({ line: 'NOOP' });
    await tick();
    t.mock.timers.tick(100);
    assert.equal(conn.isOpen, true);
    await socket.serve('+OK\r\n');
    await third;
  });

  test('a whole window waited on the server passes with exactly the bytes it needs and fails one short', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    const { conn, socket } = open(RATE);
    const retr = settled(conn.send({ line: 'RETR 1', multiline: true, sink: holdingSink() }));
    await socket.serve('+OK\r\n');
    t.mock.timers.tick(1_000); // the first window: the greeting's, never judged
    await socket.serve(`${'y'.repeat(998)}\r\n`);
    t.mock.timers.tick(1_000);
    assert.equal(conn.isOpen, true, 'exactly 1,000 bytes in a window of 1 s at 1,000 bytes/s');
    await socket.serve(`${'y'.repeat(997)}\r\n`);
    t.mock.timers.tick(1_000);
    const r = await retr;
    assert.ok(!r.ok && r.e instanceof Pop3Error && r.e.kind === 'timeout', String(!r.ok && r.e));
    assert.match((r.e as Error).message, /^The server sent only 999 bytes in 1 s, slower than the 1000 bytes\/s a fetch needs/);
  });
});
