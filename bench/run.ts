/**
 * `npm run bench`: Mail Panel's fetch against its peers, in one run, on this machine.
 * Loads seeded mailboxes (uniform text, and realistic mail: MIME, charsets, attachments, log-normal
 * sizes) into a private Dovecot on 127.0.0.1 and runs each client as a process of its own, in
 * interleaved rounds (wall time measured around it; peak RSS and CPU time by /usr/bin/time): our
 * full fetch into the durable, indexed Maildir store; a bare pipelined reader that stores nothing
 * (the ceiling); mpop, getmail6 and fetchmail when installed (bench/peers.ts). Prints tables with
 * ratios taken within each round and writes bench/results.json.
 * No assertions: speed goals are judged from these figures, never by timed tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pop3Client } from '../src/pop3';
import { AccountStore } from '../src/store/accountStore';
import { fileName, newMessageId } from '../src/store/maildir';
import { startDovecot, type Dovecot } from '../test/support/dovecot';
import { rng } from '../test/support/mailcheck';
import { realisticMessageOfSize, realisticSizes } from './mailCorpus';
import { PEERS } from './peers';

const ROOT = join(__dirname, '..', '..');
const WORKER = join(__dirname, 'worker.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Rounds of the fetch comparison (interleaved: each round runs every client once). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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
  /** CPU seconds in user and kernel mode, the whole process's (from /usr/bin/time). */
  userS: number;
  sysS: number;
  out: string;
  /** With search on: when the fetch itself finished (wallMs is then when all of it could be found). */
  fetchedMs?: number;
}

/** Runs a command as its own process: wall time around it, peak RSS and CPU times from /usr/bin/time. */
function measure(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TIME, ['-f', 'MAXRSS_KB=%M USER_S=%U SYS_S=%S', command, ...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      const figures = /MAXRSS_KB=(\d+) USER_S=([\d.]+) SYS_S=([\d.]+)/.exec(err);
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${err.slice(-2000)}`));
      resolve({ wallMs, maxRssMB: figures ? Number(figures[1]) / 1024 : NaN, userS: figures ? Number(figures[2]) : NaN, sysS: figures ? Number(figures[3]) : NaN, out });
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

/** A mailbox of the fetch comparison: its Dovecot user, message count and bytes. */
interface Box {
  user: string;
  label: string;
  count: number;
  bytes: number;
}

interface ClientResult {
  client: string;
  /** Medians over the rounds. */
  wallMs: number;
  maxRssMB: number;
  userS: number;
  sysS: number;
  /** Each round's wall time, in round order (for ratios taken within a round). */
  roundsMs: number[];
  /** With search on: each round's time until the fetch itself finished. */
  fetchedRoundsMs: number[];
}

const OURS = 'Mail Panel (durable Maildir + index)';
const SEARCHABLE = 'Mail Panel with search on (until all can be found)';

/** Messages in a Maildir a peer delivered into (to check that it fetched them all). */
const maildirCount = (dir: string) => ['new', 'cur'].reduce((n, sub) => n + (existsSync(join(dir, 'Maildir', sub)) ? readdirSync(join(dir, 'Maildir', sub)).length : 0), 0);

/**
 * Every client on every mailbox, in ROUNDS interleaved rounds (each round runs each client once,
 * in an order that rotates), so a machine that speeds up or slows down mid-run weighs on all alike.
 */
async function runRounds(dovecot: Dovecot, boxes: Box[], scratch: string): Promise<Map<string, ClientResult[]>> {
  const mailbox = (box: Box) => ({ port: dovecot.pop3Port, user: box.user, password: dovecot.password });
  const clients: Array<{ name: string; once: (box: Box, dir: string) => Promise<Measured> }> = [
    {
      name: OURS,
      once: async (box, dir) => {
        const m = await worker('ours', { ...mailbox(box), storeRoot: dir });
        const r = JSON.parse(m.out) as { downloaded: number };
        if (r.downloaded !== box.count) throw new Error(`ours fetched ${r.downloaded} of ${box.count}`);
        return m;
      },
    },
    {
      name: SEARCHABLE,
      once: async (box, dir) => {
        const m = await worker('oursSearchable', { ...mailbox(box), storeRoot: dir });
        const r = JSON.parse(m.out) as { downloaded: number; wallMs: number; warmMs: number; fetchedMs: number; searchableMs: number };
        if (r.downloaded !== box.count) throw new Error(`ours (searchable) fetched ${r.downloaded} of ${box.count}`);
        // Not timed: the worker's start before the fetch (a window has it running) and the check after.
        const untimed = r.warmMs + (r.wallMs - r.searchableMs);
        return { ...m, wallMs: m.wallMs - untimed, fetchedMs: m.wallMs - untimed - (r.searchableMs - r.fetchedMs) };
      },
    },
    { name: 'bare pipelined reader (stores nothing)', once: (box) => worker('bare', { ...mailbox(box), count: box.count, storeRoot: '' }) },
    ...PEERS.filter((p) => p.installed()).map((peer) => ({
      name: peer.name,
      once: async (box: Box, dir: string) => {
        const run = peer.prepare(mailbox(box), dir);
        const m = await measure(run.command, run.args, { env: run.env });
        const got = maildirCount(dir);
        if (existsSync(join(dir, 'Maildir')) && got !== box.count) throw new Error(`${peer.name} delivered ${got} of ${box.count}`);
        return m;
      },
    })),
  ];
  // e.g. BENCH_CLIENTS="Mail Panel": those clients only (both of ours; more rounds in the same time).
  const only = process.env.BENCH_CLIENTS?.split(',');
  if (only) clients.splice(0, clients.length, ...clients.filter((c) => only.some((name) => c.name.includes(name))));
  const samples = new Map(boxes.map((box) => [box.user, new Map(clients.map((c) => [c.name, [] as Measured[]]))]));
  for (let round = 0; round < ROUNDS; round++) {
    console.log(`round ${round + 1} of ${ROUNDS}…`);
    for (const box of boxes) {
      const order = clients.map((_, k) => clients[(k + round) % clients.length]);
      for (const client of order) {
        const dir = join(scratch, `${box.user}-${round}-${clients.indexOf(client)}`);
        // Each client starts with nothing of the one before left to write back: the disk's flushing of
        // the previous run's 20-200 MB otherwise lands in the next one's fsyncs.
        spawnSync('sync');
        samples.get(box.user)!.get(client.name)!.push(await client.once(box, dir));
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  return new Map(
    boxes.map((box) => [
      box.user,
      clients.map(({ name }) => {
        const runs = samples.get(box.user)!.get(name)!;
        return { client: name, wallMs: median(runs.map((r) => r.wallMs)), maxRssMB: median(runs.map((r) => r.maxRssMB)), userS: median(runs.map((r) => r.userS)), sysS: median(runs.map((r) => r.sysS)), roundsMs: runs.map((r) => r.wallMs), fetchedRoundsMs: runs.map((r) => r.fetchedMs ?? r.wallMs) };
      }),
    ]),
  );
}

async function main(): Promise<void> {
  if (!existsSync(TIME)) throw new Error('install /usr/bin/time: apt-get install -y time');
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-bench-'));
  const missing = PEERS.filter((p) => !p.installed()).map((p) => p.pkg);
  if (missing.length) console.log(`(peers not installed: ${missing.join(', ')} — apt-get install -y ${missing.join(' ')})`);
  console.log('generating mailboxes (seeded) and loading them into a private Dovecot…');
  const boxes: Array<Box & { messages: Buffer[] }> = [];
  const only = process.env.BENCH_BOXES?.split(','); // e.g. BENCH_BOXES=real,reallarge: those mailboxes only
  const box = (user: string, label: string, messages: Buffer[]) => (!only || only.includes(user)) && boxes.push({ user, label, count: messages.length, bytes: messages.reduce((n, m) => n + m.length, 0), messages });
  const random = rng(7);
  box('small', '1,000 x 20 KB, uniform text', Array.from({ length: 1000 }, (_, i) => makeMessage(random, i, 20_000)));
  box('large', '200 x 1 MB, uniform text', Array.from({ length: 200 }, (_, i) => makeMessage(random, i, 1_000_000)));
  box('real', '1,000 realistic (MIME, charsets, attachments; log-normal sizes, 4 of several MB)', realisticSizes(11, 1000, 16_000).map((size, i) => realisticMessageOfSize(11, i, size)));
  box('reallarge', '200 x 1 MB realistic (text, HTML, a 1 MB attachment)', Array.from({ length: 200 }, (_, i) => realisticMessageOfSize(12, i, 1_000_000)));
  const dovecot = await startDovecot([...boxes.map((b) => b.user), 'inc', 'huge']);
  try {
    for (const b of boxes) dovecot.deliver(b.user, b.messages.splice(0));
    dovecot.deliver('inc', Array.from({ length: 10_000 }, (_, i) => makeMessage(random, i, 1_500)));
    dovecot.deliver('huge', [makeMessage(random, 0, 25_000_000)]);
    for (const user of [...boxes.map((b) => b.user), 'inc', 'huge']) await warm(dovecot, user);
    chmodSync(scratch, 0o755); // getmail runs as nobody in a folder of its own under it

    console.log(`fetch comparison: ${boxes.length} mailboxes, ${ROUNDS} interleaved rounds…`);
    const fetches = await runRounds(dovecot, boxes, scratch);
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

    report({ boxes, fetches, incremental, huge, indexBuildMs, indexLoadMs: median(indexRuns), view, activationMs: median(activations), vsixBytes });
  } finally {
    await dovecot.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(r: {
  boxes: Box[];
  fetches: Map<string, ClientResult[]>;
  incremental: { wallMs: number; sent: number; received: number; commands: number; downloaded: number };
  huge: { growthMB: number; maxRssMB: number };
  indexBuildMs: number;
  indexLoadMs: number;
  view: { coldMs: number; warmMs: number };
  activationMs: number;
  vsixBytes: number;
}): void {
  const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a');
  const fetches = r.boxes.map((box) => ({ box, clients: r.fetches.get(box.user)! }));
  for (const { box, clients } of fetches) {
    console.log(`\n${box.label}: ${fmt(box.count)} messages, ${fmt(box.bytes / 1e6, 1)} MB (medians of ${ROUNDS} rounds)`);
    console.log('| client | msgs/s | MB/s | CPU user + sys, s | CPU per message, ms | peak RSS |');
    console.log('|---|---|---|---|---|---|');
    for (const c of clients) {
      const seconds = c.wallMs / 1000;
      console.log(`| ${c.client} | ${fmt(box.count / seconds)} | ${fmt(box.bytes / 1e6 / seconds, 1)} | ${fmt(c.userS, 2)} + ${fmt(c.sysS, 2)} | ${fmt(((c.userS + c.sysS) * 1000) / box.count, 2)} | ${fmt(c.maxRssMB)} MB |`);
    }
    const ours = clients.find((c) => c.client === OURS)!;
    const searchable = clients.find((c) => c.client === SEARCHABLE)!;
    const later = (times: number[]) => fmt(median(times.map((ms, k) => ms / ours.roundsMs[k] - 1)) * 100);
    console.log(`  with search on (mail indexed once the fetch ends, every 5 s of a long one): the fetch itself finishes ${later(searchable.fetchedRoundsMs)} % later than without search (target: < 10 %); all of it can be found ${later(searchable.roundsMs)} % later`);
    for (const peer of clients.filter((c) => c !== ours && c !== searchable)) {
      // Within each round: the peer's time over ours (above 1: Mail Panel is faster).
      const ratios = peer.roundsMs.map((ms, k) => ms / ours.roundsMs[k]).sort((a, b) => a - b);
      console.log(`  Mail Panel vs ${peer.client}: ${fmt(median(ratios), 2)}x (rounds ${fmt(ratios[0], 2)} to ${fmt(ratios[ratios.length - 1], 2)}); CPU ${fmt((ours.userS + ours.sysS) / (peer.userS + peer.sysS), 2)}x its CPU time`);
    }
  }
  console.log('\nAlso measured:');
  console.log(`  incremental check, 10,000 on server, none new: ${fmt(r.incremental.wallMs)} ms whole process, ${fmt(r.incremental.sent)} B sent / ${fmt(r.incremental.received)} B received, ${r.incremental.commands} commands, ${r.incremental.downloaded} downloaded`);
  console.log(`  one 25 MB message: RSS grew ${fmt(r.huge.growthMB, 1)} MB (peak ${fmt(r.huge.maxRssMB)} MB)`);
  console.log(`  index of 100,000 stored messages: ${fmt(r.indexLoadMs)} ms to open (index.json and its recorded listing); ${fmt(r.indexBuildMs)} ms to build it from the Maildir`);
  console.log(`  open -> view model, 100 KB HTML message: ${fmt(r.view.warmMs, 1)} ms (first open, loading the MIME parser: ${fmt(r.view.coldMs)} ms)`);
  console.log(`  extension load + activate (bundle, minimal host): ${fmt(r.activationMs, 1)} ms`);
  console.log(`  .vsix size: ${fmt(r.vsixBytes / 1024)} KB`);
  const results = { date: new Date().toISOString(), runs: RUNS, rounds: ROUNDS, ...r, boxes: r.boxes.map(({ user, label, count, bytes }) => ({ user, label, count, bytes })), fetches: Object.fromEntries(r.fetches) };
  mkdirSync(join(ROOT, 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('\nwritten: bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
