/**
 * `npm run bench:profile [-- small|real|reallarge]`: where a fetch's CPU time goes. Loads one of the
 * bench's mailboxes into a private Dovecot, runs our fetch (bench/worker.ts, the same job the bench
 * times) under V8's CPU profiler, and prints the functions with the most self time, grouped by
 * where they live (our core, Node's internals, garbage collection), beside the process's user and
 * system CPU seconds. The .cpuprofile is kept for Chrome's DevTools.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot } from '../test/support/dovecot';
import { rng } from '../test/support/mailcheck';
import { realisticMessageOfSize, realisticSizes } from './mailCorpus';

const WORKER = join(__dirname, 'worker.js');
const WORDS = 'mail panel editor message inbox server client fetch store index render quick brown fox'.split(' ');

function uniform(count: number, size: number): Buffer[] {
  const random = rng(7);
  return Array.from({ length: count }, (_, n) => {
    const head = `From: s${n}@example.org\r\nSubject: Benchmark ${n}\r\nMessage-ID: <p-${n}@example.org>\r\n\r\n`;
    let body = '';
    while (head.length + body.length < size) body += `${WORDS[Math.floor(random() * WORDS.length)]} ${body.length % 70 > 64 ? '\r\n' : ''}`;
    return Buffer.from(`${head}${body}\r\n`);
  });
}

const CORPORA: Record<string, () => Buffer[]> = {
  small: () => uniform(1000, 20_000),
  real: () => realisticSizes(11, 1000, 16_000).map((size, i) => realisticMessageOfSize(11, i, size)),
  reallarge: () => Array.from({ length: 200 }, (_, i) => realisticMessageOfSize(12, i, 1_000_000)),
};

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'real';
  const make = CORPORA[which];
  if (!make) throw new Error(`no corpus ${which}: one of ${Object.keys(CORPORA).join(', ')}`);
  const dovecot = await startDovecot(['p']);
  try {
    dovecot.deliver('p', make());
    const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-profile-'));
    const args = JSON.stringify({ port: dovecot.pop3Port, user: 'p', password: dovecot.password, storeRoot: join(scratch, 'store') });
    const run = spawnSync('/usr/bin/time', ['-f', 'USER_S=%U SYS_S=%S MAXRSS_KB=%M', process.execPath, '--cpu-prof', `--cpu-prof-dir=${scratch}`, WORKER, 'ours', args], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    console.log(`fetch of '${which}': ${run.stdout.trim()}\n${/USER_S=\S+ SYS_S=\S+ MAXRSS_KB=\d+/.exec(run.stderr)?.[0] ?? ''}`);
    const file = readdirSync(scratch).find((f) => f.endsWith('.cpuprofile'))!;
    const profile = JSON.parse(readFileSync(join(scratch, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const hits = new Map<number, number>();
    profile.samples.forEach((id, k) => hits.set(id, (hits.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0)));
    const bySelf = new Map<string, number>();
    const byPlace = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const us = hits.get(node.id) ?? 0;
      total += us;
      const { functionName, url, lineNumber } = node.callFrame;
      const place = url.includes('/out/') || url.includes('/src/') ? 'ours' : url.startsWith('node:') ? 'node internals' : url === '' ? functionName || '(native)' : 'dependencies';
      byPlace.set(place, (byPlace.get(place) ?? 0) + us);
      const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
      bySelf.set(key, (bySelf.get(key) ?? 0) + us);
    }
    console.log(`\nprofiled ${(total / 1000).toFixed(0)} ms of the main thread; by where the code lives:`);
    for (const [place, us] of [...byPlace].sort((a, b) => b[1] - a[1])) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${place}`);
    console.log('\nmost self time:');
    for (const [key, us] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms  ${key}`);
    console.log(`\nprofile: ${join(scratch, file)}`);
  } finally {
    await dovecot.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
