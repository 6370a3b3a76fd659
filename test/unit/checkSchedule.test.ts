/**
 * Automatic checks on one schedule for every window: a fetch records when it checked, each window's
 * timers go by that record, an overdue account is checked once a window opens, and none is checked
 * twice in an interval because two windows are open. The unread count without opening a store.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { CheckScheduler, checkDelay, readLastCheck, recordCheck, type ScheduledAccount } from '../../src/sync/checkSchedule';
import { fetchMail } from '../../src/sync/fetch';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';

const { freshRoot, serve } = scriptedFixture('schedule');
const MIN = 60_000;
const INTERVAL = 10 * MIN;

/** A scheduler on a clock and timers the test moves by hand. */
function manualScheduler(check: (id: string) => Promise<unknown>) {
  const clock = { now: 1_000_000_000 };
  const timers: Array<{ run: () => Promise<void>; at: number; cleared: boolean }> = [];
  const known = new Map<string, number>();
  const scheduler = new CheckScheduler(check, {
    soonestMs: 3000,
    now: () => clock.now,
    onKnown: (id, at) => known.set(id, at),
    setTimer: (run, ms) => {
      const timer = { run, at: clock.now + ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => ((timer as { cleared: boolean }).cleared = true),
  });
  const pending = () => timers.filter((t) => !t.cleared);
  /** The one timer armed, as a delay from now. */
  const armed = () => {
    assert.equal(pending().length, 1, 'one timer per account');
    return pending()[0].at - clock.now;
  };
  /** Moves the clock to the timer and runs it, with all it awaits. */
  const fire = async (settled: () => boolean) => {
    const timer = pending()[0];
    timer.cleared = true;
    clock.now = timer.at;
    await timer.run();
    assert.ok(settled(), 'the timer did its work');
  };
  return { clock, scheduler, armed, fire, pending, known };
}

describe('when an account is next checked', () => {
  test('a check is due one interval after the last, never sooner than the window settles, never later than an interval', () => {
    assert.equal(checkDelay(1000, 1000 + 2 * MIN, INTERVAL, 3000), 8 * MIN);
    assert.equal(checkDelay(0, 5 * INTERVAL, INTERVAL, 3000), 3000, 'overdue: once the window has settled');
    assert.equal(checkDelay(10 * INTERVAL, 0, INTERVAL, 3000), INTERVAL, 'a stamp from the future (clock set back) holds off no more than an interval');
  });

  test('the stamp reads back; a damaged or missing one reads as never', async () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    assert.equal(await readLastCheck(root), undefined);
    await recordCheck(root, 1_700_000_000_123);
    assert.equal(await readLastCheck(root), 1_700_000_000_123);
    for (const text of ['', 'soon\n', '17e11\n', '-5\n', '1'.repeat(40)]) {
      writeFileSync(join(root, 'last-check'), text);
      assert.equal(await readLastCheck(root), undefined, JSON.stringify(text));
    }
  });

  test('a fetch records its check as it starts, and so does one the server refuses', async () => {
    const root = freshRoot();
    const before = Date.now();
    await fetchMail({ storeRoot: root, server: scriptedLogin(await serve({ messages: [mail('one')] })) });
    const first = await readLastCheck(root);
    assert.ok(first !== undefined && first >= before && first <= Date.now(), `stamp ${first}`);
    const refusing = await serve({ messages: [mail('one')], intercept: (cmd, s) => (cmd.startsWith('PASS') ? (s.write('-ERR [AUTH] no\r\n'), true) : false) });
    await assert.rejects(fetchMail({ storeRoot: root, server: scriptedLogin(refusing), now: () => first + 5 * MIN }));
    assert.equal(await readLastCheck(root), first + 5 * MIN, 'a server that is down is tried once an interval, not once per window');
  });
});

describe('one window\'s timers', () => {
  const account = (storeRoot: string, intervalMs = INTERVAL): ScheduledAccount => ({ id: 'a', intervalMs, storeRoot });

  test('an account checked a night ago is checked once the window has settled, then an interval later', async () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    const checks: number[] = [];
    const t = manualScheduler(async () => {
      checks.push(t.clock.now);
      await recordCheck(root, t.clock.now); // as fetchMail does
    });
    await recordCheck(root, t.clock.now - 12 * 60 * MIN);
    await t.scheduler.plan([account(root)]);
    assert.equal(t.armed(), 3000);
    assert.equal(t.known.get('a'), t.clock.now - 12 * 60 * MIN, 'the tree hears of the last check');
    await t.fire(() => checks.length === 1 && t.pending().length === 1);
    assert.equal(t.armed(), INTERVAL);
    await t.fire(() => checks.length === 2 && t.pending().length === 1);
    assert.equal(checks[1] - checks[0], INTERVAL);
  });

  test('a check another window made meanwhile puts this window\'s off: no second check in the interval', async () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    const checks: number[] = [];
    const t = manualScheduler(async () => void checks.push(t.clock.now));
    await recordCheck(root, t.clock.now - 4 * MIN);
    await t.scheduler.plan([account(root)]);
    assert.equal(t.armed(), 6 * MIN);
    await recordCheck(root, t.clock.now + 5 * MIN); // the other window, a minute before this one's timer
    await t.fire(() => t.pending().length === 1);
    assert.deepEqual(checks, []);
    assert.equal(t.armed(), 9 * MIN, 'due an interval after the other window\'s check');
  });

  test('an account never checked waits an interval from when the window saw it (its setup fetches it); one that could not be checked waits an interval too', async () => {
    const root = freshRoot();
    const checks: number[] = [];
    const t = manualScheduler(async () => void checks.push(t.clock.now)); // records nothing: no password, say
    await t.scheduler.plan([account(root)]);
    assert.equal(t.armed(), INTERVAL);
    await t.fire(() => checks.length === 1 && t.pending().length === 1);
    assert.equal(t.armed(), INTERVAL, 'tried here: not again at once');
  });

  test('a window that slept: its timer may not have counted the night; focused again, an overdue account is checked once it settles', async () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    const checks: number[] = [];
    const t = manualScheduler(async () => void checks.push(t.clock.now));
    await recordCheck(root, t.clock.now);
    await t.scheduler.plan([account(root)]);
    assert.equal(t.armed(), INTERVAL);
    t.clock.now += 60 * MIN; // asleep: the timer has not fired
    await t.scheduler.wake();
    assert.equal(t.armed(), 3000);
    await t.fire(() => checks.length === 1);
    t.clock.now += MIN;
    await t.scheduler.wake(); // focused again a minute later: not due
    assert.equal(checks.length, 1);
    assert.equal(t.armed(), INTERVAL - MIN);
  });

  test('new settings replace the timers: an old timer does nothing, an interval of 0 arms none', async () => {
    const root = freshRoot();
    mkdirSync(root, { recursive: true });
    const checks: string[] = [];
    const t = manualScheduler(async (id) => void checks.push(id));
    await recordCheck(root, t.clock.now - INTERVAL);
    await t.scheduler.plan([account(root)]);
    const old = t.pending()[0];
    await t.scheduler.plan([account(root, 0)]);
    assert.equal(t.pending().length, 0, 'an interval of 0 arms none');
    await old.run(); // a timer that fired as it was cleared
    assert.deepEqual(checks, []);
    await t.scheduler.plan([account(root)]);
    const current = t.pending()[0];
    await old.run(); // and once more, now that a new plan has armed its own
    t.scheduler.stop();
    assert.ok(current.cleared, 'the old timer left the new one in place, to be cleared');
    assert.deepEqual(checks, []);
  });
});

describe('the unread count of a store not opened', () => {
  test('counts what the open store counts: new, not seen, not in Trash; names of other programs as the store reads them', async () => {
    const root = freshRoot();
    await fetchMail({ storeRoot: root, server: scriptedLogin(await serve({ messages: Array.from({ length: 6 }, (_, i) => mail(`m${i}`)) })) });
    const store = await AccountStore.open(root);
    const ids = store.list().map((m) => m.id);
    await store.markSeen([ids[0], ids[1]], true);
    await store.trash([ids[2]]);
    const cur = join(root, 'Maildir', 'cur');
    for (const name of ['.hidden:2,', ',S=5:2,', ':2,', ':2,S']) writeFileSync(join(cur, name), mail('x')); // names the store does not take
    writeFileSync(join(cur, 'another-program:2,FS'), mail('read elsewhere'));
    writeFileSync(join(root, 'Maildir', 'new', '1700000000.M1P2.otherhost'), mail('from another program'));
    mkdirSync(join(cur, 'a-folder:2,'));
    const reopened = await AccountStore.open(root);
    assert.equal(await AccountStore.countUnread(root), reopened.unreadCount());
    assert.equal(reopened.unreadCount(), 4, 'three of ours unread and one another program delivered');
    renameSync(join(root, 'Maildir'), join(root, 'gone'));
    assert.equal(await AccountStore.countUnread(root), 0, 'no Maildir: nothing unread, no error');
  });
});
