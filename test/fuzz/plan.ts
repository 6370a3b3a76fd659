/**
 * The fuzzer's seeded generator: a mailbox with odd UIDLs and bytes, and a plan of misbehaving
 * sessions (one fault each, drawn from the whole class RFC 1939 and real servers allow or commit),
 * with the mailbox changing between sessions. A plan is plain data: it prints as a reproduction.
 */
import { rng } from '../support/mailcheck';

export type Fault =
  | { kind: 'none' }
  | { kind: 'greeting'; variant: 'err' | 'garbage' | 'silent' | 'overlong' }
  | { kind: 'capa'; variant: 'err' | 'garbage' }
  | { kind: 'auth'; variant: 'err' | 'close' }
  | { kind: 'list'; variant: 'err' | 'malformed' | 'lie-up' | 'lie-down' | 'duplicate' | 'reorder' | 'gap' }
  | { kind: 'uidl'; variant: 'err' | 'malformed' | 'duplicate' | 'missing' | 'swap' }
  | { kind: 'retr'; target: number; variant: 'err' | 'truncate-close' | 'overlong' | 'no-terminator' | 'early-terminator' | 'unstuffed' | 'bare-lf' | 'nul' | 'stall' | 'trickle' }
  | { kind: 'dele'; variant: 'err' | 'close' }
  | { kind: 'quit'; variant: 'err' | 'close' }
  | { kind: 'cut'; at: number };

export type Mutation = { kind: 'add'; message: PlannedMessage } | { kind: 'remove'; target: number } | { kind: 'reuse'; target: number; message: PlannedMessage };

export interface PlannedMessage {
  uid: string;
  /** latin1 text of the message (any bytes). */
  data: string;
}

export interface SessionPlan {
  fault: Fault;
  deleteAfterDownload: boolean;
  /** Applied to the server's mailbox after this session. */
  mutation?: Mutation;
}

export interface TrialPlan {
  seed: number;
  messages: PlannedMessage[];
  sessions: SessionPlan[];
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

function uid(random: () => number, n: number): string {
  const r = random();
  if (r < 0.7) return `u${n}-${Math.floor(random() * 1e6)}`;
  if (r < 0.78) return `${'L'.repeat(60 + Math.floor(random() * 250))}${n}`; // longer than RFC 1939's 70
  if (r < 0.84) return `has space ${n}`;
  if (r < 0.88) return `ctl\x01\x7f${n}`;
  if (r < 0.92) return `8bit\xe9\xff${n}`;
  if (r < 0.96) return `/slash:colon*${n}`;
  return 'dup'; // the same UIDL for several messages
}

function body(random: () => number, n: number): string {
  const lines = [`From: sender${n}@example.org`, `Subject: fuzz ${n}`, `Message-ID: <${n}.${Math.floor(random() * 1e9)}@fuzz.example>`, ''];
  const count = random() < 0.05 ? 3000 + Math.floor(random() * 3000) : Math.floor(random() * 60);
  for (let i = 0; i < count; i++) {
    const r = random();
    lines.push(r < 0.08 ? '.' : r < 0.16 ? `.dot ${i}` : r < 0.2 ? '..' : r < 0.24 ? '\xe9t\xe9 \xff\x00' : r < 0.26 ? 'bare\rcr' : `line ${i} ${'x'.repeat(Math.floor(random() * 100))}`);
  }
  return random() < 0.03 ? '' : `${lines.join('\r\n')}\r\n`;
}

function fault(random: () => number, messages: number): Fault {
  const r = random();
  if (r < 0.12) return { kind: 'none' };
  if (r < 0.18) return { kind: 'greeting', variant: pick(random, ['err', 'garbage', 'silent', 'overlong'] as const) };
  if (r < 0.22) return { kind: 'capa', variant: pick(random, ['err', 'garbage'] as const) };
  if (r < 0.26) return { kind: 'auth', variant: pick(random, ['err', 'close'] as const) };
  if (r < 0.38) return { kind: 'list', variant: pick(random, ['err', 'malformed', 'lie-up', 'lie-down', 'duplicate', 'reorder', 'gap'] as const) };
  if (r < 0.5) return { kind: 'uidl', variant: pick(random, ['err', 'malformed', 'duplicate', 'missing', 'swap'] as const) };
  if (r < 0.78) {
    const variant = pick(random, ['err', 'truncate-close', 'overlong', 'no-terminator', 'early-terminator', 'unstuffed', 'bare-lf', 'nul', 'stall', 'trickle'] as const);
    return { kind: 'retr', target: Math.floor(random() * Math.max(1, messages)), variant };
  }
  if (r < 0.84) return { kind: 'dele', variant: pick(random, ['err', 'close'] as const) };
  if (r < 0.88) return { kind: 'quit', variant: pick(random, ['err', 'close'] as const) };
  return { kind: 'cut', at: random() };
}

export function planTrial(seed: number): TrialPlan {
  const random = rng(seed);
  let n = 0;
  const message = (): PlannedMessage => ({ uid: uid(random, n), data: body(random, n++) });
  const messages = Array.from({ length: 1 + Math.floor(random() * 8) }, message);
  const sessions: SessionPlan[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const r = random();
    const mutation: Mutation | undefined =
      r < 0.15 ? { kind: 'add', message: message() } : r < 0.25 ? { kind: 'remove', target: Math.floor(random() * 8) } : r < 0.35 ? { kind: 'reuse', target: Math.floor(random() * 8), message: message() } : undefined;
    sessions.push({ fault: fault(random, messages.length), deleteAfterDownload: random() < 0.5, mutation });
  }
  return { seed, messages, sessions };
}

/** Whether a plan may legitimately store one message twice (the documented price of never deleting unseen mail). */
export function disturbsIdentity(plan: TrialPlan): boolean {
  const uids = plan.messages.map((m) => m.uid);
  return (
    new Set(uids).size !== uids.length ||
    plan.sessions.some(
      (s) =>
        // (a repeated or reordered LIST line names the same messages: no excuse for a duplicate)
        (s.fault.kind === 'list' && ['lie-up', 'lie-down', 'gap'].includes(s.fault.variant)) ||
        (s.fault.kind === 'uidl' && s.fault.variant !== 'err') ||
        (s.fault.kind === 'retr' && ['unstuffed', 'bare-lf', 'nul'].includes(s.fault.variant)) ||
        s.mutation?.kind === 'reuse' ||
        (s.mutation?.kind === 'add' && uids.includes(s.mutation.message.uid)),
    )
  );
}
