/**
 * Queueing and sending one message in a child process, for the kill tests: the parent kills it
 * with SIGKILL at a random moment. argv: <storeRoot> <smtp options as JSON> <subject>.
 */
import { draftText, emptyFields, readDraft } from '../../src/compose/draft';
import { Outbox } from '../../src/compose/outbox';
import { buildMessage } from '../../src/compose/outgoing';
import { sendMessage, type SmtpOptions } from '../../src/smtp/smtpClient';
import { openLocalFolders } from '../../src/store/localFolder';

const [storeRoot, smtpJson, subject] = process.argv.slice(2);
const smtp = JSON.parse(smtpJson) as SmtpOptions;

async function main(): Promise<void> {
  const folders = await openLocalFolders(storeRoot);
  const outbox = await Outbox.forAccount(storeRoot, folders);
  const draft = readDraft(draftText({ ...emptyFields('Alice <alice@example.org>'), to: 'bob@example.org', subject, body: `Sent by the kill test: ${subject}` }));
  await outbox.queue(await buildMessage(draft, { accountId: 'alice', references: [] }));
  process.stdout.write('queued\n');
  await outbox.send((raw, envelope, handingOver) =>
    sendMessage(smtp, raw, envelope, async () => {
      await handingOver();
      process.stdout.write('handing over\n');
    }),
  );
  process.stdout.write('sent\n');
}
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(String(err));
    process.exit(1);
  },
);
