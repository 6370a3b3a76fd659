import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ResponseParser, type StatusKind } from '../../src/pop3/responseParser';
import { Pop3Error } from '../../src/pop3/errors';

/** Feeds `wire` to a parser expecting one multi-line response, in pieces cut at `cuts`. */
function parseBody(wire: Buffer, cuts: number[] = []): { status: StatusKind; text: string; body: Buffer; ended: boolean } {
  const parser = new ResponseParser(512);
  const chunks: Buffer[] = [];
  const result = { status: 'err' as StatusKind, text: '', body: Buffer.alloc(0), ended: false };
  parser.expect({
    multiline: true,
    onStatus: (kind, text) => Object.assign(result, { status: kind, text }),
    onData: (c) => (chunks.push(Buffer.from(c)), true),
    onEnd: () => (result.ended = true),
  });
  let from = 0;
  for (const cut of [...cuts, wire.length]) {
    parser.feed(wire.subarray(from, cut));
    from = cut;
  }
  result.body = Buffer.concat(chunks);
  return result;
}

describe('response parser', () => {
  test('undoes dot-stuffing and stops at the terminator', () => {
    const wire = Buffer.from('+OK 3 octets\r\nline\r\n..dotted\r\n...two\r\n.\r\n');
    const r = parseBody(wire);
    assert.equal(r.status, 'ok');
    assert.equal(r.text, '3 octets');
    assert.equal(r.ended, true);
    assert.equal(r.body.toString(), 'line\r\n.dotted\r\n..two\r\n');
  });

  test('a terminator split at every possible byte gives the same body', () => {
    const wire = Buffer.from('+OK\r\nA\r\n..B\r\n.\r\n');
    for (let i = 1; i < wire.length; i++) {
      for (let j = i; j < wire.length; j++) {
        const r = parseBody(wire, [i, j]);
        assert.equal(r.body.toString(), 'A\r\n.B\r\n', `cut at ${i},${j}`);
        assert.equal(r.ended, true);
      }
    }
  });

  test('an empty body ends right after the status line', () => {
    const r = parseBody(Buffer.from('+OK\r\n.\r\n'));
    assert.equal(r.ended, true);
    assert.equal(r.body.length, 0);
  });

  test('8-bit and non-UTF-8 bytes pass through untouched', () => {
    const body = Buffer.from([0xff, 0xfe, 0x80, 0x0d, 0x0a, 0xe9, 0x74, 0xe9, 0x0d, 0x0a]);
    const r = parseBody(Buffer.concat([Buffer.from('+OK\r\n'), body, Buffer.from('.\r\n')]));
    assert.deepEqual(r.body, body);
  });

  test('a dot-CR not followed by LF keeps the CR as data', () => {
    const r = parseBody(Buffer.from('+OK\r\n.\rX\r\n.\r\n'));
    assert.equal(r.body.toString('latin1'), '\rX\r\n');
  });

  test('responses that follow in the same chunk go to the next handler (pipelining)', () => {
    const parser = new ResponseParser(512);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      parser.expect({
        multiline: i !== 1,
        onStatus: (kind, text) => seen.push(`${i}:${kind}:${text}`),
        onData: (c) => (seen.push(`${i}:data:${c.toString()}`), true),
        onEnd: () => seen.push(`${i}:end`),
      });
    }
    parser.feed(Buffer.from('+OK a\r\nx\r\n.\r\n-ERR b\r\n+OK c\r\n.\r\n'));
    assert.deepEqual(seen, ['0:ok:a', '0:data:x\r\n', '0:end', '1:err:b', '2:ok:c', '2:end']);
    assert.equal(parser.pending, 0);
  });

  test('an overlong status line is a protocol error, even when it arrives in pieces', () => {
    const parser = new ResponseParser(64);
    parser.expect({ multiline: false, onStatus: () => assert.fail('no status expected') });
    assert.throws(() => {
      for (let i = 0; i < 10; i++) parser.feed(Buffer.alloc(10, 0x41));
    }, (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol');
  });

  test('garbage instead of a status is a protocol error', () => {
    const parser = new ResponseParser(512);
    parser.expect({ multiline: false, onStatus: () => assert.fail('no status expected') });
    assert.throws(() => parser.feed(Buffer.from('\x00\x01HTTP/1.1 200 OK\r\n')), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol');
  });

  test('an unsolicited line is a protocol error', () => {
    const parser = new ResponseParser(512);
    assert.throws(() => parser.feed(Buffer.from('+OK surprise\r\n')), /unexpected line/);
  });

  test('a body ended by a bare ".\\n" (servers that send LF only) ends there', () => {
    const r = parseBody(Buffer.from('+OK\nA\n..B\n.\nafter'), [5]);
    assert.equal(r.ended, true);
    assert.equal(r.body.toString(), 'A\n.B\n');
  });

  test('no empty data is handed on, and a consumer that says "enough" sets the pause', () => {
    const parser = new ResponseParser(512);
    const seen: number[] = [];
    parser.expect({ multiline: true, onStatus: () => undefined, onData: (c) => (seen.push(c.length), false) });
    parser.feed(Buffer.from('+OK\r\n'));
    assert.equal(parser.wantsPause, false, 'no data yet');
    parser.feed(Buffer.from('.'));
    parser.feed(Buffer.from('.x\r\n'));
    assert.ok(seen.length > 0 && seen.every((n) => n > 0), `lengths handed on: ${seen.join(',')}`);
    assert.equal(parser.wantsPause, true);
  });

  test('status lines: "+" and "+ text" continue, a CR inside the text is kept, only the line end is cut', () => {
    const parser = new ResponseParser(512);
    const got: Array<[StatusKind, string]> = [];
    // A continuation ("+") leaves its handler waiting for the final answer (SASL exchanges).
    for (let i = 0; i < 2; i++) parser.expect({ multiline: false, onStatus: (kind, text) => void got.push([kind, text]) });
    parser.feed(Buffer.from('+\r\n+ Y2hhbGxlbmdl\r\n+OK a\rb\r\n-ERR  spaced\n'));
    assert.deepEqual(got, [['continue', ''], ['continue', 'Y2hhbGxlbmdl'], ['ok', 'a\rb'], ['err', 'spaced']]);
    assert.equal(parser.pending, 0);
    assert.throws(() => parser.feed(Buffer.from('+OK unexpected\r\n')), (e: unknown) => e instanceof Pop3Error && /unexpected line: "\+OK unexpected"/.test(e.message));
  });

  test('the line length limit counts a line across chunks, from where it starts', () => {
    const ok = new ResponseParser(100);
    let text = '';
    ok.expect({ multiline: false, onStatus: () => undefined });
    ok.expect({ multiline: false, onStatus: (_k, t) => (text = t) });
    ok.feed(Buffer.from(`+OK first\r\n+OK ${'A'.repeat(56)}`)); // the second line starts 11 bytes in
    ok.feed(Buffer.from(`${'A'.repeat(30)}\r\n`));
    assert.equal(text, 'A'.repeat(86), 'a 92-byte line under a 100-byte limit');
    const long = new ResponseParser(100);
    long.expect({ multiline: false, onStatus: () => undefined });
    assert.throws(() => long.feed(Buffer.from(`+OK ${'B'.repeat(120)}`)), /longer than 100 bytes/, 'refused before its end arrives');
  });
});
