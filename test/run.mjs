// Runs every test tier with Node's test runner over the transpiled tests in out/ (see build.mjs).
// Tiers that need a system tool skip with an install hint when run by hand and fail under CI=true.
// The real-VS-Code tier (e2e: code-server + Chromium per test) runs after the others, one test at
// a time: several workbenches at once on two cores only measure contention.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2); // optional tier names: unit interop browser e2e
const tiers = readdirSync('out/test', { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'support' && d.name !== 'vscode' && (only.length === 0 || only.includes(d.name)))
  .map((d) => d.name);
const filesOf = (list) =>
  list.flatMap((tier) =>
    readdirSync(join('out/test', tier), { recursive: true })
      .filter((f) => f.endsWith('.test.js'))
      .map((f) => join('out/test', tier, f)),
  );
const phases = [
  { files: filesOf(tiers.filter((t) => t !== 'e2e')), concurrency: 2 },
  { files: filesOf(tiers.filter((t) => t === 'e2e')), concurrency: 1 },
].filter((p) => p.files.length > 0);

function run(files, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files], { stdio: ['inherit', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      text += d;
    });
    child.on('exit', (code) => {
      const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      resolve({ code: code ?? 1, passed: count('pass'), failed: count('fail') });
    });
  });
}

let status = 0;
let passed = 0;
let failed = 0;
for (const { files, concurrency } of phases) {
  const result = await run(files, concurrency);
  status ||= result.code;
  passed += result.passed;
  failed += result.failed;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(status);
