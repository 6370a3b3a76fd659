import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
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

  test('a folder that does not exist yet cannot be watched, and says so', () => {
    assert.equal(watchChanges(join(scratch, 'missing'), 'w', () => undefined), undefined);
  });
});
