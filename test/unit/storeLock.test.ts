import assert from 'node:assert/strict';
// The module object itself: the lock's calls go through fs.promises, which a test may replace for a moment.
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname, tmpdir } from 'node:os';
import { after, describe, test } from 'node:test';
import { acquireLock, LockBusyError } from '../../src/store/lock';
import { withPatched } from '../support/patch';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-lock-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshLock = () => join(mkdtempSync(join(scratch, `l${++n}-`)), 'fetch.lock');
const DEAD_PID = 2 ** 22 + 12345; // above Linux's pid_max: never a running process

/** A lock whose holder is dead: the next taker breaks it. */
const staleLock = (path: string) => writeFileSync(path, JSON.stringify({ pid: DEAD_PID, host: hostname(), since: 0 }));

/** Another breaker's file beside the lock, last changed at `time` (seconds or a Date; now when left out). */
function breakerFile(path: string, time?: number | Date): void {
  writeFileSync(`${path}.break`, '');
  if (time !== undefined) utimesSync(`${path}.break`, time, time);
}

/** Replaces fs.promises.link while `run` runs; `fake` may refuse a link (an error) or stage a race. Returns the links tried. */
async function withLink(fake: (target: string) => Error | undefined, run: () => Promise<void>): Promise<string[]> {
  const tried: string[] = [];
  const faked = (link: typeof fs.promises.link) =>
    (async (from: fs.PathLike, to: fs.PathLike) => {
      tried.push(String(to));
      const error = fake(String(to));
      if (error) throw error;
      return link(from, to);
    }) as typeof fs.promises.link;
  await withPatched(fs.promises, 'link', faked, run);
  return tried;
}

describe('fetch lock: stale, foreign and garbled locks', () => {
  test('two takers of a stale lock at once never both hold it', async () => {
    for (let round = 0; round < 200; round++) {
      const path = freshLock();
      staleLock(path);
      const results = await Promise.allSettled([acquireLock(path), acquireLock(path), acquireLock(path)]);
      const held = results.filter((r) => r.status === 'fulfilled');
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof LockBusyError, `round ${round}: ${String(r.reason)}`);
      assert.equal(held.length, 1, `round ${round}: ${held.length} takers hold the lock at once`);
      await (held[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    }
  });

  test('a holder on another machine is never broken, even when its process id is not running here', async () => {
    const path = freshLock();
    writeFileSync(path, JSON.stringify({ pid: DEAD_PID, host: `not-${hostname()}`, since: Date.UTC(2026, 0, 1, 9) }));
    const error = await acquireLock(path).then(
      () => assert.fail('took a lock held on another machine'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof LockBusyError);
    assert.match(error.message, new RegExp(`process ${DEAD_PID} since`), 'the message names the holder');
    assert.ok(existsSync(path));
  });

  test('a lock left empty or garbled by a crash does not block fetching for ever', async () => {
    for (const text of ['', '{"pid":', 'null', '{}', '{"pid":"x","host":3}', '{"pid":7}', `{"pid":"${process.pid}","host":"${hostname()}"}`, `{"pid":${process.pid},"host":7}`]) {
      const path = freshLock();
      writeFileSync(path, text);
      const lock = await acquireLock(path);
      await lock.release();
      assert.ok(!existsSync(path));
    }
  });

  test('a live holder\'s lock is refused in words: what holds it, which process, since when', async () => {
    const path = freshLock();
    const since = Date.UTC(2026, 10, 24, 9, 30);
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), since }));
    const fetchError = await acquireLock(path).catch((e: unknown) => e);
    assert.ok(fetchError instanceof LockBusyError);
    assert.equal(fetchError.message, `Another fetch of this account is running (process ${process.pid} since ${new Date(since).toLocaleTimeString()}).`);
    assert.deepEqual(fetchError.holder, { pid: process.pid, host: hostname(), since });
    const indexError = await acquireLock(path, 'Another window\'s search index').catch((e: unknown) => e);
    assert.match(String((indexError as Error).message), /^Another window's search index is running \(process/);
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname() })); // no time: the holder still counts
    const untimed = await acquireLock(path).catch((e: unknown) => e);
    assert.ok(untimed instanceof LockBusyError && untimed.holder.since === 0);
  });

  test('the lock is private to its user, and no temporary or breaker file stays behind', async () => {
    const path = freshLock();
    staleLock(path);
    const lock = await acquireLock(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dirname(path)), ['fetch.lock']);
    await assert.rejects(acquireLock(path), LockBusyError);
    assert.deepEqual(readdirSync(dirname(path)), ['fetch.lock'], 'a refused taker cleans up too');
    await lock.release();
    assert.deepEqual(readdirSync(dirname(path)), []);
  });

  test('releasing a lock that is already gone is not an error', async () => {
    const path = freshLock();
    const lock = await acquireLock(path);
    rmSync(path);
    await lock.release();
  });

  // As root every process may be signalled; another user's process answers EPERM, which says it is alive.
  test("a holder that is another user's running process (EPERM to a signal) is alive: its lock is not broken", async () => {
    const path = freshLock();
    staleLock(path);
    const otherUsers = (kill: typeof process.kill) =>
      ((pid: number, signal?: string | number) => {
        if (pid !== DEAD_PID) return kill(pid, signal);
        throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
      }) as typeof process.kill;
    await withPatched(process, 'kill', otherUsers, () => assert.rejects(acquireLock(path), (e: unknown) => e instanceof LockBusyError && e.holder.pid === DEAD_PID));
    assert.ok(existsSync(path), 'the lock is left to its holder');
  });

  test('a breaker that died at its work does not stop the next fetch', async () => {
    const path = freshLock();
    staleLock(path);
    breakerFile(path, new Date(Date.now() - 60_000));
    const lock = await acquireLock(path);
    await lock.release();
    assert.deepEqual(readdirSync(dirname(path)), []);
  });
  test('a dead breaker that another taker removes while we look at it: no error, the lock is taken', async () => {
    const path = freshLock();
    staleLock(path);
    breakerFile(path, new Date(Date.now() - 60_000));
    const removedMeanwhile = (stat: typeof fs.promises.stat) =>
      (async (target: fs.PathLike) => {
        const found = await stat(target);
        if (String(target) === `${path}.break`) rmSync(target); // the other taker got there first
        return found;
      }) as typeof fs.promises.stat;
    await withPatched(fs.promises, 'stat', removedMeanwhile, async () => (await acquireLock(path)).release());
  });

  // The race the breaker lock exists for: between our reading the stale lock and our turn to break it, another
  // breaker broke it and a live taker took the lock. What we would remove is then that taker's lock.
  test('a lock that changed hands before our turn to break it is not removed: its new holder keeps it', async () => {
    const path = freshLock();
    staleLock(path);
    const live = JSON.stringify({ pid: process.pid, host: hostname(), since: 1 });
    const takenMeanwhile = (to: string) => void (to === `${path}.break` && writeFileSync(path, live)); // broken and taken meanwhile
    await withLink(takenMeanwhile, () => assert.rejects(acquireLock(path), (e: unknown) => e instanceof LockBusyError && e.holder.since === 1));
    assert.equal(readFileSync(path, 'utf8'), live);
  });

  test('a breaker at work (its file fresh) is left to finish: the stale lock is not broken under it', async () => {
    const path = freshLock();
    staleLock(path);
    breakerFile(path);
    await assert.rejects(acquireLock(path), /keeps changing hands/);
    assert.ok(existsSync(`${path}.break`), "the other breaker's file stays");
    assert.ok(existsSync(path), 'the stale lock is left to that breaker');
  });

  test('a taker that meets a breaker at work waits between tries, and takes the lock once that breaker is done', async () => {
    const path = freshLock();
    staleLock(path);
    breakerFile(path);
    const done = new Promise<void>((resolve) =>
      setTimeout(() => {
        rmSync(path); // the other breaker removed the stale lock, then its own file
        rmSync(`${path}.break`);
        resolve();
      }, 150),
    );
    const lock = await acquireLock(path); // twenty tries spread over about a second, not spent at once
    await done;
    await lock.release();
  });

  test('a breaker is taken for dead only once its file is more than 10 s old', async (t) => {
    const now = Math.floor(Date.now() / 1000) * 1000; // whole seconds: the file's time is then exact
    t.mock.timers.enable({ apis: ['Date'], now });
    for (const [ageMs, broken] of [
      [10_000, false],
      [10_001, true],
    ] as const) {
      const path = freshLock();
      staleLock(path);
      breakerFile(path, (now - ageMs) / 1000);
      const taking = acquireLock(path);
      if (broken) await (await taking).release();
      else await assert.rejects(taking, /keeps changing hands/, `a breaker ${ageMs} ms old is at work`);
    }
  });
});

describe('fetch lock: what the file system refuses', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: refused`), { code });

  test('a folder where the lock file should be is not broken: the error says what it is', async () => {
    const path = freshLock();
    mkdirSync(path);
    await assert.rejects(acquireLock(path), { code: 'EISDIR' });
    assert.ok(statSync(path).isDirectory());
  });

  test('a file system without hard links fails the lock at once with its own error', async () => {
    const path = freshLock();
    const tried = await withLink(() => errno('EPERM'), () => assert.rejects(acquireLock(path), { code: 'EPERM' }));
    assert.deepEqual(tried, [path], 'one try: the error is not taken for a lock held by someone');
    assert.deepEqual(readdirSync(dirname(path)), [], 'the temporary file goes');
  });

  test('a breaker refused its link by the file system fails with that error, and leaves the stale lock', async () => {
    const path = freshLock();
    staleLock(path);
    await withLink((to) => (to.endsWith('.break') ? errno('EPERM') : undefined), () => assert.rejects(acquireLock(path), { code: 'EPERM' }));
    assert.deepEqual(readdirSync(dirname(path)), ['fetch.lock']);
  });

  test('a lock that is gone each time it is read, twenty times over, is given up in words', async () => {
    const path = freshLock();
    const tried = await withLink(() => errno('EEXIST'), () => assert.rejects(acquireLock(path), new RegExp(`Could not take the lock ${path}: it keeps changing hands`)));
    assert.deepEqual(tried, Array(20).fill(path), 'twenty tries at the lock, and no breaker for a lock that is not there');
  });
});
