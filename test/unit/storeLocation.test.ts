/**
 * Where mail lives: a store named by its account's identity, and moving a store from its old
 * place without losing a message, whether the new place is empty or already holds the same
 * account's mail, and whatever moment the move is killed at.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
// The module object itself: the move's calls go through fs.promises, which a test may replace for a moment.
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { fileName, newMessageId, parseFileName } from '../../src/store/maildir';
import { moveStore, storeFolderName } from '../../src/store/location';
import { rng } from '../support/mailcheck';
import { withPatched } from '../support/patch';

const CHILD = join(__dirname, '..', 'support', 'moveChild.js');
const KILLS = Number(process.env.CRASH_KILLS ?? 100) / 2;
const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-location-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(scratch, `t${++n}`);

/** Writes a store with `count` messages (keys k<first>..); returns key -> bytes. */
function seedStore(root: string, keys: string[], flags = ''): Map<string, Buffer> {
  const written = new Map<string, Buffer>();
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(root, 'Maildir', sub), { recursive: true });
  keys.forEach((key, i) => {
    const data = Buffer.from(`Subject: message ${key}\r\nMessage-ID: <${key}@x>\r\n\r\n${'body '.repeat(i % 50)}${key}\r\n`);
    const dir = i % 2 ? 'cur' : 'new';
    writeFileSync(join(root, 'Maildir', dir, fileName({ id: newMessageId(), dir, size: data.length, uidl: key, flags: dir === 'cur' ? flags : '' })), data);
    written.set(key, data);
  });
  writeFileSync(join(root, 'index.json'), 'derived data: the new place rebuilds it');
  return written;
}

/** key -> bytes of every message in a store; fails on a key stored twice. */
function contents(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const dir of ['new', 'cur'] as const) {
    for (const name of readdirSync(join(root, 'Maildir', dir))) {
      const file = parseFileName(name, dir)!;
      assert.ok(!out.has(file.uidl!), `${file.uidl} stored twice`);
      out.set(file.uidl!, readFileSync(join(root, 'Maildir', dir, name)));
    }
  }
  assert.deepEqual(readdirSync(join(root, 'Maildir', 'tmp')), [], 'nothing left half-copied');
  return out;
}

describe('where mail lives', () => {
  test('a store is named by user, host and port, whatever their case, and the name is a safe folder name', () => {
    const name = storeFolderName({ user: 'Alice', host: 'POP.Example.org', port: 995 });
    assert.equal(name, storeFolderName({ user: 'alice', host: 'pop.example.org', port: 995 }));
    assert.notEqual(name, storeFolderName({ user: 'alice', host: 'pop.example.org', port: 110 }));
    assert.notEqual(name, storeFolderName({ user: 'bob', host: 'pop.example.org', port: 995 }));
    assert.match(name, /^alice@pop\.example\.org-995-[0-9a-f]{10}$/);
    assert.match(storeFolderName({ user: '../../x y:z', host: 'h', port: 1 }), /^[a-z0-9@._-]+$/);
    assert.doesNotMatch(storeFolderName({ user: '../../x', host: 'h', port: 1 }), /\//);
  });

  test('a store moves whole to an empty place, and opens there with every message and flag', async () => {
    const from = fresh();
    const to = join(fresh(), 'mailboxes', 'alice');
    const written = seedStore(from, ['a', 'b', 'c'], 'S');
    const before = (await AccountStore.open(from)).list();
    assert.deepEqual(await moveStore(from, to), { moved: true, merged: 0 });
    assert.equal(existsSync(from), false);
    assert.deepEqual(contents(to), written);
    assert.deepEqual((await AccountStore.open(to)).list(), before);
    assert.deepEqual(await moveStore(from, to), { moved: false, merged: 0 }, 'a second start has nothing to move');
  });

  test('into a place that has the same account\'s mail, the stores merge: each message once, flags kept', async () => {
    const from = fresh();
    const to = fresh();
    const old = seedStore(from, ['a', 'b', 'c', 'd'], 'ST');
    const current = seedStore(to, ['c', 'd', 'e']);
    const result = await moveStore(from, to);
    assert.deepEqual(result, { moved: true, merged: 2 });
    const merged = contents(to);
    assert.deepEqual([...merged.keys()].sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(merged.get('a'), old.get('a'));
    assert.deepEqual(merged.get('c'), current.get('c'), 'the copy already there stays');
    const b = (await AccountStore.open(to)).list().find((m) => m.subject === 'message b')!;
    assert.equal(b.trashed, true, 'a message in Trash stays in Trash');
    assert.equal(existsSync(from), false);
  });

  test('the folder name is the account\'s identity made safe: runs of other characters become one dash', () => {
    const name = storeFolderName({ user: 'Ann  Marie/../x', host: 'Pop.Example.ORG', port: 995 });
    assert.match(name, /^ann-marie-\.\.-x@pop\.example\.org-995-[0-9a-f]{10}$/);
  });

  test('a long identity is cut to 60 readable characters; the hash of the whole keeps two such names apart', () => {
    const long = (end: string) => storeFolderName({ user: `${'a'.repeat(80)}${end}`, host: 'pop.example.org', port: 995 });
    assert.match(long('1'), /^a{60}-[0-9a-f]{10}$/);
    assert.notEqual(long('1'), long('2'));
  });

  test('folders set aside by an interrupted move are removed; other folders beside them stay', async () => {
    const parent = fresh();
    const from = join(parent, 'old-store');
    mkdirSync(join(from, 'Maildir', 'cur'), { recursive: true });
    mkdirSync(join(parent, 'old-store.moved-4242', 'Maildir'), { recursive: true });
    mkdirSync(join(parent, 'other.moved-1'), { recursive: true });
    mkdirSync(join(parent, 'x-old-store.moved-1'), { recursive: true });
    await moveStore(from, join(fresh(), 'new-store'));
    assert.deepEqual(readdirSync(parent).sort(), ['other.moved-1', 'x-old-store.moved-1']);
  });

  test('a folder set aside that another window removes at the same moment: no error, the move goes on', async () => {
    const parent = fresh();
    const from = join(parent, 'old-store');
    const written = seedStore(from, ['a']);
    const leftover = join(parent, 'old-store.moved-4242');
    mkdirSync(join(leftover, 'Maildir'), { recursive: true });
    const removedMeanwhile = (readdir: typeof fs.promises.readdir) =>
      (async (...args: Parameters<typeof readdir>) => {
        const names = await readdir(...args);
        if (String(args[0]) === parent) rmSync(leftover, { recursive: true }); // the other window got there first
        return names;
      }) as typeof readdir;
    const to = join(fresh(), 'new-store');
    assert.deepEqual(await withPatched(fs.promises, 'readdir', removedMeanwhile, () => moveStore(from, to)), { moved: true, merged: 0 });
    assert.deepEqual(contents(to), written);
  });

  test("this move's own folder set aside, removed by another window's clean-up first: no error", async () => {
    const parent = fresh();
    const from = join(parent, 'old-store');
    const to = join(fresh(), 'store');
    const written = seedStore(from, ['a', 'b']);
    seedStore(to, ['c']); // a merge: the old store is then set aside and removed
    const aside = join(parent, `old-store.moved-${process.pid}`);
    const removedFirst = (open: typeof fs.promises.open) =>
      (async (...args: Parameters<typeof open>) => {
        if (String(args[0]) === parent && existsSync(aside)) rmSync(aside, { recursive: true }); // before its fsync
        return open(...args);
      }) as typeof open;
    assert.deepEqual(await withPatched(fs.promises, 'open', removedFirst, () => moveStore(from, to)), { moved: true, merged: 2 });
    assert.deepEqual(readdirSync(parent), []);
    assert.deepEqual([...contents(to).keys()].sort(), ['a', 'b', 'c']);
    assert.deepEqual(contents(to).get('a'), written.get('a'));
  });

  test('a store that never existed, under a folder that never existed: nothing to move', async () => {
    assert.deepEqual(await moveStore(join(fresh(), 'no', 'such', 'store'), fresh()), { moved: false, merged: 0 });
  });

  test('a merge into a bare folder, from a store missing cur/ and holding files that are not mail', async () => {
    const from = fresh();
    const to = fresh();
    const written = seedStore(from, ['a', 'b', 'c']); // a and c in new/, b in cur/
    rmSync(join(from, 'Maildir', 'cur'), { recursive: true });
    written.delete('b');
    writeFileSync(join(from, 'Maildir', 'new', '.hidden'), 'not mail');
    mkdirSync(join(from, 'Maildir', 'new', fileName({ id: newMessageId(), dir: 'new', size: 3, uidl: 'folder', flags: '' }))); // a folder some tool made
    mkdirSync(to, { recursive: true }); // exists, holds nothing: a merge, which makes the Maildir
    assert.deepEqual(await moveStore(from, to), { moved: true, merged: 2 });
    assert.deepEqual(contents(to), written);
    const names = readdirSync(join(to, 'Maildir', 'cur'));
    assert.ok(names.every((name) => name.endsWith(':2,')), `mail from new/ lands in cur/ with an empty info part: ${names.join(', ')}`);
  });

  test('a merge keeps a message\'s name from cur/ as it is, and never lets a headers-only copy stand in for the whole message', async () => {
    const from = fresh();
    const to = fresh();
    for (const root of [from, to]) for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(root, 'Maildir', sub), { recursive: true });
    const whole = Buffer.from('Subject: whole\r\n\r\nthe full text\r\n');
    const wholeName = fileName({ id: newMessageId(), dir: 'cur', size: whole.length, uidl: 'k1', flags: 'RS' });
    writeFileSync(join(from, 'Maildir', 'cur', wholeName), whole);
    const head = Buffer.from('Subject: whole\r\n\r\n');
    writeFileSync(join(to, 'Maildir', 'cur', fileName({ id: newMessageId(), dir: 'cur', size: head.length, uidl: 'k1', partialOf: whole.length, flags: '' })), head);
    assert.deepEqual(await moveStore(from, to), { moved: true, merged: 1 });
    assert.ok(readdirSync(join(to, 'Maildir', 'cur')).includes(wholeName));
  });

  test('a merge interrupted and run again copies nothing twice, even after the copy was read (renamed with a flag)', async () => {
    const from = fresh();
    const to = fresh();
    seedStore(from, ['a']);
    seedStore(to, ['b']);
    const [name] = readdirSync(join(from, 'Maildir', 'new'));
    const id = parseFileName(name, 'new')!.id;
    // The first run copied it, then the user read it (a flag: another name); the source was not yet removed.
    // Only its id tells it is the same file: this copy carries no key.
    writeFileSync(join(to, 'Maildir', 'cur', `${id},S=1:2,S`), 'x');
    assert.deepEqual(await moveStore(from, to), { moved: true, merged: 0 });
    assert.equal(readdirSync(join(to, 'Maildir', 'cur')).filter((f) => f.startsWith(id)).length, 1);
  });

  test(`a move killed with SIGKILL at ${KILLS} random moments loses nothing and finishes on the next start`, async () => {
    const random = rng(99);
    let killed = 0;
    for (let round = 0; killed < KILLS && round < KILLS * 3; round++) {
      const from = fresh();
      const to = fresh();
      const keys = Array.from({ length: 200 }, (_, i) => `k${round}-${i}`);
      const all = new Map([...seedStore(from, keys), ...seedStore(to, keys.filter(() => random() < 0.2))]);
      const first = await runChild(from, to, Math.floor(random() * 40));
      assert.notEqual(first, 'failed');
      if (first === 'killed') killed++;
      // The next start: the move runs to its end.
      assert.equal(await runChild(from, to, -1), 'exited');
      assert.equal(existsSync(from), false, 'the old place is gone');
      assert.deepEqual(readdirSync(join(to, '..')).filter((f) => f.includes('.moved-')), []);
      const stored = contents(to);
      assert.deepEqual([...stored.keys()].sort(), [...all.keys()].sort(), `round ${round}`);
      for (const [key, data] of all) assert.deepEqual(stored.get(key), data, key);
    }
    assert.ok(killed >= KILLS, `only ${killed} moves were killed mid-way`);
  });
});

/** Runs a child move; kills it `delayMs` after it starts (never, with -1). */
function runChild(from: string, to: string, delayMs: number): Promise<'killed' | 'exited' | 'failed'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, from, to], { stdio: ['ignore', 'pipe', 'inherit'] });
    let timer: NodeJS.Timeout | undefined;
    child.stdout.once('data', () => {
      if (delayMs >= 0) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : code === 0 ? 'exited' : 'failed');
    });
  });
}

describe('moving a store when renaming it is refused', () => {
  /** Replaces fs.promises.rename while `run` runs: `refuse` may fail a rename with an error code. */
  function withRename<T>(refuse: (from: string, to: string) => string | undefined, run: () => Promise<T>): Promise<T> {
    const refusing = (rename: typeof fs.promises.rename) =>
      (async (from: fs.PathLike, to: fs.PathLike) => {
        const code = refuse(String(from), String(to));
        if (code) throw Object.assign(new Error(`${code}: rename refused`), { code });
        return rename(from, to);
      }) as typeof fs.promises.rename;
    return withPatched(fs.promises, 'rename', refusing, run);
  }

  test('to another disk (a rename across devices is refused): the messages are copied, then the old store goes', async () => {
    const from = fresh();
    const to = join(fresh(), 'store');
    const written = seedStore(from, ['a', 'b', 'c']);
    const result = await withRename((f, t) => (f === from && t === to ? 'EXDEV' : undefined), () => moveStore(from, to));
    assert.deepEqual(result, { moved: true, merged: 3 });
    assert.deepEqual(contents(to), written);
    assert.equal(existsSync(from), false);
    assert.deepEqual(readdirSync(join(to, '..')), ['store'], 'nothing set aside is left');
  });

  test('another window moved it a moment before: nothing to do, nothing lost', async () => {
    const from = fresh();
    const to = join(fresh(), 'store');
    const written = seedStore(from, ['a', 'b']);
    assert.deepEqual(await withRename((f) => (f === from ? 'ENOENT' : undefined), () => moveStore(from, to)), { moved: false, merged: 0 });
    assert.deepEqual(contents(from), written);
  });

  test('another window finished the same merge first: the copies made are counted and the move is done', async () => {
    const from = fresh();
    const to = join(fresh(), 'store');
    const written = seedStore(from, ['a', 'b']);
    const result = await withRename((f, t) => (f === from ? (t === to ? 'EXDEV' : 'ENOENT') : undefined), () => moveStore(from, to));
    assert.deepEqual(result, { moved: true, merged: 2 });
    assert.deepEqual(contents(to), written);
  });

  test('any other refusal is an error in its own words, and both stores stay whole', async () => {
    for (const where of ['move', 'set aside'] as const) {
      const from = fresh();
      const to = join(fresh(), 'store');
      const written = seedStore(from, ['a', 'b']);
      // 'move': the rename to the new place is refused; 'set aside': after a copy, renaming the old store aside is.
      const refuse = (f: string, t: string) => (f !== from ? undefined : t === to ? (where === 'move' ? 'EACCES' : 'EXDEV') : where === 'move' ? undefined : 'EACCES');
      await assert.rejects(withRename(refuse, () => moveStore(from, to)), { code: 'EACCES' }, where);
      assert.deepEqual(contents(from), written, where);
    }
  });
  test('a copy cut off before its rename into the new store is left in its tmp/ only; the old store stays whole', async () => {
    const from = fresh();
    const to = fresh();
    const written = seedStore(from, ['a']);
    mkdirSync(to);
    await assert.rejects(withRename((_f, t) => (t.startsWith(join(to, 'Maildir', 'cur')) ? 'EIO' : undefined), () => moveStore(from, to)), { code: 'EIO' });
    assert.deepEqual(readdirSync(join(to, 'Maildir')).sort(), ['cur', 'new', 'tmp']);
    assert.equal(readdirSync(join(to, 'Maildir', 'tmp')).length, 1);
    assert.deepEqual(contents(from), written);
  });
});
