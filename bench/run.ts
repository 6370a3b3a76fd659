/**
 * `npm run bench`: Mail Panel's fetch against its peers, in one run, on this machine.
 * Loads seeded mailboxes into a private Dovecot on 127.0.0.1 and runs each client as a process
 * of its own (wall time measured around it, peak RSS by /usr/bin/time): our full fetch into the
 * durable, indexed Maildir store; a bare pipelined reader that stores nothing (the ceiling);
 * fetchmail and getmail6 when installed. Prints a table with ratios and writes bench/results.json.
 * No assertions: speed goals are judged from these figures, never by timed tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pop3Client } from '../src/pop3';
import { AccountStore } from '../src/store/accountStore';
import { fileName, newMessageId } from '../src/store/maildir';
import { startDovecot, type Dovecot } from '../test/support/dovecot';
import { rng } from '../test/support/mailcheck';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(__dirname, 'worker.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TIME = '/usr/bin/time';
const WORDS = 'mail panel editor message inbox server client fetch store index render quick brown fox jumps over lazy dog lorem ipsum dolor sit amet'.split(' ');

function makeMessage(random: () => number, n: number, size: number): Buffer {
  const head = `From: Sender ${n} <sender${n}@example.org>\r\nTo: alice@example.org\r\nSubject: Benchmark message ${n}\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-${n}@example.org>\r\n\r\n`;
  const lines: string[] = [];
  let length = head.length;
  while (length < size) {
    let line = '';
    while (line.length < 70) line += `${WORDS[Math.floor(random() * WORDS.length)]} `;
    lines.push(line.trimEnd());
    length += line.length + 1;
  }
  return Buffer.from(`${head}${lines.join('\r\n')}\r\n`).subarray(0, Math.max(size, head.length + 2));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Measured {
  wallMs: number;
  maxRssMB: number;
  out: string;
}

/** Runs a command as its own process: wall time around it, peak RSS from /usr/bin/time. */
function measure(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TIME, ['-f', 'MAXRSS_KB=%M', command, ...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      const rss = /MAXRSS_KB=(\d+)/.exec(err);
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${err.slice(-2000)}`));
      resolve({ wallMs, maxRssMB: rss ? Number(rss[1]) / 1024 : NaN, out });
    });
  });
}

const worker = (job: string, args: object) => measure(process.execPath, [WORKER, job, JSON.stringify(args)]);

async function warm(dovecot: Dovecot, user: string): Promise<number> {
  const client = await Pop3Client.connect({ host: '127.0.0.1', port: dovecot.pop3Port, security: 'none', allowInsecureAuth: true, credentials: { user, password: dovecot.password, mechanism: 'USER' } });
  const { count } = await client.stat();
  await client.uidl();
  await client.quit();
  return count;
}

/** A proxy that counts bytes both ways (for the incremental check). */
async function countingProxy(target: number): Promise<{ port: number; sent: () => number; received: () => number; close: () => void }> {
  let sent = 0;
  let received = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    client.on('data', (d) => ((sent += d.length), upstream.write(d)));
    upstream.on('data', (d) => ((received += d.length), client.write(d)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, sent: () => sent, received: () => received, close: () => server.close() };
}

interface PeerResult {
  client: string;
  wallMs: number;
  maxRssMB: number;
}

async function runClients(dovecot: Dovecot, user: string, count: number, scratch: string): Promise<PeerResult[]> {
  const results: PeerResult[] = [];
  const port = dovecot.pop3Port;
  const repeat = async (client: string, once: (run: number) => Promise<Measured>) => {
    const runs: Measured[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(i));
    results.push({ client, wallMs: median(runs.map((r) => r.wallMs)), maxRssMB: median(runs.map((r) => r.maxRssMB)) });
  };
  await repeat('Mail Panel (durable Maildir + index)', (i) => {
    const storeRoot = join(scratch, `${user}-ours-${i}`);
    return worker('ours', { port, user, password: dovecot.password, storeRoot }).then((m) => {
      const r = JSON.parse(m.out) as { downloaded: number };
      if (r.downloaded !== count) throw new Error(`ours fetched ${r.downloaded} of ${count}`);
      rmSync(storeRoot, { recursive: true, force: true });
      return m;
    });
  });
  await repeat('bare pipelined reader (stores nothing)', () => worker('bare', { port, user, password: dovecot.password, count, storeRoot: '' }));
  if (existsSync('/usr/bin/fetchmail')) {
    await repeat('fetchmail (one output file, no fsync)', (i) => {
      const dir = join(scratch, `${user}-fetchmail-${i}`);
      mkdirSync(dir, { recursive: true });
      const rc = join(dir, 'fetchmailrc');
      writeFileSync(
        rc,
        `set no syslog\nset no bouncemail\npoll 127.0.0.1 service ${port} protocol pop3 auth password bad-header accept\n  user "${user}" there with password "${dovecot.password}" is "root" here keep fetchall sslproto "" bsmtp "${join(dir, 'out.bsmtp')}"\n`,
        { mode: 0o600 },
      );
      return measure('/usr/bin/fetchmail', ['-N', '-f', rc, '--pidfile', join(dir, 'pid')], { env: { ...process.env, HOME: dir, FETCHMAILHOME: dir } });
    });
  }
  if (existsSync('/usr/bin/getmail')) {
    await repeat('getmail6 (Maildir, fsync per message)', (i) => {
      const dir = join(scratch, `${user}-getmail-${i}`);
      mkdirSync(join(dir, 'Maildir', 'tmp'), { recursive: true });
      mkdirSync(join(dir, 'Maildir', 'new'));
      mkdirSync(join(dir, 'Maildir', 'cur'));
      writeFileSync(join(dir, 'getmailrc'), `[retriever]\ntype = SimplePOP3Retriever\nserver = 127.0.0.1\nport = ${port}\nusername = ${user}\npassword = ${dovecot.password}\n\n[destination]\ntype = Maildir\npath = ${join(dir, 'Maildir')}/\n\n[options]\nread_all = true\ndelete = false\nverbose = 0\n`);
      // getmail refuses Maildir delivery as root: run it as nobody.
      for (const entry of ['', ...readdirSync(dir, { recursive: true }).map(String)]) chownSync(join(dir, entry), 65534, 65534);
      chownSync(scratch, 65534, 65534);
      return measure('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/usr/bin/getmail', `--rcfile=${join(dir, 'getmailrc')}`, `--getmaildir=${dir}`]);
    });
  }
  return results;
}

async function main(): Promise<void> {
  if (!existsSync(TIME)) throw new Error('install /usr/bin/time: apt-get install -y time');
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-bench-'));
  const missing = ['fetchmail', 'getmail'].filter((p) => !existsSync(`/usr/bin/${p}`));
  if (missing.length) console.log(`(peers not installed: ${missing.join(', ')} — apt-get install -y fetchmail getmail6)`);
  console.log('generating mailboxes (seeded) and loading them into a private Dovecot…');
  const dovecot = await startDovecot(['small', 'large', 'inc', 'huge']);
  try {
    const random = rng(7);
    dovecot.deliver('small', Array.from({ length: 1000 }, (_, i) => makeMessage(random, i, 20_000)));
    dovecot.deliver('large', Array.from({ length: 200 }, (_, i) => makeMessage(random, i, 1_000_000)));
    dovecot.deliver('inc', Array.from({ length: 10_000 }, (_, i) => makeMessage(random, i, 1_500)));
    dovecot.deliver('huge', [makeMessage(random, 0, 25_000_000)]);
    for (const user of ['small', 'large', 'inc', 'huge']) await warm(dovecot, user);
    chownSync(scratch, 0, 0);

    console.log(`1,000 x 20 KB: ${RUNS} runs per client…`);
    const small = await runClients(dovecot, 'small', 1000, scratch);
    console.log(`200 x 1 MB: ${RUNS} runs per client…`);
    const large = await runClients(dovecot, 'large', 200, scratch);
    chownSync(scratch, 0, 0);

    // Incremental check: 10,000 on the server, all already stored, none new.
    const incStore = join(scratch, 'inc-store');
    await worker('ours', { port: dovecot.pop3Port, user: 'inc', password: dovecot.password, storeRoot: incStore });
    const proxy = await countingProxy(dovecot.pop3Port);
    const incRuns: Array<{ wallMs: number; sent: number; received: number; commands: number; downloaded: number }> = [];
    for (let i = 0; i < RUNS; i++) {
      const [s0, r0] = [proxy.sent(), proxy.received()];
      const m = await worker('ours', { port: proxy.port, user: 'inc', password: dovecot.password, storeRoot: incStore });
      const r = JSON.parse(m.out) as { wallMs: number; commands: number; downloaded: number };
      incRuns.push({ wallMs: m.wallMs, sent: proxy.sent() - s0, received: proxy.received() - r0, commands: r.commands, downloaded: r.downloaded });
    }
    proxy.close();
    const incremental = incRuns.sort((a, b) => a.wallMs - b.wallMs)[Math.floor(incRuns.length / 2)];

    // One 25 MB message: how much the process grows while fetching it.
    const hugeRuns = [];
    for (let i = 0; i < RUNS; i++) {
      const m = await worker('ours', { port: dovecot.pop3Port, user: 'huge', password: dovecot.password, storeRoot: join(scratch, `huge-${i}`) });
      const r = JSON.parse(m.out) as { baselineRssMB: number; maxRssMB: number };
      hugeRuns.push({ growthMB: r.maxRssMB - r.baselineRssMB, maxRssMB: r.maxRssMB });
    }
    const huge = hugeRuns.sort((a, b) => a.growthMB - b.growthMB)[Math.floor(hugeRuns.length / 2)];

    // Index of 100,000 stored messages.
    console.log('building a store of 100,000 messages…');
    const bigStore = join(scratch, 'store-100k');
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(bigStore, 'Maildir', sub), { recursive: true });
    for (let i = 0; i < 100_000; i++) {
      const data = makeMessage(random, i, 600);
      writeFileSync(join(bigStore, 'Maildir', 'cur', fileName({ id: newMessageId(), dir: 'cur', size: data.length, uidl: `u${i}`, flags: i % 3 ? 'S' : '' })), data);
    }
    const cold = performance.now();
    await (await AccountStore.open(bigStore)).close(); // builds and saves index.json
    const indexBuildMs = performance.now() - cold;
    // As a store is between sessions: quiet for a while, then opened and closed once (which records the listing).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await (await AccountStore.open(bigStore)).close();
    const indexRuns = [];
    for (let i = 0; i < RUNS; i++) indexRuns.push((JSON.parse((await worker('index', { storeRoot: bigStore })).out) as { openMs: number }).openMs);

    // Open-to-view-model for a 100 KB HTML message.
    const htmlFile = join(scratch, 'html-100k.eml');
    const rows = Array.from({ length: 700 }, (_, i) => `<tr><td style="padding:4px">Row ${i}</td><td><a href="https://example.org/${i}">link ${i}</a></td><td>${WORDS[i % WORDS.length]}</td></tr>`).join('\n');
    writeFileSync(htmlFile, `From: a@example.org\r\nSubject: HTML\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><table>${rows}</table></body></html>\r\n`);
    const view = JSON.parse((await worker('view', { file: htmlFile })).out) as { coldMs: number; warmMs: number };

    // Activation and package size.
    const activations = [];
    for (let i = 0; i < 5; i++) activations.push((JSON.parse((await worker('activation', { root: ROOT, storeRoot: join(scratch, 'act') })).out) as { totalMs: number }).totalMs);
    const vsix = join(scratch, 'mail-panel.vsix');
    spawnSync(process.execPath, [join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--skip-license', '-o', vsix], { cwd: ROOT, stdio: 'ignore' });
    const vsixBytes = existsSync(vsix) ? statSync(vsix).size : NaN;

    report({ small, large, incremental, huge, indexBuildMs, indexLoadMs: median(indexRuns), view, activationMs: median(activations), vsixBytes });
  } finally {
    await dovecot.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(r: {
  small: PeerResult[];
  large: PeerResult[];
  incremental: { wallMs: number; sent: number; received: number; commands: number; downloaded: number };
  huge: { growthMB: number; maxRssMB: number };
  indexBuildMs: number;
  indexLoadMs: number;
  view: { coldMs: number; warmMs: number };
  activationMs: number;
  vsixBytes: number;
}): void {
  const rows = r.small.map((s) => {
    const l = r.large.find((x) => x.client === s.client)!;
    return { client: s.client, msgsPerSec: 1000 / (s.wallMs / 1000), mbPerSec: 200 / (l.wallMs / 1000), peakRssSmallMB: s.maxRssMB, peakRssLargeMB: l.maxRssMB };
  });
  const ours = rows[0];
  const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
  console.log('\n| client | 1,000 x 20 KB, msgs/s | 200 x 1 MB, MB/s | peak RSS (20 KB / 1 MB runs) |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.client} | ${fmt(row.msgsPerSec)} | ${fmt(row.mbPerSec, 1)} | ${fmt(row.peakRssSmallMB)} MB / ${fmt(row.peakRssLargeMB)} MB |`);
  console.log('\nMail Panel relative to each, same run:');
  for (const row of rows.slice(1)) console.log(`  vs ${row.client}: ${fmt(ours.msgsPerSec / row.msgsPerSec, 2)}x msgs/s, ${fmt(ours.mbPerSec / row.mbPerSec, 2)}x MB/s`);
  console.log('\nAlso measured:');
  console.log(`  incremental check, 10,000 on server, none new: ${fmt(r.incremental.wallMs)} ms whole process, ${fmt(r.incremental.sent)} B sent / ${fmt(r.incremental.received)} B received, ${r.incremental.commands} commands, ${r.incremental.downloaded} downloaded`);
  console.log(`  one 25 MB message: RSS grew ${fmt(r.huge.growthMB, 1)} MB (peak ${fmt(r.huge.maxRssMB)} MB)`);
  console.log(`  index of 100,000 stored messages: ${fmt(r.indexLoadMs)} ms to open (index.json and its recorded listing); ${fmt(r.indexBuildMs)} ms to build it from the Maildir`);
  console.log(`  open -> view model, 100 KB HTML message: ${fmt(r.view.warmMs, 1)} ms (first open, loading the MIME parser: ${fmt(r.view.coldMs)} ms)`);
  console.log(`  extension load + activate (bundle, minimal host): ${fmt(r.activationMs, 1)} ms`);
  console.log(`  .vsix size: ${fmt(r.vsixBytes / 1024)} KB`);
  const results = { date: new Date().toISOString(), runs: RUNS, clients: rows, ...r };
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwritten: bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
