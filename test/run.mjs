// Runs every test tier with Node's test runner over the transpiled tests in out/ (see build.mjs).
// Tiers that need a system tool skip with an install hint when run by hand and fail under CI=true.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2); // optional tier names: unit interop ...
const tiers = readdirSync('out/test', { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'support' && (only.length === 0 || only.includes(d.name)))
  .map((d) => d.name);
const files = tiers.flatMap((tier) =>
  readdirSync(join('out/test', tier), { recursive: true })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => join('out/test', tier, f)),
);
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
