/**
 * The order of the store's durable steps, recorded at the file-system calls: data is fsynced
 * before it is renamed into place, the directory after the rename, and only then is the message
 * recorded in the journal (fsynced too), so a power cut never leaves a record of mail that is not
 * on disk. A crash test cannot see a missing fsync (the page cache survives a killed process);
 * these can.
 */
import assert from 'node:assert/strict';
// The module object itself (a namespace import is a read-only copy): the store's calls go through it.
import fs from 'node:fs';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, afterEach, beforeEach, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { fsyncDir, writeFileAtomic } from '../../src/store/fsutil';
import { moveStore } from '../../src/store/location';
import { LocalFolder } from '../../src/store/localFolder';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-durable-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => join(scratch, `d${++n}`);

/** File-system calls as they happen: "fsync <file>", "rename <to>", "write <file>", by base name. */
let events: string[] = [];
const restore: Array<() => void> = [];

function patch<T extends object, K extends keyof T>(target: T, key: K, wrap: (original: T[K]) => T[K]): void {
  const original = target[key];
  target[key] = wrap(original);
  restore.push(() => (target[key] = original));
}

beforeEach(async () => {
  events = [];
  const names = new Map<number, string>(); // fd -> base name, for calls that take a descriptor
  patch(fs, 'openSync', (original) => ((path: fs.PathLike, ...rest: unknown[]) => {
    const fd = (original as (...a: unknown[]) => number)(path, ...rest);
    names.set(fd, basename(String(path)));
    return fd;
  }) as typeof fs.openSync);
  patch(fs, 'open', (original) => ((path: fs.PathLike, ...rest: unknown[]) => {
    const callback = rest.pop() as (err: NodeJS.ErrnoException | null, fd: number) => void;
    (original as (...a: unknown[]) => void)(path, ...rest, (err: NodeJS.ErrnoException | null, fd: number) => {
      if (!err) names.set(fd, basename(String(path)));
      callback(err, fd);
    });
  }) as typeof fs.open);
  patch(fs, 'fsync', (original) => ((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
    events.push(`fsync ${names.get(fd) ?? fd}`);
    original(fd, callback);
  }) as typeof fs.fsync);
  patch(fs, 'renameSync', (original) => ((from: fs.PathLike, to: fs.PathLike) => {
    events.push(`rename ${basename(String(to))}`);
    original(from, to);
  }) as typeof fs.renameSync);
  patch(fs.promises, 'rename', (original) => (async (from: fs.PathLike, to: fs.PathLike) => {
    await original(from, to);
    events.push(`rename ${basename(String(to))}`);
  }) as typeof fs.promises.rename);
  // A FileHandle's path is not public: remember it from open.
  const handles = new WeakMap<object, string>();
  patch(fs.promises, 'open', (original) => (async (path: fs.PathLike, ...rest: unknown[]) => {
    const handle = await (original as (...a: unknown[]) => Promise<fs.promises.FileHandle>)(path, ...rest);
    handles.set(handle, basename(String(path)));
    return handle;
  }) as typeof fs.promises.open);
  const probe = await fs.promises.open(scratch, 'r');
  const FileHandle = Object.getPrototypeOf(probe) as fs.promises.FileHandle;
  await probe.close();
  patch(FileHandle, 'sync', (original) => async function (this: fs.promises.FileHandle) {
    await original.call(this);
    events.push(`fsync ${handles.get(this)}`);
  });
  patch(FileHandle, 'write', (original) => async function (this: fs.promises.FileHandle, ...args: unknown[]) {
    const result = await (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    events.push(`write ${handles.get(this)}`);
    return result;
  } as typeof original);
});

afterEach(() => {
  while (restore.length) restore.pop()!();
});

describe('durable steps, in order', () => {
  test('a delivered message is fsynced, renamed into new/, the directory fsynced, then journaled and the journal fsynced', async () => {
    const store = await AccountStore.open(freshRoot(), { pop3State: true });
    const delivery = store.startDelivery('uidl-1');
    delivery.write(Buffer.from('Subject: hello\r\n\r\nbody\r\n'));
    events = [];
    await store.commit([delivery]);
    const file = readdirSync(join(store.maildir, 'new'))[0];
    assert.deepEqual(events, [`fsync ${delivery.id}.part`, `rename ${file}`, 'fsync new', `write ${events[3]?.slice(6)}`, `fsync ${events[3]?.slice(6)}`]);
    assert.match(events[3], /^write \S*journal\S*$/, 'the record goes to the journal');
    await store.close();
  });

  test('a file replaced atomically is fsynced before the rename and its directory after', async () => {
    const dir = freshRoot();
    fs.mkdirSync(dir);
    const path = join(dir, 'index.json');
    await writeFileAtomic(path, 'new contents');
    assert.equal(events.length, 3, events.join(', '));
    assert.match(events[0], /^fsync \..*\.tmp$/);
    assert.equal(events[1], 'rename index.json');
    assert.equal(events[2], `fsync ${basename(dir)}`);
    assert.equal(readFileSync(path, 'utf8'), 'new contents');
    assert.deepEqual(readdirSync(dir), ['index.json'], 'no temporary file stays behind');
  });

  test('the durable steps leave no descriptor open', async () => {
    const dir = freshRoot();
    fs.mkdirSync(dir);
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) {
      await fsyncDir(dir);
      await writeFileAtomic(join(dir, 'state.json'), `{"n":${i}}`);
    }
    assert.equal(open(), before);
  });

  test('fsyncDir fsyncs the directory itself', async () => {
    const dir = freshRoot();
    fs.mkdirSync(dir);
    await fsyncDir(dir);
    assert.deepEqual(events, [`fsync ${basename(dir)}`]);
  });
  test('a merge fsyncs each copy before renaming it into cur/, and cur/ before the old store is set aside', async () => {
    const from = freshRoot();
    const to = freshRoot();
    const source = await AccountStore.open(from, { pop3State: true });
    const delivery = source.startDelivery('uidl-1');
    delivery.write(Buffer.from('Subject: moved\r\n\r\nbody\r\n'));
    await source.commit([delivery]);
    await source.close();
    fs.mkdirSync(to); // exists: a merge, not one rename
    events = [];
    assert.deepEqual(await moveStore(from, to), { moved: true, merged: 1 });
    const [file] = readdirSync(join(to, 'Maildir', 'cur'));
    const steps = events.filter((e) => e.includes(delivery.id) || e === 'fsync cur' || e.includes('.moved-'));
    assert.deepEqual(steps, [`fsync ${delivery.id}.merge`, `rename ${file}`, 'fsync cur', `rename ${basename(from)}.moved-${process.pid}`]);
  });

  test('a local folder fsyncs cur/ after a write in place, a move out and a removal', async () => {
    const dir = join(freshRoot(), '.Sent');
    const folder = await LocalFolder.open(dir);
    const message = (subject: string) => Buffer.from(`Subject: ${subject}\r\n\r\nbody\r\n`);
    const id = await folder.write(message('one'));
    const other = await folder.write(message('two'));
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['write in place', () => folder.write(message('one again'), id, 'S')],
      ['move out', () => folder.release(id, join(dir, 'released'))],
      ['removal', () => folder.remove(other)],
    ];
    for (const [name, step] of steps) {
      events = [];
      await step();
      assert.equal(events.filter((e) => e === 'fsync cur').length, 1, `${name}: ${events.join(', ')}`);
    }
  });
  test('completing a headers-only copy that was read, and Empty Trash, fsync cur/ where they change it', async () => {
    const store = await AccountStore.open(freshRoot(), { pop3State: true });
    const head = store.startDelivery('uidl-1', 400);
    head.write(Buffer.from('Subject: long\r\n\r\n'));
    await store.commit([head]);
    await store.markSeen([head.id]); // to cur/
    const whole = store.startDelivery('uidl-1');
    whole.write(Buffer.from(`Subject: long\r\n\r\n${'x'.repeat(380)}\r\n`));
    events = [];
    await store.commit([whole]);
    assert.ok(events.includes('fsync cur'), `completing: ${events.join(', ')}`);
    await store.close();
    const reader = await AccountStore.open(store.root);
    await reader.trash([head.id]);
    events = [];
    await reader.emptyTrash();
    assert.ok(events.includes('fsync cur'), `Empty Trash: ${events.join(', ')}`);
  });
});
