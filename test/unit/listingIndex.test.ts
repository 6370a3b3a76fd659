/**
 * index.json read back (src/store/listingIndex.ts): rows come back as they were written, and
 * anything else (another version, other fields, a damaged row, a row edited by hand) is dropped
 * rather than trusted, so the store reads that message's file again instead of showing a lie.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readJson } from '../../src/store/fsutil';
import { decodeIndex, encodeIndex, INDEX_VERSION, indexedMessage, type IndexedMessage } from '../../src/store/listingIndex';

const summary = { from: 'Ann <ann@example.org>', to: 'bob@example.org', subject: 'Hello', date: 1_764_000_000_000, hasAttachments: true, snippet: 'Hi Bob', messageId: '<1@x>', inReplyTo: '<0@x>', references: ['<0@x>'] };
const full = indexedMessage('1764.M1P2.host', 'uid-1', 1234, 99_999, summary);
const bare = indexedMessage('1764.M2P2.host', undefined, 10, undefined, { ...summary, references: [] });
const listing = { new: { mtime: '1', names: ['a'] }, cur: { mtime: '2', names: ['b:2,S'] } };
const saved = () => JSON.parse(encodeIndex([full, bare], listing)) as { version: number; fields: string[]; rows: unknown[][]; listing?: unknown };

describe('the listing index on disk', () => {
  test('rows and listings come back as written, absent fields absent again', () => {
    const decoded = decodeIndex(saved());
    assert.deepEqual(decoded.messages, [full, bare]);
    assert.equal('uidl' in decoded.messages[1] && decoded.messages[1].uidl, undefined);
    assert.deepEqual(decoded.listing, listing);
  });

  test('the file names its fields once, in a header, and its version', () => {
    const file = saved();
    assert.equal(file.version, INDEX_VERSION);
    assert.equal(file.fields[0], 'id');
    assert.equal(file.rows[0].length, file.fields.length);
    assert.equal(file.rows[1][file.fields.indexOf('uidl')], null);
  });

  test('another version, other fields, or no rows: nothing is trusted', () => {
    const cases: Array<[string, (f: ReturnType<typeof saved>) => unknown]> = [
      ['older version', (f) => ({ ...f, version: INDEX_VERSION - 1 })],
      ['no version', ({ version: _, ...f }) => f],
      ['a field renamed', (f) => ({ ...f, fields: f.fields.map((x) => (x === 'subject' ? 'title' : x)) })],
      ['fields reordered', (f) => ({ ...f, fields: [...f.fields].reverse() })],
      ['a field missing', (f) => ({ ...f, fields: f.fields.slice(1) })],
      ['a field more, after the known ones (a newer version\'s)', (f) => ({ ...f, fields: [...f.fields, 'labels'], rows: f.rows.map((r) => [...r, null]) })],
      ['fields not a list', (f) => ({ ...f, fields: 'id,uidl' })],
      ['rows not a list', (f) => ({ ...f, rows: {} })],
      ['not an object', () => 'garbage'],
      ['nothing', () => undefined],
    ];
    for (const [name, damage] of cases) assert.deepEqual(decodeIndex(damage(saved())), { messages: [], listing: {} }, name);
  });

  test('a listing that is missing or not an object is empty; the rows are still good', () => {
    for (const bad of [undefined, null, 'x', 7]) {
      const decoded = decodeIndex({ ...saved(), listing: bad });
      assert.deepEqual(decoded.listing, {});
      assert.equal(decoded.messages.length, 2);
    }
  });

  test('a damaged row is dropped alone, whatever field is wrong', () => {
    const file = saved();
    const at = (field: string) => file.fields.indexOf(field);
    const damaged: Array<[string, (row: unknown[]) => unknown]> = [
      ['not a list', () => ({})],
      ['too short', (row) => row.slice(1)],
      ['too long', (row) => [...row, 'extra']],
      ...(['id', 'from', 'to', 'subject', 'snippet', 'messageId', 'inReplyTo'] as const).map((field): [string, (row: unknown[]) => unknown] => [
        `${field} not text`,
        (row) => row.map((v, i) => (i === at(field) ? 5 : v)),
      ]),
      ['date as text', (row) => row.map((v, i) => (i === at('date') ? '2026-11-24' : v))],
      ['size as text', (row) => row.map((v, i) => (i === at('size') ? '10' : v))],
      ['attachments as text', (row) => row.map((v, i) => (i === at('hasAttachments') ? 'yes' : v))],
      ['uidl a number', (row) => row.map((v, i) => (i === at('uidl') ? 7 : v))],
      ['partialOf as text', (row) => row.map((v, i) => (i === at('partialOf') ? '99' : v))],
      ['references not a list', (row) => row.map((v, i) => (i === at('references') ? '<0@x>' : v))],
      ['a reference not text', (row) => row.map((v, i) => (i === at('references') ? ['<0@x>', 3] : v))],
    ];
    for (const [name, damage] of damaged) {
      const decoded = decodeIndex({ ...file, rows: [damage(file.rows[0]), file.rows[1]] });
      assert.deepEqual(decoded.messages, [bare], name);
    }
  });

  test('a row made on delivery and a row read from index.json share one hidden class (a second one made every read of the list slower)', () => {
    // V8's own answer, from a process allowed to ask it; both rows summarized from the same kind of message.
    const script = `
      const { indexedMessage, decodeIndex, encodeIndex } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'store', 'listingIndex.js'))});
      const { summarize } = require(${JSON.stringify(join(__dirname, '..', '..', 'src', 'mime', 'summary.js'))});
      const message = (n) => summarize(Buffer.from('From: Ann <ann@example.org>\\r\\nSubject: Hi ' + n + '\\r\\nDate: Mon, 2 Nov 2026 10:00:00 +0000\\r\\n\\r\\nHello'));
      const delivered = indexedMessage('a', 'u1', 10, undefined, message(1));
      const read = decodeIndex(JSON.parse(encodeIndex([indexedMessage('b', 'u2', 11, undefined, message(2))], {}))).messages[0];
      process.stdout.write(String(%HaveSameMap(delivered, read)));`;
    assert.equal(execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' }), 'true');
  });

  test('a row with no UIDL and no partial size (null on disk) is a good row', () => {
    const decoded = decodeIndex(saved());
    const row: IndexedMessage = decoded.messages[1];
    assert.equal(row.uidl, undefined);
    assert.equal(row.partialOf, undefined);
  });

  test('mail in any script is written in ASCII alone and read back the same; an index written as UTF-8 (older versions) still reads', async () => {
    const scripts = { ...summary, from: 'Jürgen Groß <j@example.de>', subject: 'Отчёт 北京 مرحبا 🎉 \u2028 end', snippet: 'a\u0000b \ud800 lone' };
    const row = indexedMessage('1764.M3P2.host', 'ü-uid', 99, undefined, scripts);
    const text = encodeIndex([row], listing);
    assert.ok(isAscii(Buffer.from(text)), 'the file is ASCII');
    const dir = mkdtempSync(join(tmpdir(), 'mailpanel-index-'));
    try {
      writeFileSync(join(dir, 'ascii.json'), text);
      assert.deepEqual(decodeIndex(await readJson(join(dir, 'ascii.json'))).messages, [row]);
      writeFileSync(join(dir, 'utf8.json'), JSON.stringify(JSON.parse(text)));
      assert.ok(!isAscii(readFileSync(join(dir, 'utf8.json'))), 'the older form is UTF-8');
      assert.deepEqual(decodeIndex(await readJson(join(dir, 'utf8.json'))).messages, [row]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
