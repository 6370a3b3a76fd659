import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileName, newMessageId, parseFileName, sortFlags, type MaildirFile } from '../../src/store/maildir';
import { rng } from '../support/mailcheck';

describe('Maildir file names', () => {
  test('every field survives the name: any UIDL bytes, sizes, headers-only and LIST sizes, flags', () => {
    const random = rng(99);
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    for (let i = 0; i < 2000; i++) {
      const size = Math.floor(random() * 1e9);
      const partialOf = random() < 0.3 ? Math.floor(random() * 1e10) : undefined;
      const listSize = pick([undefined, size, partialOf, size + 1 + Math.floor(random() * 100)]);
      const uidl = random() < 0.9 ? String.fromCharCode(...Array.from({ length: Math.floor(random() * 70) }, () => Math.floor(random() * 256))) : undefined;
      const dir = pick<'new' | 'cur'>(['new', 'cur']);
      const flags = dir === 'cur' ? sortFlags(Array.from({ length: Math.floor(random() * 4) }, () => pick(['S', 'T', 'R', 'F', 'D', 'a'])).join('')) : '';
      const m = { id: newMessageId(), dir, size, uidl, partialOf, listSize, flags };
      const file = fileName(m);
      assert.ok(!/[/\0]/.test(file), `a name with a path separator or NUL: ${JSON.stringify(file)}`);
      assert.equal(file.includes(':2,'), dir === 'cur', `only a name in cur/ has an info part: ${JSON.stringify(file)}`);
      const parsed = parseFileName(file, dir)!;
      const expected: MaildirFile = { id: m.id, dir, file, size, flags };
      if (uidl !== undefined) expected.uidl = uidl;
      if (partialOf !== undefined) expected.partialOf = partialOf;
      if (listSize !== undefined && listSize !== (partialOf ?? size)) expected.listSize = listSize; // else it says nothing new
      assert.deepEqual(parsed, expected, file);
    }
  });

  test('names written by other programs: flags put in order once each, unknown fields and bad numbers ignored', () => {
    const parse = (file: string, dir: 'new' | 'cur' = 'cur') => parseFileName(file, dir);
    assert.equal(parse('.hidden'), undefined, 'dot files are not messages');
    assert.equal(parse(',S=5'), undefined, 'a name without an id');
    assert.equal(parse(':2,S'), undefined);
    assert.deepEqual(parse('1700000000.M1P2.host', 'new'), { id: '1700000000.M1P2.host', dir: 'new', file: '1700000000.M1P2.host', size: -1, flags: '' });
    const full = parse('abc,S=12,X=zz,P=99,L=77,W=4:2,TSa')!;
    assert.deepEqual([full.id, full.size, full.partialOf, full.listSize, full.flags], ['abc', 12, 99, 77, 'STa']);
    assert.equal(parse('abc,S=12x')!.size, -1, 'a size that is not a number');
    assert.equal(parse('abc,S=-3')!.size, -1);
    assert.equal(parse('abc,S=3,P=x')!.partialOf, undefined);
    assert.equal(parse('abc,S=3,L=1e3')!.listSize, undefined);
    for (const [raw, flags] of [
      ['S', 'S'],
      ['SS', 'S'],
      ['TS', 'ST'],
      ['ZA', 'AZ'],
      ['S1T', 'ST'],
      ['S_[T', 'ST'],
      ['S,T', 'ST'],
      ['Sa', 'Sa'],
      ['aS', 'Sa'],
      ['', ''],
      // Characters that are not flag letters go even when they already stand in order.
      ['1', ''],
      ['1S', 'S'],
      ['@A', 'A'],
      ['Z[', 'Z'],
      ['S_', 'S'],
      ['_a', 'a'],
      ['S~', 'S'],
      ['z{', 'z'],
    ]) {
      assert.equal(parse(`abc,S=1:2,${raw}`)!.flags, flags, raw);
    }
  });

  test("a UIDL field written by another program reads as Node's base64url decoder reads it (padding, either alphabet, stray characters)", () => {
    const random = rng(7);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const odd = ['+', '/', '=', '==', ' ', '.', 'é', '\u00ff', '\u20ac', '!'];
    for (let i = 0; i < 5000; i++) {
      let value = '';
      for (let n = Math.floor(random() * 80); n > 0; n--) value += random() < 0.05 ? odd[Math.floor(random() * odd.length)] : alphabet[Math.floor(random() * 64)];
      assert.equal(parseFileName(`abc,S=1,U=${value},P=2`, 'new')!.uidl, Buffer.from(value, 'base64url').toString('latin1'), JSON.stringify(value));
    }
  });

  test('message ids: unique, from the time, the process and the host, safe in a file name', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => newMessageId());
    const after = Date.now();
    assert.equal(new Set(ids).size, ids.length);
    const counters: number[] = [];
    for (const id of ids) {
      const match = /^(\d+)\.M(\d+)P(\d+)Q(\d+)R([0-9a-f]{8})\.([A-Za-z0-9-]{1,32})$/.exec(id);
      assert.ok(match, id);
      const [, seconds, micros, pid, counter, , host] = match;
      assert.ok(Number(seconds) >= Math.floor(before / 1000) && Number(seconds) <= Math.floor(after / 1000), `seconds of ${id}`);
      assert.ok(Number(micros) % 1000 === 0 && Number(micros) < 1_000_000, `microseconds of ${id}`);
      assert.equal(Number(pid), process.pid);
      if (/^[A-Za-z0-9-]+$/.test(hostname())) assert.equal(host, hostname().slice(0, 32));
      counters.push(Number(counter));
    }
    assert.ok(counters.every((c, i) => i === 0 || c === counters[i - 1] + 1), 'the counter counts up by one');
  });

  // The host part is fixed when the module loads: each case loads it afresh in a process of its own
  // whose os.hostname() says what the case needs.
  test('the host part of an id: cut to 32 characters (a file name has 255 bytes), odd characters made "-", empty made "localhost"', () => {
    const idOnHost = (name: string) =>
      execFileSync(process.execPath, ['-e', `require('node:os').hostname = () => ${JSON.stringify(name)}; process.stdout.write(require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'store', 'maildir.js'))}).newMessageId())`], { encoding: 'utf8' });
    const hostOf = (id: string) => id.slice(id.indexOf('.', id.indexOf('R')) + 1);
    assert.equal(hostOf(idOnHost(`${'a'.repeat(60)}.example.org`)), 'a'.repeat(32));
    assert.equal(hostOf(idOnHost('mail.example.org')), 'mail-example-org');
    assert.equal(hostOf(idOnHost('')), 'localhost');
  });
});
