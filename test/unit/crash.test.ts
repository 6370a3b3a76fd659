/**
 * Crash safety: a fetch in a child process is killed with SIGKILL at random moments. Afterwards
 * the store opens cleanly, no partial message is visible, and the next fetch completes with
 * nothing lost or duplicated — and nothing was deleted from the server that is not on disk.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AccountStore } from '../../src/store/accountStore';
import { fetchMail } from '../../src/sync/fetch';
import { startPop3Server } from '../../src/demo/pop3Server';
import { assertNoPartialFiles, assertStoredExactlyOnce, randomMessage, rng, storedFiles } from '../support/mailcheck';

const KILLS = Number(process.env.CRASH_KILLS ?? 100);
const CHILD = join(__dirname, '..', 'support', 'fetchChild.js');
const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-crash-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs a child fetch and kills it once it has stored `afterStored` messages, `delayMs` later
 * (so kills land inside batches and writes, not only at commit boundaries).
 */
function runChild(port: number, storeRoot: string, afterStored: number, delayMs: number): Promise<'killed' | 'exited'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, String(port), storeRoot], { stdio: ['ignore', 'pipe', 'ignore'] });
    let timer: NodeJS.Timeout | undefined;
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      const stored = Number(/stored (\d+)\n(?![\s\S]*stored)/.exec(text)?.[1] ?? (text.includes('fetching') ? 0 : -1));
      if (!timer && stored >= afterStored) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'exited');
    });
  });
}

describe('crash safety', () => {
  test(`${KILLS} fetches killed with SIGKILL at random moments lose and duplicate nothing`, async () => {
    const random = rng(4242);
    let killed = 0;
    const storedAtKill: number[] = [];
    // Until KILLS children were killed mid-fetch (a child that finishes first does not count), bounded.
    let round = 0;
    for (; killed < KILLS && round < KILLS * 3; round++) {
      const messages = Array.from({ length: 120 }, (_, i) => randomMessage(random, i));
      const server = await startPop3Server({ messages });
      const original = new Map(server.mailbox.map((m) => [m.uid, m.data]));
      const storeRoot = join(scratch, `r${round}`);
      try {
        // A random point of progress (0-119 messages stored), then 0-4 ms more.
        if ((await runChild(server.port, storeRoot, Math.floor(random() * 120), Math.floor(random() * 5))) === 'killed') killed++;
        await new Promise((r) => setTimeout(r, 20)); // let the fake server see the dropped socket
        const store = await AccountStore.open(storeRoot); // opens cleanly after the crash
        await store.close();
        assertNoPartialFiles(storeRoot, original);
        const stored = new Set(storedFiles(storeRoot).map((f) => f.uidl));
        storedAtKill.push(stored.size);
        for (const gone of server.deleted) assert.ok(stored.has(gone.uid), `round ${round}: ${gone.uid} deleted but not on disk`);
        await fetchMail({
          storeRoot,
          server: { host: '127.0.0.1', port: server.port, security: 'none', allowInsecureAuth: true, credentials: { user: 'alice', password: 'secret', mechanism: 'USER' } },
          policy: { deleteAfterDownload: true },
        });
        assertStoredExactlyOnce(storeRoot, original);
        assert.equal(server.mailbox.length, 0);
      } finally {
        await server.close();
        rmSync(storeRoot, { recursive: true, force: true });
      }
    }
    storedAtKill.sort((a, b) => a - b);
    const quartiles = [0, 0.25, 0.5, 0.75, 1].map((q) => storedAtKill[Math.min(storedAtKill.length - 1, Math.floor(q * storedAtKill.length))]);
    console.log(`# ${round} child fetches: ${killed} killed mid-run, ${round - killed} finished first; messages stored at the kill (of 120), min/q1/median/q3/max: ${quartiles.join('/')}`);
    assert.ok(killed >= KILLS, `only ${killed} of ${round} children were killed mid-run`);
  });
});
