/**
 * A fixed-seed sample of the POP3 server fuzzer (test/fuzz): misbehaving sessions against the real
 * fetch engine, the guarantees checked after each. `npm run fuzz` runs as many as asked.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fuzz } from '../fuzz/run';

const SESSIONS = Number(process.env.FUZZ_SESSIONS ?? 600);

describe('POP3 server fuzzer (fixed-seed sample)', () => {
  test(`${SESSIONS} misbehaving sessions: nothing lost, nothing stored twice, nothing hung`, { timeout: 300_000 }, async () => {
    const report = await fuzz({ sessions: SESSIONS, seed: 20261123 });
    console.log(`# fuzz sample: ${report.trials} trials, ${report.sessions} sessions in ${(report.ms / 1000).toFixed(1)} s, peak heap ${report.peakHeapMB} MB; errors: ${JSON.stringify(report.errors)}`);
    assert.deepEqual(
      report.failures.map((f) => `seed ${f.plan.seed}: ${f.failures.join('; ')}\n${JSON.stringify(f.plan)}`),
      [],
    );
    assert.ok(report.peakHeapMB < 400, `memory stayed bounded (${report.peakHeapMB} MB)`);
  });
});
