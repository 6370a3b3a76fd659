/**
 * A store move in a child process, for the crash test: the parent kills it with SIGKILL at a
 * random moment. argv: <from> <to>. Says "moving" when it starts.
 */
import { moveStore } from '../../src/store/location';

const [from, to] = process.argv.slice(2);
process.stdout.write('moving\n');
moveStore(from, to).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(String(err));
    process.exit(1);
  },
);
