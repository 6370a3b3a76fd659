/**
 * A fetch in a child process, for the crash tests: the parent kills it with SIGKILL at a random
 * moment. argv: <port> <storeRoot>.
 */
import { fetchMail } from '../../src/sync/fetch';

const [port, storeRoot] = process.argv.slice(2);
process.stdout.write('fetching\n'); // the parent starts its kill timer now
fetchMail({
  storeRoot,
  server: {
    host: '127.0.0.1',
    port: Number(port),
    security: 'none',
    allowInsecureAuth: true,
    credentials: { user: 'alice', password: 'secret', mechanism: 'USER' },
  },
  policy: { deleteAfterDownload: true },
  batchMessages: 7,
  // The parent kills at a chosen point of progress: tell it each stored message.
  onProgress: (p) => void (p.phase === 'downloading' && process.stdout.write(`stored ${p.messagesDone}\n`)),
}).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(String(err));
    process.exit(1);
  },
);
