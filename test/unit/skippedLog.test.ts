import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { GIVE_UP_AFTER, SkippedLog } from '../../src/store/skipped';

const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-skipped-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const freshRoot = () => {
  const root = join(scratch, `s${++n}`);
  mkdirSync(root);
  return root;
};
const failure = (key: string) => ({ key, uid: `uid-${key}`, size: 41, reason: 'The server refused RETR', lastTried: 1 });

describe('messages a fetch could not download', () => {
  test('a log with damaged entries keeps the good ones and drops the rest', async () => {
    const root = freshRoot();
    const good = { ...failure('k1'), attempts: 2 };
    writeFileSync(join(root, 'skipped.json'), JSON.stringify({ version: 1, skipped: [null, 7, {}, { key: 5 }, good] }));
    const log = await SkippedLog.load(root);
    assert.deepEqual(log.list(), [good]);
    writeFileSync(join(root, 'skipped.json'), JSON.stringify({ version: 2, skipped: [good] }));
    assert.deepEqual((await SkippedLog.load(root)).list(), [], 'another version is not read as this one');
  });

  test('attempts count up to giving up, and survive a restart', async () => {
    const root = freshRoot();
    const log = await SkippedLog.load(root);
    for (let i = 1; i <= GIVE_UP_AFTER; i++) {
      assert.equal(log.gaveUp('k'), false);
      assert.equal(log.failed(failure('k')).attempts, i);
    }
    assert.equal(log.gaveUp('k'), true);
    await log.save();
    const again = await SkippedLog.load(root);
    assert.equal(again.get('k')?.attempts, GIVE_UP_AFTER);
    assert.equal(again.gaveUp('k'), true);
  });

  test('the log is written only when it changed', async () => {
    const root = freshRoot();
    const path = join(root, 'skipped.json');
    const log = await SkippedLog.load(root);
    await log.save();
    assert.ok(!existsSync(path), 'nothing to save: no file');
    log.failed(failure('k'));
    await log.save();
    assert.ok(existsSync(path));
    rmSync(path);
    await log.save();
    assert.ok(!existsSync(path), 'saved again though nothing changed');
    log.forget(['not-there']);
    await log.save();
    assert.ok(!existsSync(path), 'forgetting an unknown key is no change');
    log.forget(['k']);
    await log.save();
    assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).skipped, []);
  });

  test('a save that fails is tried again by the next one', async () => {
    const root = freshRoot();
    const log = await SkippedLog.load(root);
    log.failed(failure('k'));
    rmSync(root, { recursive: true });
    await assert.rejects(log.save());
    mkdirSync(root);
    await log.save();
    assert.equal(JSON.parse(readFileSync(join(root, 'skipped.json'), 'utf8')).skipped[0].key, 'k');
  });
});
