/**
 * Saving one draft over and over in a child process, as a tab saves while one types, for the kill
 * test. argv: <folder> <draft id>. Version n of the text is "version n" followed by n lines.
 */
import { draftFile } from '../../src/compose/draftFile';
import { LocalFolder } from '../../src/store/localFolder';

const [dir, id] = process.argv.slice(2);

export const draftVersion = (n: number) => `From: a@example.org\nTo: b@example.org\nSubject: version ${n}\n\n${Array.from({ length: n }, (_, i) => `line ${i} of version ${n}`).join('\n')}\n`;

async function main(): Promise<void> {
  const drafts = await LocalFolder.open(dir);
  for (let n = 1; ; n++) {
    await drafts.write(draftFile({ accountId: 'acc', references: [] }, draftVersion(n)), id, '');
    process.stdout.write(`saved ${n}\n`);
  }
}
if (require.main === module) void main();
