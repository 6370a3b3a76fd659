/**
 * Search against notmuch (part of `npm run bench`): one Maildir of realistic mail (bench/mailCorpus.ts),
 * indexed by Mail Panel (src/search, the same code the worker runs, here in this process) and by
 * Debian's notmuch (Xapian) in the same run. Prints index build speed, index size against the
 * mail's, query times (median and p95 over a fixed set of queries, each run 3 times; notmuch's
 * include starting its process, as a user or a script meets it) and, for the queries both
 * understand, whether both find the same messages, with the differences.
 * No assertions: figures for the issue's targets. SEARCH_BENCH_COUNT sets the size (default 100,000).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { folderMessages } from '../src/list/listMessage';
import { compile } from '../src/search/evaluate';
import { updateIndex } from '../src/search/indexer';
import { placeByAccount, Placement } from '../src/search/placement';
import { parseQuery } from '../src/search/query';
import { SearchIndex } from '../src/search/searchIndex';
import { indexPath, storedMessages } from '../src/search/searchService';
import { AccountStore } from '../src/store/accountStore';
import { fileName, newMessageId } from '../src/store/maildir';
import { realisticMessage } from './mailCorpus';

const ROOT = join(__dirname, '..', '..');
const COUNT = Number(process.env.SEARCH_BENCH_COUNT ?? 100_000);

/** [ours, notmuch's] — undefined where notmuch has no equal. */
const QUERIES: Array<[string, string | undefined]> = [
  ['please', 'please'], // in most messages, as a few words of any language are: the worst case
  ['report', 'report'],
  ['invoice', 'invoice'],
  ['budget meeting', 'budget AND meeting'],
  ['"release plan"', '"release plan"'],
  ['from:user12@example.org', 'from:user12@example.org'],
  ['to:peer5@example.net', 'to:peer5@example.net'],
  ['subject:deadline', 'subject:deadline'],
  ['subject:"weekly notes"', 'subject:"weekly notes"'],
  ['attachment:invoice', 'attachment:invoice'],
  ['has:attachment', 'tag:attachment'],
  ['is:unread', 'tag:unread'],
  ['date:2025-06', 'date:2025-06-01..2025-06-30'],
  ['before:2025-03-01', 'date:..2025-02-28'],
  ['after:2026-10', 'date:2026-11-01..'],
  ['report -invoice', 'report AND NOT invoice'],
  ['invoice OR contract', 'invoice OR contract'],
  ['(budget OR invoice) deadline', '(budget OR invoice) AND deadline'],
  ['münchen', 'münchen'],
  ['munchen', undefined], // accents folded: notmuch keeps them
  ['отчёт', 'отчёт'],
  ['北京', '北京'],
  ['proposal design review', 'proposal AND design AND review'],
  ['from:renee', undefined], // "Renée" without its accent
];

function du(path: string, which: (name: string) => boolean = () => true): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && which(entry.name)) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.95))];

async function main(): Promise<void> {
  console.log(`\nsearch, ${COUNT.toLocaleString('en-US')} realistic messages (Mail Panel's FTS5 index against notmuch):`);
  const root = mkdtempSync(join(tmpdir(), 'mail-panel-search-bench-'));
  try {
    const cur = join(root, 'Maildir', 'cur');
    for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(root, 'Maildir', sub), { recursive: true });
    let mailBytes = 0;
    for (let i = 0; i < COUNT; i++) {
      const { raw, seen } = realisticMessage(1, i);
      mailBytes += raw.length;
      writeFileSync(join(cur, fileName({ id: newMessageId(), dir: 'cur', size: raw.length, uidl: `u${i}`, flags: seen ? 'S' : '' })), raw);
    }
    const store = await AccountStore.open(root);

    // Mail Panel: the index built from nothing.
    let started = performance.now();
    const index = await SearchIndex.open(indexPath(root));
    updateIndex(index, storedMessages(store));
    const oursBuildMs = performance.now() - started;
    const oursBytes = du(root, (name) => name.startsWith('search.db')); // with its write-ahead log

    // notmuch, over the same Maildir (its database inside it, as notmuch keeps it).
    const config = join(root, 'notmuch-config');
    writeFileSync(config, `[database]\npath=${join(root, 'Maildir')}\n[new]\ntags=unread;inbox\nignore=\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=true\n`);
    const env = { ...process.env, NOTMUCH_CONFIG: config };
    started = performance.now();
    const made = spawnSync('notmuch', ['new', '--quiet'], { env, encoding: 'utf8' });
    const notmuchBuildMs = performance.now() - started;
    if (made.status !== 0) throw new Error(`notmuch new failed: ${made.stderr}`);
    const notmuchBytes = du(join(root, 'Maildir', '.notmuch'));

    const messages = folderMessages(store, 'inbox', 'a', 'alice@example.org');
    // As the worker holds it for the list that asks: where each indexed message stands in the list.
    const placement = new Placement(1, placeByAccount(messages).get('a')!);
    placement.places(index, new Int32Array(0));
    const idOfFile = new Map(storedMessages(store).map((m) => [basename(m.path).split(':')[0], m.id]));
    const ours: number[] = [];
    const theirs: number[] = [];
    const rows: string[] = [];
    for (const [query, notmuchQuery] of QUERIES) {
      let found = new Set<string>();
      for (let run = 0; run < 3; run++) {
        const t = performance.now();
        // What a query costs in the product: the index's rows turned into places in the list (the
        // worker), a flag per message, and the query's test of each of the 100,000 (the host).
        const test = compile(parseQuery(query), messages, (field, words) => {
          const flags = new Uint8Array(messages.length);
          for (const place of placement.places(index, index.rowsMatching(field, words)).places) flags[place] = 1;
          return (i) => flags[i] === 1;
        });
        const pass = new Uint8Array(messages.length);
        for (let i = 0; i < messages.length; i++) pass[i] = test(i) ? 1 : 0;
        ours.push(performance.now() - t);
        found = new Set(messages.filter((_, i) => pass[i]).map((m) => m.id));
      }
      let line = `  ${query.padEnd(32)} ours ${String(found.size).padStart(6)}`;
      if (notmuchQuery) {
        let files: string[] = [];
        for (let run = 0; run < 3; run++) {
          const t = performance.now();
          const result = spawnSync('notmuch', ['search', '--output=files', '--exclude=false', notmuchQuery], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
          theirs.push(performance.now() - t);
          files = result.stdout.split('\n').filter(Boolean);
        }
        const theirIds = new Set(files.map((f) => idOfFile.get(basename(f).split(':')[0])).filter((id): id is string => !!id));
        const onlyOurs = [...found].filter((id) => !theirIds.has(id)).length;
        const onlyTheirs = [...theirIds].filter((id) => !found.has(id)).length;
        line += `   notmuch ${String(theirIds.size).padStart(6)}   ${onlyOurs || onlyTheirs ? `differ: ${onlyOurs} only ours, ${onlyTheirs} only notmuch's` : 'same'}`;
      }
      rows.push(line);
    }
    await index.close();
    await store.close();

    const f = (n: number) => n.toFixed(0);
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(`  mail: ${mb(mailBytes)} MB in ${COUNT.toLocaleString('en-US')} files`);
    console.log(`  index build: Mail Panel ${f(oursBuildMs)} ms (${f((COUNT / oursBuildMs) * 1000)} messages/s), notmuch ${f(notmuchBuildMs)} ms (${f((COUNT / notmuchBuildMs) * 1000)} messages/s): ${(notmuchBuildMs / oursBuildMs).toFixed(2)}x`);
    console.log(`  index size: Mail Panel ${mb(oursBytes)} MB (${((oursBytes / mailBytes) * 100).toFixed(1)} % of the mail), notmuch ${mb(notmuchBytes)} MB (${((notmuchBytes / mailBytes) * 100).toFixed(1)} %)`);
    console.log(`  query: Mail Panel median ${median(ours).toFixed(1)} ms, p95 ${p95(ours).toFixed(1)} ms; notmuch (a process per query) median ${median(theirs).toFixed(1)} ms, p95 ${p95(theirs).toFixed(1)} ms`);
    console.log(rows.join('\n'));
    writeFileSync(
      join(ROOT, 'bench', 'search-results.json'),
      `${JSON.stringify({ date: new Date().toISOString(), count: COUNT, mailBytes, ours: { buildMs: oursBuildMs, bytes: oursBytes, queryMedianMs: median(ours), queryP95Ms: p95(ours) }, notmuch: { buildMs: notmuchBuildMs, bytes: notmuchBytes, queryMedianMs: median(theirs), queryP95Ms: p95(theirs) }, queries: rows.map((r) => r.trim()) }, null, 2)}\n`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
