/**
 * Builds a search index in a child process, for the crash tests. argv: <index path> [inside].
 * Adds batches of 50 messages (ids b<batch>-<n>, each with the word "common" and its batch's
 * word), printing "committed <batch>" after each; the parent kills it with SIGKILL at a random
 * moment. With "inside", it adds one batch and then kills itself in the middle of a second, large
 * one: after SQLite has written some of that transaction's pages to the file (its page cache
 * spills), where a rollback on the next open is all that keeps the half-written batch out.
 */
import { SearchIndex } from '../../src/search/searchIndex';

const message = (batch: number, n: number) => ({ id: `b${batch}-${n}`, size: 1, from: `Sender ${n} <s${n}@example.org>`, to: 'me@example.org', subject: `batch${batch} report`, body: `common words ${'filler text '.repeat(200)} batch${batch}`, attachments: [] });

async function main(path: string, inside: boolean): Promise<void> {
  const index = await SearchIndex.open(path);
  const start = index.contents().size / 50;
  for (let batch = start; ; batch++) {
    if (inside && batch > start) {
      const many = Array.from({ length: 6000 }, (_, n) => ({ ...message(batch, n), body: `common ${Array.from({ length: 200 }, (_, k) => `w${n}x${k}`).join(' ')}` }));
      Object.defineProperty(many[5000], 'from', { get: () => process.kill(process.pid, 'SIGKILL') });
      index.add(many);
    }
    index.add(Array.from({ length: 50 }, (_, n) => message(batch, n)));
    process.stdout.write(`committed ${batch}\n`);
  }
}

main(process.argv[2], process.argv[3] === 'inside').catch((err: unknown) => {
  console.error(String(err));
  process.exit(1);
});
