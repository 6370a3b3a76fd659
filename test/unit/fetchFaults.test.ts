/**
 * "Nothing lost, nothing twice" under faults: fetches with delete-right-after-download are cut at
 * random byte offsets by a proxy, then resumed. Invariants after every cut: nothing deleted from
 * the server that is not on disk, no half-written message visible, no message stored twice.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Pop3Error } from '../../src/pop3';
import { fetchMail, type FetchOptions } from '../../src/sync/fetch';
import { startCutProxy } from '../support/cutProxy';
import { startPop3Server } from '../../src/demo/pop3Server';
import { assertNoPartialFiles, assertStoredExactlyOnce, randomMessage, rng, storedFiles } from '../support/mailcheck';

const TRIALS = Number(process.env.FETCH_TRIALS ?? 1000);
const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-faults-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function options(storeRoot: string, port: number, random: () => number): FetchOptions {
  return {
    storeRoot,
    server: {
      host: '127.0.0.1',
      port,
      security: 'none',
      allowInsecureAuth: true,
      credentials: { user: 'alice', password: 'secret', mechanism: 'USER' },
      timeouts: { connectMs: 2000, greetingMs: 2000, responseMs: 2000 },
    },
    policy: { deleteAfterDownload: true },
    batchMessages: 1 + Math.floor(random() * 4),
  };
}

describe('fetch under random connection cuts', () => {
  test(`${TRIALS} randomized cut-and-resume trials keep every message exactly once`, async () => {
    const outcomes = { cutFailed: 0, cutCompleted: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const random = rng(trial + 1);
      const messages = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, i) => randomMessage(random, i));
      const server = await startPop3Server({ messages });
      const original = new Map(server.mailbox.map((m) => [m.uid, m.data]));
      const storeRoot = join(scratch, `t${trial}`);
      const sessionBytes = 300 + messages.reduce((a, m) => a + m.length + 40, 0);
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const proxy = await startCutProxy(server.port, Math.floor(random() * sessionBytes * 1.1));
          try {
            await fetchMail(options(storeRoot, proxy.port, random));
            outcomes.cutCompleted++;
          } catch (err) {
            assert.ok(err instanceof Pop3Error, `trial ${trial}: unexpected ${String(err)}`);
            outcomes.cutFailed++;
          } finally {
            await proxy.close();
          }
          assertNoPartialFiles(storeRoot, original);
          const stored = new Set(storedFiles(storeRoot).map((f) => f.uidl));
          for (const gone of server.deleted) assert.ok(stored.has(gone.uid), `trial ${trial}: ${gone.uid} deleted from the server but not stored`);
          const counts = storedFiles(storeRoot).map((f) => f.uidl);
          assert.equal(new Set(counts).size, counts.length, `trial ${trial}: a message stored twice`);
        }
        await fetchMail(options(storeRoot, server.port, random));
        assertStoredExactlyOnce(storeRoot, original);
        assert.equal(server.mailbox.length, 0, `trial ${trial}: the server still holds messages`);
      } finally {
        await server.close();
        rmSync(storeRoot, { recursive: true, force: true });
      }
    }
    console.log(`# ${TRIALS} trials: ${outcomes.cutFailed} cut fetches failed mid-way, ${outcomes.cutCompleted} completed before the cut`);
    assert.ok(outcomes.cutFailed > TRIALS / 2, 'most cuts should land inside a session');
  });
});
