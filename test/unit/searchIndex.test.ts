/** The search index (src/search/searchIndex.ts) and query evaluation (src/search/evaluate.ts). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { evaluate, type SearchableMessage } from '../../src/search/evaluate';
import { updateIndex } from '../../src/search/indexer';
import { placeByAccount, Placement } from '../../src/search/placement';
import { parseQuery } from '../../src/search/query';
import { SearchIndex, type MessageText } from '../../src/search/searchIndex';
import { LockBusyError } from '../../src/store/lock';

const CHILD = join(__dirname, '..', 'support', 'searchIndexChild.js');
const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-search-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(scratch, `index-${n++}.db`);

const text = (id: string, fields: Partial<MessageText> = {}): MessageText => ({ id, size: 100, from: '', to: '', subject: '', body: '', attachments: [], ...fields });
const ids = (index: SearchIndex) => new Set(index.contents().keys());
const sorted = (set: Set<string>) => [...set].sort();

describe('search index', () => {
  test('finds words by field, phrases in order, across accents and scripts', async () => {
    const index = await SearchIndex.open(freshPath());
    assert.equal(index.fresh, true);
    index.add([
      text('1', { from: 'Renée Dupont <renee@example.org>', subject: 'Quarterly report', body: 'The numbers for München are in.' }),
      text('2', { from: 'Bob <bob@example.org>', to: 'Renée <renee@example.org>', subject: 'Re: report', body: 'Report quarterly, please.' }),
      text('3', { from: '李伟 <li@example.cn>', subject: '会议', body: '我们明天去北京开会', attachments: ['Budget 2026.xlsx'] }),
      text('4', { from: 'محمد <m@example.eg>', body: 'مُحَمَّد يكتب' }),
    ]);
    assert.deepEqual(sorted(index.matching('any', ['munchen'])), ['1']);
    assert.deepEqual(sorted(index.matching('from', ['renee'])), ['1']);
    assert.deepEqual(sorted(index.matching('to', ['renee'])), ['2']);
    assert.deepEqual(sorted(index.matching('any', ['renee'])), ['1', '2']);
    assert.deepEqual(sorted(index.matching('any', ['quarterly', 'report'])), ['1'], 'the phrase in this order only');
    assert.deepEqual(sorted(index.matching('subject', ['report'])), ['1', '2']);
    assert.deepEqual(sorted(index.matching('any', ['北京'])), ['3']);
    assert.deepEqual(sorted(index.matching('attachment', ['budget'])), ['3']);
    assert.deepEqual(sorted(index.matching('any', ['محمد'])), ['4']);
    assert.deepEqual(sorted(index.matching('any', ['absent'])), []);
    await index.close();
  });

  test('upkeep: a message added again replaces its words; a removed one is gone; the index lasts', async () => {
    const path = freshPath();
    let index = await SearchIndex.open(path);
    index.add([text('a', { body: 'headers only so far' }), text('b', { body: 'second message' })]);
    index.add([text('a', { size: 5000, body: 'the full body arrived' })]);
    assert.deepEqual(sorted(index.matching('any', ['headers'])), []);
    assert.deepEqual(sorted(index.matching('any', ['full', 'body'])), ['a']);
    index.remove(['b', 'never-there']);
    assert.deepEqual(sorted(index.matching('any', ['second'])), []);
    assert.deepEqual([...index.contents()], [['a', 5000]]);
    await index.close();
    index = await SearchIndex.open(path);
    assert.equal(index.fresh, false);
    assert.deepEqual(sorted(index.matching('any', ['arrived'])), ['a']);
    await index.close();
  });

  test('a deleted, damaged or older index is made anew (it is derived from the Maildir)', async () => {
    const path = freshPath();
    let index = await SearchIndex.open(path);
    index.add([text('a', { body: 'kept' })]);
    await index.close();
    rmSync(path);
    index = await SearchIndex.open(path);
    assert.equal(index.fresh, true);
    assert.equal(ids(index).size, 0);
    await index.close();
    writeFileSync(path, Buffer.alloc(8192, 0x5a)); // not a database
    index = await SearchIndex.open(path);
    assert.equal(index.fresh, true);
    index.add([text('b', { body: 'works again' })]);
    assert.deepEqual(sorted(index.matching('any', ['works'])), ['b']);
    await index.close();
    // A rollback journal beside it (an older version, killed in a transaction): it may be half written.
    writeFileSync(`${path}-journal`, Buffer.alloc(512, 1));
    index = await SearchIndex.open(path);
    assert.equal(index.fresh, true);
    assert.equal(ids(index).size, 0);
    await index.close();
  });

  test('a build holds a batch of text at most: long messages end a transaction early (200 of 1 MB each took 1 GB)', async () => {
    const dir = mkdtempSync(join(scratch, 'long-'));
    const stored = Array.from({ length: 6 }, (_, k) => {
      const path = join(dir, `m${k}`);
      writeFileSync(path, `Subject: long ${k}\r\n\r\n${'word '.repeat(k === 2 ? 10 : 60_000)}\r\n`);
      return { id: `m${k}`, path, size: k };
    });
    const index = await SearchIndex.open(freshPath());
    const batches: number[] = [];
    const add = index.add.bind(index);
    index.add = (texts) => {
      batches.push(texts.length);
      add(texts);
    };
    const progress: number[] = [];
    updateIndex(index, stored, (done) => progress.push(done), { messages: 200, chars: 500_000 });
    // 300,000 characters each but the third (50): a batch ends once it holds 500,000, so the second takes three.
    assert.deepEqual(batches, [2, 3, 1]);
    assert.deepEqual(progress, [2, 5, 6]);
    assert.equal(index.contents().size, 6);
    await index.close();
  });

  test("the index's rows become places in a list, whatever characters another tool put in a file's name", () => {
    // Ids as Maildir names allow them: a newline, a comma, a space (only '/' and NUL cannot be).
    const messages = [
      { accountId: 'a', id: 'one\nline' },
      { accountId: 'b', id: 'other' },
      { accountId: 'a', id: 'two, 3' },
      { accountId: 'a', id: 'x' },
    ];
    const placed = placeByAccount(messages);
    assert.deepEqual([...placed.get('a')!.places], [0, 2, 3]);
    const index = { changes: 1, idsByRow: () => ['x', 'two, 3', undefined, 'one\nline', 'not listed'] } as unknown as SearchIndex;
    const placement = new Placement(1, placed.get('a')!);
    assert.deepEqual([...placement.places(index, Int32Array.of(0, 1, 3, 4, 9)).places], [3, 2, 0]);
    const scored = placement.places(index, Int32Array.of(3, 4, 0), Float32Array.of(0.5, 9, 2));
    assert.deepEqual([[...scored.places], [...scored.scores!]], [[0, 3], [0.5, 2]]);
  });

  test('one process has an index at a time', async () => {
    const path = freshPath();
    const index = await SearchIndex.open(path);
    // The lock names this process, alive: a second opener (another window) is told, not let in.
    await assert.rejects(SearchIndex.open(path), (e: unknown) => e instanceof LockBusyError && /search index/.test(e.message));
    await index.close();
    await (await SearchIndex.open(path)).close();
  });

  test('killed at random moments while building, the index opens again whole: every batch all there or not at all', async () => {
    const path = freshPath();
    let committed = -1;
    for (let round = 0; round < 8; round++) {
      const said = await runChild(path, 30 + ((round * 37) % 120));
      committed = Math.max(committed, said);
      const index = await SearchIndex.open(path);
      const there = ids(index);
      const batches = new Set([...there].map((id) => id.slice(0, id.indexOf('-'))));
      for (const batch of batches) for (let k = 0; k < 50; k++) assert.ok(there.has(`${batch}-${k}`), `${batch} is partly there (round ${round})`);
      for (let b = 0; b <= committed; b++) assert.ok(batches.has(`b${b}`), `batch ${b} was committed but is gone (round ${round})`);
      assert.equal(index.matching('any', ['common']).size, there.size, 'the words are there for every message');
      await index.close();
    }
    assert.ok(committed >= 3, `the child committed only ${committed + 1} batches`);
  });

  test('a process killed inside a transaction, after some of it reached the file, leaves nothing of it for the next open', async () => {
    const path = freshPath();
    for (let round = 0; round < 2; round++) {
      assert.equal(await runChild(path, undefined, 'inside'), round, 'the child committed its small batch and died in the large one');
      const index = await SearchIndex.open(path);
      assert.equal(index.fresh, false, 'what was committed is kept, not built again');
      assert.deepEqual(sorted(ids(index)), Array.from({ length: 50 * (round + 1) }, (_, k) => `b${Math.floor(k / 50)}-${k % 50}`).sort());
      assert.equal(index.matching('any', ['common']).size, 50 * (round + 1), 'no words of the batch that died');
      await index.close();
    }
  });
});

/** Runs the building child and kills it `delayMs` after its first batch (or lets it kill itself); resolves to the last batch it said was committed. */
function runChild(path: string, delayMs: number | undefined, mode = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let last = -1;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const m of chunk.matchAll(/committed (\d+)/g)) last = Number(m[1]);
      if (delayMs !== undefined) timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`the child exited with ${code}`))));
  });
}

describe('query evaluation', () => {
  const at = (y: number, m: number, d: number) => new Date(y, m - 1, d, 12).getTime();
  const messages: SearchableMessage[] = [
    { accountId: 'w', id: '1', account: 'Work <me@work.example>', date: at(2026, 10, 3), seen: true, trashed: false, hasAttachments: true },
    { accountId: 'w', id: '2', account: 'Work <me@work.example>', date: at(2026, 11, 5), seen: false, trashed: false, hasAttachments: false },
    { accountId: 'h', id: '1', account: 'me@home.example', date: at(2026, 11, 20), seen: false, trashed: true, hasAttachments: false },
  ];
  // The index's answers, by field and words: keys are account/id (ids repeat across accounts).
  const hits = (field: string, words: string[]) => {
    const keys = ({ 'any:report': ['w/1', 'h/1'], 'from:ann': ['w/2'] } as Record<string, string[]>)[`${field}:${words.join(' ')}`] ?? [];
    return Uint8Array.from(messages, (m) => (keys.includes(`${m.accountId}/${m.id}`) ? 1 : 0));
  };
  const found = (query: string) => [...evaluate(parseQuery(query), messages, hits)].flatMap((v, i) => (v ? [`${messages[i].accountId}/${messages[i].id}`] : []));

  test('words, flags, dates and accounts combine with AND, OR and NOT', () => {
    assert.deepEqual(found('report'), ['w/1', 'h/1']);
    assert.deepEqual(found('report is:unread'), ['h/1']);
    assert.deepEqual(found('report OR from:ann'), ['w/1', 'w/2', 'h/1']);
    assert.deepEqual(found('-report'), ['w/2']);
    assert.deepEqual(found('has:attachment'), ['w/1']);
    assert.deepEqual(found('is:read'), ['w/1']);
    assert.deepEqual(found('is:trashed'), ['h/1']);
    assert.deepEqual(found('date:2026-11'), ['w/2', 'h/1']);
    assert.deepEqual(found('after:2026-11-05'), ['h/1']);
    assert.deepEqual(found('before:2026-11-05'), ['w/1']);
    assert.deepEqual(found('account:work'), ['w/1', 'w/2']);
    assert.deepEqual(found('account:home.example'), ['h/1']);
    assert.deepEqual(found('account:ork'), [], 'from the start of a word');
    assert.deepEqual(found('(report OR from:ann) -is:trashed date:2026'), ['w/1', 'w/2']);
    assert.deepEqual(found(''), ['w/1', 'w/2', 'h/1']);
  });
});
