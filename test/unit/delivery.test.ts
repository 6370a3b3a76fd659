/**
 * One message on its way into Maildir/tmp (src/store/delivery.ts): the bytes on disk are the bytes
 * received whatever the chunking, the socket's reused buffers, the size or short writes; a large
 * message goes to disk as it arrives and a small one in one write; the summary comes from the
 * first bytes; a failing disk is reported at the end without stopping the session.
 */
import assert from 'node:assert/strict';
// The module object itself, so a test can stand in for one of its calls (a namespace import is a read-only copy).
import fs from 'node:fs';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Delivery } from '../../src/store/delivery';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-delivery-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const HEAD_LIMIT = 4096;
const delivery = (partialOf?: number, expectedSize = 0) => new Delivery(join(scratch, `m${++n}.part`), `id${n}`, `uidl${n}`, HEAD_LIMIT, partialOf, expectedSize);

const HEADERS = 'From: Ann Example <ann@example.org>\r\nSubject: Quarterly numbers\r\nMessage-ID: <q@example.org>\r\n\r\n';
function message(bodyBytes: number): Buffer {
  const line = 'The quick brown fox jumps over the lazy dog 0123456789\r\n';
  return Buffer.from(HEADERS + line.repeat(Math.ceil(bodyBytes / line.length)));
}

/** Feeds `data` in chunks of `size` through one reused buffer, as the socket does, scribbling over it after each write. */
function feed(d: Delivery, data: Buffer, size: number): void {
  const reused = Buffer.alloc(size);
  for (let at = 0; at < data.length; at += size) {
    const chunk = reused.subarray(0, Math.min(size, data.length - at));
    data.copy(chunk, 0, at, at + chunk.length);
    d.write(chunk);
    chunk.fill(0x58); // the next read lands in the same memory
  }
}

describe('a delivery', () => {
  for (const [label, bytes, chunk] of [
    ['a small message', 2_000, 100],
    ['a message just under the gathering limit', 256 * 1024 - 200, 8192],
    ['a message that outgrows the gathering limit', 600_000, 16_384],
    ['a large message in one-byte-odd chunks', 300_000, 4_099],
  ] as const) {
    // Fed at once, before the file is created: what comes first waits in copies.
    test(`${label}: the file holds exactly the bytes received, though the socket reuses its buffer`, async () => {
      const data = message(bytes);
      const d = delivery();
      feed(d, data, chunk);
      await d.finish();
      assert.equal(d.size, data.length);
      assert.ok(readFileSync(d.tempPath).equals(data), 'stored bytes differ from the bytes received');
      assert.equal(d.summary.subject, 'Quarterly numbers');
      assert.equal(d.summary.from, 'Ann Example <ann@example.org>');
      assert.ok(d.headerHash, 'the identifying headers are fingerprinted');
      await d.discard();
    });
  }

  test('a small message is written once, when complete; a large one goes to disk as it arrives', async () => {
    const small = delivery();
    await small.created;
    feed(small, message(10_000), 1000);
    assert.equal(statSync(small.tempPath).size, 0, 'nothing written before the message is complete');
    await small.finish();
    assert.equal(statSync(small.tempPath).size, message(10_000).length);
    await small.discard();

    const large = delivery();
    await large.created;
    const data = message(400_000);
    feed(large, data.subarray(0, 300_000), 10_000);
    assert.ok(statSync(large.tempPath).size >= 256 * 1024, 'past the limit, what arrived is on disk');
    assert.ok(statSync(large.tempPath).size <= 300_000);
    feed(large, data.subarray(300_000), 10_000);
    await large.finish();
    assert.ok(readFileSync(large.tempPath).equals(data));
    await large.discard();
  });

  test('a LIST size above the limit streams from the first byte; at or below it, it gathers', async () => {
    const announced = delivery(undefined, 1_000_000);
    await announced.created;
    announced.write(Buffer.from(HEADERS));
    assert.equal(statSync(announced.tempPath).size, HEADERS.length);
    await announced.discard();
    const atLimit = delivery(undefined, 256 * 1024);
    await atLimit.created;
    atLimit.write(Buffer.from(HEADERS));
    assert.equal(statSync(atLimit.tempPath).size, 0);
    await atLimit.discard();
  });

  test('the file is created as the delivery starts, off the main thread; bytes that come first are written once it is there', async () => {
    // fs.open is held until the test lets it go: the pool may create a file at any moment, so a
    // check that it is not there yet is only sure while the creation waits.
    const original = fs.open;
    const held: (() => void)[] = [];
    fs.open = ((...args: Parameters<typeof fs.open>) => {
      held.push(() => (original as (...a: unknown[]) => void)(...args));
    }) as typeof fs.open;
    let d: Delivery;
    try {
      d = delivery(undefined, 1_000_000);
    } finally {
      fs.open = original;
    }
    assert.equal(held.length, 1, 'the constructor asks the pool for the file');
    assert.ok(!existsSync(d.tempPath), 'and does not make it itself');
    const data = message(300_000);
    feed(d, data, 65_536); // streamed, yet nowhere to write yet: the socket's buffer is copied
    assert.ok(!existsSync(d.tempPath));
    held[0]();
    await d.created;
    assert.ok(readFileSync(d.tempPath).equals(data), 'what waited was written when the file came');
    await d.finish();
    assert.ok(readFileSync(d.tempPath).equals(data));
    await d.discard();
  });

  test('the summary comes from the first bytes, even when the headers arrive a byte at a time into a streamed message', async () => {
    const d = delivery(undefined, 1_000_000);
    const data = message(300_000);
    feed(d, data.subarray(0, 200), 1);
    feed(d, data.subarray(200), 65_536);
    await d.finish();
    assert.equal(d.summary.subject, 'Quarterly numbers');
    assert.equal(d.summary.messageId, '<q@example.org>');
    assert.ok(readFileSync(d.tempPath).equals(data));
    await d.discard();
  });

  test('the server size it records: the full size for a headers-only copy, else LIST\'s, else none', () => {
    assert.equal(delivery(9_000_000, 1_000).listSize, 9_000_000);
    assert.equal(delivery(undefined, 1_000).listSize, 1_000);
    assert.equal(delivery(undefined, 0).listSize, undefined);
  });

  test('the summary is not there before the message is finished', async () => {
    const d = delivery();
    d.write(Buffer.from(HEADERS));
    assert.throws(() => d.summary, /not finished/);
    const finished = d.finish();
    assert.equal(d.summary.subject, 'Quarterly numbers', 'there as soon as finish is called');
    assert.equal(d.finish(), finished, 'a second finish changes nothing');
    await finished;
    assert.ok(readFileSync(d.tempPath).equals(Buffer.from(HEADERS)), 'written once');
    await d.discard();
  });

  test('an empty message still leaves its (empty) file', async () => {
    const d = delivery();
    await d.finish();
    assert.equal(statSync(d.tempPath).size, 0);
    await d.discard();
    assert.ok(!existsSync(d.tempPath));
  });

  test('a disk that fails mid-message: the session goes on, finish reports the error, nothing half-written is kept', async () => {
    const d = delivery(undefined, 1_000_000);
    await d.created;
    const original = fs.writevSync;
    let writes = 0;
    fs.writevSync = ((fd: number, buffers: NodeJS.ArrayBufferView[]) => {
      if (++writes > 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return original(fd, buffers);
    }) as typeof fs.writevSync;
    try {
      assert.doesNotThrow(() => feed(d, message(50_000), 8192), 'the connection keeps reading');
    } finally {
      fs.writevSync = original;
    }
    await assert.rejects(d.finish(), /ENOSPC/);
    await d.discard();
    assert.ok(!existsSync(d.tempPath));
  });

  test('a file that cannot be created: the session goes on, finish reports why', async () => {
    const dir = mkdtempSync(join(scratch, 'gone-'));
    rmSync(dir, { recursive: true });
    const d = new Delivery(join(dir, 'm.part'), 'idy', 'uidly', HEAD_LIMIT, undefined, 1_000_000);
    assert.doesNotThrow(() => feed(d, message(50_000), 8192), 'the connection keeps reading');
    await assert.rejects(d.finish(), /ENOENT/);
    await d.discard();
  });

  test('short writes are completed: the file still holds every byte', async () => {
    const original = fs.writevSync;
    fs.writevSync = ((fd: number, buffers: NodeJS.ArrayBufferView[]) => original(fd, [Buffer.from(buffers[0].buffer, buffers[0].byteOffset, Math.min(777, buffers[0].byteLength))])) as typeof fs.writevSync;
    try {
      for (const size of [5_000, 700_000]) {
        const d = delivery();
        const data = message(size);
        await d.created;
        feed(d, data, 30_000);
        await d.finish();
        assert.ok(readFileSync(d.tempPath).equals(data), `${size}: bytes lost in short writes`);
        await d.discard();
      }
    } finally {
      fs.writevSync = original;
    }
  });

  test('streamed or gathered, the summary and header fingerprint come from exactly the first head-limit bytes', async () => {
    // Headers longer than the limit: what lies past it must not reach the summary either way.
    const long = Buffer.from(`Subject: kept\r\nX-Pad: ${'p'.repeat(HEAD_LIMIT)}\r\nFrom: beyond-the-limit@example.org\r\n\r\nbody\r\n`);
    const streamed = delivery(undefined, 1_000_000);
    feed(streamed, long, 1000);
    await streamed.finish();
    const gathered = delivery();
    feed(gathered, long, 1000);
    await gathered.finish();
    const cut = delivery();
    cut.write(long.subarray(0, HEAD_LIMIT));
    await cut.finish();
    assert.deepEqual(streamed.summary, gathered.summary);
    assert.deepEqual(streamed.summary, cut.summary);
    assert.equal(streamed.headerHash, gathered.headerHash);
    assert.equal(streamed.headerHash, cut.headerHash);
    assert.doesNotMatch(streamed.summary.from, /beyond-the-limit/);
    for (const d of [streamed, gathered, cut]) await d.discard();
  });

  test('every descriptor a delivery opens is closed: committed, failed or discarded, even before its file was there', async () => {
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      const d = delivery(undefined, i % 2 ? 1_000_000 : 0);
      feed(d, message(i % 2 ? 300_000 : 2_000), 65_536);
      if (i % 3 === 0) await d.discard();
      else if (i % 3 === 1) {
        await d.finish();
        await d.discard();
      } else {
        const discarded = d.discard(); // while the file is still being created
        await assert.rejects(d.finish(), /discarded/);
        await discarded;
        assert.ok(!existsSync(d.tempPath), 'nothing left of it');
      }
    }
    assert.equal(open(), before);
  });

  test('a discarded streamed message leaves no file and no open descriptor', async () => {
    const d = delivery(undefined, 1_000_000);
    feed(d, message(100_000), 8192);
    await d.discard();
    assert.ok(!existsSync(d.tempPath));
    await d.discard(); // twice is harmless
  });
});
