/**
 * Mail a fetch stores, on its way into the search index (src/search/indexer.ts, Arrivals): not
 * indexed beside a short fetch, which it would slow, but all of it once the fetch ends; a long
 * fetch's small mail every few seconds; large messages only after the fetch.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Arrivals, LARGE_ARRIVAL_BYTES } from '../../src/search/indexer';
import type { StoredFile } from '../../src/store/accountStore';

const file = (id: string, size = 2_000): StoredFile => ({ id, path: `/store/Maildir/new/${id}`, size });

describe('mail a fetch stores, on its way into the index', () => {
  test('a short fetch: nothing is indexed beside it, all of it once it ends, in one go', () => {
    const indexed: string[][] = [];
    const arrivals = new Arrivals((files) => indexed.push(files.map((f) => f.id)), 60_000);
    arrivals.stored([file('a'), file('b')]);
    arrivals.stored([file('big', LARGE_ARRIVAL_BYTES), file('c')]);
    assert.deepEqual(indexed, [], 'nothing while the fetch goes on');
    arrivals.fetchEnded();
    assert.deepEqual(indexed, [['a', 'b', 'c', 'big']]);
    arrivals.fetchEnded();
    assert.equal(indexed.length, 1, 'nothing twice');
  });

  test('a long fetch: its small mail is indexed while it goes on, its large mail once it ends', async () => {
    const indexed: string[][] = [];
    let wakeUp = () => {};
    const arrivals = new Arrivals((files) => {
      indexed.push(files.map((f) => f.id));
      wakeUp();
    }, 20);
    const firstRound = new Promise<void>((resolve) => (wakeUp = resolve));
    arrivals.stored([file('a'), file('big', 5_000_000)]);
    arrivals.stored([file('b')]);
    await firstRound; // the fetch has not ended
    assert.deepEqual(indexed, [['a', 'b']]);
    arrivals.stored([file('c')]);
    arrivals.fetchEnded();
    assert.deepEqual(indexed, [['a', 'b'], ['c', 'big']]);
  });

  test('a window closed meanwhile drops what waits (the next update finds it missing)', async () => {
    const indexed: string[][] = [];
    const arrivals = new Arrivals((files) => indexed.push(files.map((f) => f.id)), 1);
    arrivals.stored([file('a')]);
    arrivals.dispose();
    await new Promise((resolve) => setTimeout(resolve, 20));
    arrivals.fetchEnded();
    assert.deepEqual(indexed, []);
  });
});
