// npm run mutate: StrykerJS over the core (src/pop3, src/store, src/sync, src/mime) with the unit
// tier as its tests, each test file run only for the mutants it reaches; then the score per folder
// and the surviving mutants. The long randomized tests run with smaller counts here (their full
// counts run in npm test). Usage: npm run mutate [-- --mutate "src/pop3/**/*.ts"]
// `npm run mutate -- --sanitizer`: the reader's HTML sanitizer (webview/reader/sanitize.ts), whose
// tests are its unit tests and the Chromium tier's walls-alone tests (stryker.sanitizer.json; each
// mutant runs them whole, about 4 s, in a browser page that is told which mutant is on).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const sanitizer = process.argv.includes('--sanitizer');
const extra = process.argv.slice(2).filter((a) => a !== '--sanitizer');
const env = { ...process.env, FETCH_TRIALS: '40', CRASH_KILLS: '10', FUZZ_SESSIONS: '60' };
const run = spawnSync('npx', ['stryker', 'run', ...(sanitizer ? ['stryker.sanitizer.json'] : []), ...extra], { stdio: 'inherit', env });
if (run.status !== 0) process.exit(run.status ?? 1); // a failed run leaves an older report: never print that one
const report = JSON.parse(readFileSync('test-artifacts/mutation/report.json', 'utf8'));
const byFolder = new Map();
const survivors = [];
for (const [file, { mutants }] of Object.entries(report.files)) {
  const folder = file.split('/').slice(0, 2).join('/');
  const tally = byFolder.get(folder) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') tally.killed++;
    else if (m.status === 'Timeout') tally.timeout++;
    else if (m.status === 'Survived') tally.survived++;
    else if (m.status === 'NoCoverage') tally.noCoverage++;
    else tally.other++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') survivors.push(`${file}:${m.location.start.line} ${m.mutatorName} ${JSON.stringify(m.replacement ?? '').slice(0, 80)} (${m.status})`);
  }
  byFolder.set(folder, tally);
}
console.log('\nmutation score per folder (killed + timeout) / (all valid):');
for (const [folder, t] of [...byFolder].sort()) {
  const valid = t.killed + t.timeout + t.survived + t.noCoverage;
  console.log(`  ${folder.padEnd(12)} ${((100 * (t.killed + t.timeout)) / Math.max(1, valid)).toFixed(1)} %  (${t.killed} killed, ${t.timeout} timeout, ${t.survived} survived, ${t.noCoverage} no coverage)`);
}
console.log(`\nsurvivors (${survivors.length}):`);
for (const s of survivors) console.log(`  ${s}`);
process.exit(run.status ?? 1);
