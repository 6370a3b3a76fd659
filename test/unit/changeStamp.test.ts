import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { stampChange, watchChanges } from '../../src/store/changeStamp';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-stamp-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('two windows on one store', () => {
  test("a window hears the other's changes and not its own", async () => {
    const root = join(scratch, 'store');
    mkdirSync(root);
    const heard: string[] = [];
    let hear: () => void = () => undefined;
    const a = watchChanges(root, 'window-a', () => (heard.push('a'), hear()), 20)!;
    const b = watchChanges(root, 'window-b', () => (heard.push('b'), hear()), 20)!;
    try {
      const next = () => new Promise<void>((resolve) => (hear = resolve));
      let heardOne = next();
      await stampChange(root, 'window-a');
      await heardOne;
      assert.deepEqual(heard, ['b'], 'b hears a; a does not hear itself');
      heardOne = next();
      await stampChange(root, 'window-b');
      await heardOne;
      assert.deepEqual(heard, ['b', 'a']);
    } finally {
      a.close();
      b.close();
    }
  });

  // These two wait out a span in which nothing may happen: a re-read of the store that is not needed.
  test('other files changing in the store folder are not a change by another window', async () => {
    const root = join(scratch, 'others');
    mkdirSync(root);
    let heard = 0;
    let hear: () => void = () => undefined;
    const b = watchChanges(root, 'window-b', () => (heard++, hear()), 20)!;
    try {
      const next = () => new Promise<void>((resolve) => (hear = resolve));
      let heardOne = next();
      await stampChange(root, 'window-a');
      await heardOne;
      writeFileSync(join(root, 'index'), 'not a stamp'); // the stamp still names window-a
      await sleep(300);
      heardOne = next();
      await stampChange(root, 'window-a');
      await heardOne;
      assert.equal(heard, 2, 'one re-read per stamp, none for the other file');
    } finally {
      b.close();
    }
  });

  test('a change heard just before the watch is closed is not reported after it', async () => {
    const root = join(scratch, 'closing');
    mkdirSync(root);
    let heard = 0;
    const b = watchChanges(root, 'window-b', () => heard++, 100)!;
    const witness = watch(root); // hears the stamp when b does: b's re-read is then pending
    await Promise.all([once(witness, 'change'), stampChange(root, 'window-a')]);
    witness.close();
    b.close();
    await sleep(300);
    assert.equal(heard, 0);
  });

  test('a folder that does not exist yet cannot be watched, and says so', () => {
    assert.equal(watchChanges(join(scratch, 'missing'), 'w', () => undefined), undefined);
  });
});
