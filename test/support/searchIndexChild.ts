/**
 * Builds a search index in a child process, for the crash test: the parent kills it with SIGKILL
 * at a random moment. argv: <index path>. Adds batches of 50 messages (ids b<batch>-<n>, each with
 * the word "common" and its batch's word), printing "committed <batch>" after each.
 */
import { SearchIndex } from '../../src/search/searchIndex';

async function main(path: string): Promise<void> {
  const index = await SearchIndex.open(path);
  const start = index.contents().size / 50;
  for (let batch = start; ; batch++) {
    index.add(Array.from({ length: 50 }, (_, n) => ({ id: `b${batch}-${n}`, size: 1, from: `Sender ${n} <s${n}@example.org>`, to: 'me@example.org', subject: `batch${batch} report`, body: `common words ${'filler text '.repeat(200)} batch${batch}`, attachments: [] })));
    process.stdout.write(`committed ${batch}\n`);
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(String(err));
  process.exit(1);
});
