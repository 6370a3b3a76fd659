/**
 * The POP3 server fuzzer. `npm run fuzz -- --sessions N --seed S` runs trials from seed S until N
 * sessions have run; on a failure it prints the seed and a shrunk plan (the server's script) to
 * paste into a regular test. `fuzzSample` is what `npm test` runs: a fixed-seed sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrial } from './harness';
import { planTrial, type TrialPlan } from './plan';

export interface FuzzReport {
  trials: number;
  sessions: number;
  failures: Array<{ plan: TrialPlan; failures: string[] }>;
  indistinguishable: number;
  errors: Record<string, number>;
  peakHeapMB: number;
  ms: number;
}

export async function fuzz(options: { sessions: number; seed: number; onFailure?: (f: FuzzReport['failures'][number]) => void; log?: (line: string) => void }): Promise<FuzzReport> {
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-fuzz-'));
  const report: FuzzReport = { trials: 0, sessions: 0, failures: [], indistinguishable: 0, errors: {}, peakHeapMB: 0, ms: 0 };
  const started = Date.now();
  try {
    for (let seed = options.seed; report.sessions < options.sessions; seed++) {
      const plan = planTrial(seed);
      if (process.env.FUZZ_TRACE) console.log(`seed ${seed}`);
      const outcome = await runTrial(plan, scratch);
      report.trials++;
      report.sessions += outcome.sessions;
      report.indistinguishable += outcome.indistinguishable;
      for (const [kind, n] of Object.entries(outcome.errors)) report.errors[kind] = (report.errors[kind] ?? 0) + n;
      report.peakHeapMB = Math.max(report.peakHeapMB, Math.round(process.memoryUsage().heapUsed / 1048576));
      if (outcome.failures.length > 0) {
        const shrunk = await shrink(plan, scratch);
        const failure = { plan: shrunk.plan, failures: shrunk.failures };
        report.failures.push(failure);
        options.onFailure?.(failure);
      }
      if (report.trials % 100 === 0) options.log?.(`${report.trials} trials, ${report.sessions} sessions, ${report.failures.length} failing, ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  report.ms = Date.now() - started;
  return report;
}

/** Greedy shrinking: drop sessions, mutations and messages while the trial still fails. */
async function shrink(plan: TrialPlan, scratch: string): Promise<{ plan: TrialPlan; failures: string[] }> {
  let best = plan;
  let failures = (await runTrial(plan, scratch)).failures;
  if (failures.length === 0) return { plan, failures: ['(did not fail again when replayed: timing-dependent)'] };
  const candidates = (p: TrialPlan): TrialPlan[] => [
    ...p.sessions.map((_, i) => ({ ...p, sessions: p.sessions.filter((__, j) => j !== i) })),
    ...p.sessions.map((s, i) => ({ ...p, sessions: p.sessions.map((t, j) => (j === i ? { ...s, mutation: undefined } : t)) })),
    ...p.messages.map((_, i) => ({ ...p, messages: p.messages.filter((__, j) => j !== i) })),
  ];
  for (let improved = true; improved; ) {
    improved = false;
    for (const candidate of candidates(best)) {
      if (candidate.sessions.length === 0 || candidate.messages.length === 0) continue;
      const outcome = await runTrial(candidate, scratch);
      if (outcome.failures.length > 0) {
        best = candidate;
        failures = outcome.failures;
        improved = true;
        break;
      }
    }
  }
  return { plan: best, failures };
}

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

if (require.main === module) {
  const sessions = arg('sessions', 1000);
  const seed = arg('seed', 1);
  console.log(`fuzz: ${sessions} sessions from seed ${seed}`);
  void fuzz({
    sessions,
    seed,
    log: (line) => console.log(`  ${line}`),
    onFailure: (f) => {
      console.log(`\nFAILURE at seed ${f.plan.seed}:\n  ${f.failures.join('\n  ')}\nreproduction (a TrialPlan for runTrial):\n${JSON.stringify(f.plan)}\n`);
    },
  }).then((r) => {
    console.log(`fuzz: ${r.trials} trials, ${r.sessions} sessions, ${r.failures.length} failing, peak heap ${r.peakHeapMB} MB, ${(r.ms / 1000).toFixed(1)} s`);
    console.log(`left on the server as indistinguishable (same UIDL and size as an earlier message, never deleted): ${r.indistinguishable}`);
    console.log(`typed errors seen: ${Object.entries(r.errors).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    process.exit(r.failures.length ? 1 : 0);
  });
}
