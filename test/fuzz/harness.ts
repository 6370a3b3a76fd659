/**
 * Runs one fuzz trial: each planned session against the project's scripted POP3 server with its
 * fault injected (and the cutting proxy for cuts), then a final clean session, checking the
 * guarantees after every session. Returns the broken invariants (empty: the trial passed).
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startPop3Server, dotStuff, type Pop3Server, type Pop3ServerSession, type ServedMessage } from '../../src/demo/pop3Server';
import { Pop3Error } from '../../src/pop3';
import { AccountStore } from '../../src/store/accountStore';
import { fetchMail } from '../../src/sync/fetch';
import { startCutProxy } from '../support/cutProxy';
import { storedFiles } from '../support/mailcheck';
import { disturbsIdentity, type Fault, type PlannedMessage, type TrialPlan } from './plan';

export interface TrialOutcome {
  sessions: number;
  /**
   * Messages left unfetched because an earlier, different message had the same UIDL and the same
   * LIST size: indistinguishable without reading every message each time (the documented limit;
   * never deleted unseen, since deletion also checks the headers).
   */
  indistinguishable: number;
  failures: string[];
  /** Typed errors seen, by kind (what the fuzzer exercised). */
  errors: Record<string, number>;
}

/** A session may take at most this long (timeouts are 300 ms; a hang is a failure). */
const WATCHDOG_MS = 15_000;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const toMessage = (m: PlannedMessage): ServedMessage => ({ uid: m.uid, data: Buffer.from(m.data, 'latin1') });

/**
 * An independent decoder of a multi-line body as written (RFC 1939 3, with a line starting after
 * any LF, as real servers' bare-LF mail needs): what a correct client stores; undefined when the
 * terminator never came.
 */
function referenceDecode(wire: Buffer): Buffer | undefined {
  const text = wire.toString('latin1');
  let out = '';
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    if (end === -1) return undefined;
    const line = text.slice(start, end + 1);
    if (line === '.\r\n') return Buffer.from(out, 'latin1');
    out += line.startsWith('.') ? line.slice(1) : line;
    start = end + 1;
  }
  return undefined;
}

export async function runTrial(plan: TrialPlan, scratch: string): Promise<TrialOutcome> {
  const outcome: TrialOutcome = { sessions: 0, indistinguishable: 0, failures: [], errors: {} };
  const storeRoot = join(scratch, `trial-${plan.seed}`);
  const served = new Map<ServedMessage, Set<string>>(); // complete answers the server gave for each message
  const everServed = new Set<string>();
  let current: Fault = { kind: 'none' };
  let snapshot: ServedMessage[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const record = (m: ServedMessage, wire: Buffer) => {
    const decoded = referenceDecode(wire);
    if (!decoded) return;
    const hash = sha(decoded);
    if (!served.has(m)) served.set(m, new Set());
    served.get(m)!.add(hash);
    everServed.add(hash);
  };

  const server: Pop3Server = await startPop3Server({
    messages: plan.messages.map((m) => Buffer.from(m.data, 'latin1')),
    uids: plan.messages.map((m) => m.uid),
    greeting: '+OK fuzz ready',
    intercept: (line, session) => intercept(line, session),
  });
  const greetingFault = () => current.kind === 'greeting';

  const muted = new WeakSet<Pop3ServerSession>();
  function intercept(line: string, s: Pop3ServerSession): boolean {
    const [word, arg] = line.split(' ');
    const cmd = word.toUpperCase();
    if (s.commands.length === 1) snapshot = [...server.mailbox]; // this session's view
    // A server that stalled, trickles or hung up answers nothing more in this session.
    if (muted.has(s)) return true;
    const mute = () => (muted.add(s), true);
    const f = current;
    const n = Number(arg);
    const target = Number.isInteger(n) ? snapshot[n - 1] : undefined;
    const close = () => (s.socket.end(), mute());
    switch (f.kind) {
      case 'capa':
        if (cmd !== 'CAPA') break;
        if (f.variant === 'err') return s.write('-ERR no\r\n'), true;
        return s.write('+OK\r\nUSER\r\n\x00garbage \xff\r\nPIPELINING\r\n.\r\n'), true;
      case 'auth':
        if (cmd !== 'PASS') break;
        if (f.variant === 'err') return s.write('-ERR [SYS/TEMP] try later\r\n'), true;
        return close();
      case 'list':
        if (cmd !== 'LIST' || arg) break;
        if (f.variant === 'err') return s.write('-ERR no list\r\n'), true;
        if (f.variant === 'malformed') return s.write('+OK\r\n1 x y\r\nnonsense\r\n.\r\n'), true;
        {
          let rows = snapshot.map((m, i) => [i + 1, m.data.length]);
          if (f.variant === 'lie-up') rows = rows.map(([i, size]) => [i, size + 7]);
          if (f.variant === 'lie-down') rows = rows.map(([i, size]) => [i, Math.max(0, size - 7)]);
          if (f.variant === 'duplicate') rows = [...rows, ...rows.slice(0, 1)];
          if (f.variant === 'reorder') rows = rows.reverse();
          if (f.variant === 'gap') rows = rows.filter((_, i) => i !== 0);
          return s.write(`+OK\r\n${rows.map(([i, size]) => `${i} ${size}\r\n`).join('')}.\r\n`), true;
        }
      case 'uidl':
        if (cmd !== 'UIDL' || arg) break;
        if (f.variant === 'err') return s.write('-ERR [SYS/TEMP] busy\r\n'), true;
        if (f.variant === 'malformed') return s.write('+OK\r\n\x00\x01\r\nxyz\r\n.\r\n'), true;
        {
          let rows = snapshot.map((m, i) => [i + 1, m.uid] as [number, string]);
          if (f.variant === 'duplicate' && rows.length > 1) rows = rows.map(([i, u]) => [i, i === 2 ? rows[0][1] : u]);
          if (f.variant === 'missing') rows = rows.slice(1);
          if (f.variant === 'swap' && rows.length > 1) rows = rows.map(([i, u]) => [i, i === 1 ? rows[1][1] : i === 2 ? rows[0][1] : u]);
          return s.write(`+OK\r\n${rows.map(([i, u]) => `${i} ${u}\r\n`).join('')}.\r\n`), true;
        }
      case 'retr': {
        if (cmd !== 'RETR' || !target) break;
        if (snapshot.indexOf(target) !== f.target % Math.max(1, snapshot.length)) break;
        const stuffed = dotStuff(target.data);
        const body = stuffed.subarray(0, stuffed.length - 3); // without ".\r\n"
        switch (f.variant) {
          case 'err':
            return s.write('-ERR message unavailable\r\n'), true;
          case 'truncate-close':
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), body.subarray(0, body.length >> 1)]));
            return close();
          case 'overlong': {
            const wire = Buffer.concat([body, Buffer.from(`${'z'.repeat(200)}\r\n`.repeat(6000)), Buffer.from('.\r\n')]);
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), wire]));
            return true; // over 1 MB more than LIST said: never stored
          }
          case 'no-terminator':
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), body]));
            return mute(); // then silence: the client's timeout ends it
          case 'early-terminator': {
            const wire = Buffer.from(`Subject: early\r\n.\r\n${target.data.toString('latin1')}`, 'latin1');
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), wire, Buffer.from('.\r\n')]));
            record(target, wire);
            return true;
          }
          case 'unstuffed': {
            const raw = target.data.toString('latin1');
            const wire = Buffer.from(`${raw}${raw.endsWith('\n') || raw === '' ? '' : '\r\n'}.\r\n`, 'latin1');
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), wire]));
            record(target, wire);
            return true;
          }
          case 'bare-lf':
          case 'nul': {
            const variant = Buffer.from(f.variant === 'nul' ? target.data.toString('latin1').replace(/\r\n/g, '\x00\r\n') : target.data.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
            const wire = dotStuff(variant);
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), wire]));
            record(target, wire);
            return true;
          }
          case 'stall':
            s.write(Buffer.concat([Buffer.from('+OK\r\n'), body.subarray(0, 10)]));
            return mute();
          case 'trickle': {
            s.write('+OK\r\n');
            const timer = setInterval(() => (s.socket.destroyed ? clearInterval(timer) : s.write('x')), 50);
            timers.add(timer);
            return mute();
          }
        }
        break;
      }
      case 'dele':
        if (cmd !== 'DELE') break;
        if (f.variant === 'err') return s.write('-ERR cannot delete\r\n'), true;
        return close();
      case 'quit':
        if (cmd !== 'QUIT') break;
        if (f.variant === 'err') return s.write('-ERR not now\r\n'), close();
        return close();
    }
    if (cmd === 'RETR' && target) record(target, dotStuff(target.data)); // a correct answer follows
    return false;
  }

  const check = (label: string) => {
    // The store opens clean, and holds only complete, served messages, each key once.
    const files = storedFiles(storeRoot);
    const keys = files.map((f) => f.uidl);
    if (new Set(keys).size !== keys.length) outcome.failures.push(`${label}: a key stored twice`);
    for (const f of files) if (!everServed.has(sha(f.data))) outcome.failures.push(`${label}: stored bytes the server never served complete (${f.uidl})`);
    const hashes = files.map((f) => sha(f.data));
    // Two files may hold the same bytes only if the server had that many messages with those bytes.
    const holders = new Map<string, number>();
    for (const versions of served.values()) for (const h of versions) holders.set(h, (holders.get(h) ?? 0) + 1);
    const copies = new Map<string, number>();
    for (const h of hashes) copies.set(h, (copies.get(h) ?? 0) + 1);
    if ([...copies].some(([h, n]) => n > (holders.get(h) ?? 0)) && !disturbsIdentity(plan)) outcome.failures.push(`${label}: a message stored twice`);
    const stored = new Set(hashes);
    for (const gone of server.deleted) {
      if (![...(served.get(gone) ?? [])].some((h) => stored.has(h))) outcome.failures.push(`${label}: ${JSON.stringify(gone.uid)} deleted from the server but not stored`);
    }
    try {
      if (readdirSync(join(storeRoot, 'Maildir', 'tmp')).length > 0) outcome.failures.push(`${label}: half-written files left in tmp/`);
    } catch {
      // no store yet
    }
  };

  const fetchOnce = async (deleteAfterDownload: boolean, label: string) => {
    const cut = current.kind === 'cut' ? await startCutProxy(server.port, Math.floor(current.at * (600 + snapshotBytes()))) : undefined;
    const started = Date.now();
    let watchdog: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hung'>((resolve) => {
      watchdog = setTimeout(() => resolve('hung'), WATCHDOG_MS); // keeps the process alive: a hang is reported, not silent
    });
    const fetching = fetchMail({
      storeRoot,
      server: {
        host: '127.0.0.1',
        port: cut?.port ?? server.port,
        security: 'none',
        allowInsecureAuth: true,
        credentials: { user: 'alice', password: 'secret' },
        timeouts: { connectMs: 1000, greetingMs: 300, responseMs: 300, minBytesPerSecond: 2000, rateWindowMs: 250 },
      },
      policy: { deleteAfterDownload },
    }).then(
      () => 'ok' as const,
      (err: unknown) => err,
    );
    const result = await Promise.race([fetching, timeout]);
    clearTimeout(watchdog);
    await cut?.close();
    outcome.sessions++;
    if (result === 'hung') outcome.failures.push(`${label}: the fetch did not end within ${WATCHDOG_MS} ms`);
    else if (result !== 'ok') {
      if (!(result instanceof Pop3Error) && !(result instanceof Error && result.name === 'LockBusyError')) outcome.failures.push(`${label}: untyped error ${String(result)}`);
      const kind = result instanceof Pop3Error ? result.kind : 'other';
      outcome.errors[kind] = (outcome.errors[kind] ?? 0) + 1;
    }
    if (result === 'hung') await Promise.race([fetching, new Promise((r) => setTimeout(r, WATCHDOG_MS))]); // let it end before the next session
    if (Date.now() - started > WATCHDOG_MS) outcome.failures.push(`${label}: took ${Date.now() - started} ms`);
    check(label);
  };
  const snapshotBytes = () => server.mailbox.reduce((a, m) => a + m.data.length + 30, 0);
  void greetingFault;

  try {
    for (const [i, session] of plan.sessions.entries()) {
      current = session.fault;
      applyGreeting(server, session.fault);
      await fetchOnce(session.deleteAfterDownload, `session ${i + 1} (${JSON.stringify(session.fault)})`);
      for (const t of timers) clearInterval(t);
      const m = session.mutation;
      if (m?.kind === 'add') server.mailbox.push(toMessage(m.message));
      if (m?.kind === 'remove' && server.mailbox.length > 0) server.mailbox.splice(m.target % server.mailbox.length, 1);
      if (m?.kind === 'reuse' && server.mailbox.length > 0) {
        const at = m.target % server.mailbox.length;
        server.mailbox.splice(at, 1, { uid: server.mailbox[at].uid, data: Buffer.from(m.message.data, 'latin1') });
      }
    }
    current = { kind: 'none' };
    applyGreeting(server, current);
    await fetchOnce(false, 'final clean session');
    // Every message still on the server is stored, or reported as skipped.
    const store = await AccountStore.open(storeRoot);
    const stored = new Set(storedFiles(storeRoot).map((f) => sha(f.data)));
    const lookalike = (m: ServedMessage) => [...served.keys()].some((other) => other !== m && other.uid === m.uid && other.data.length === m.data.length && !other.data.equals(m.data));
    const unfetched = server.mailbox.filter((m) => !stored.has(sha(m.data)) && ![...(served.get(m) ?? [])].some((h) => stored.has(h)));
    const missing = unfetched.filter((m) => !lookalike(m));
    outcome.indistinguishable += unfetched.length - missing.length;
    if (missing.length > store.skipped.list().length) {
      outcome.failures.push(`final: ${missing.length} message(s) on the server neither stored nor reported skipped: ${missing.map((m) => JSON.stringify(m.uid)).join(', ')}`);
    }
  } finally {
    for (const t of timers) clearInterval(t);
    await server.close();
    rmSync(storeRoot, { recursive: true, force: true });
  }
  return outcome;
}

/** Greeting faults live in the server's options, not in a command. */
function applyGreeting(server: Pop3Server, fault: Fault): void {
  const greetings = { err: '-ERR go away', garbage: '\x00\xff not pop3', silent: null, overlong: `+OK ${'x'.repeat(5000)}` } as const;
  server.setGreeting(fault.kind === 'greeting' ? greetings[fault.variant] : '+OK fuzz ready');
}
