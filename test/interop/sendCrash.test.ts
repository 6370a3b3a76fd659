/**
 * Killing VS Code while it sends: SIGKILL at random moments of queueing and sending through a real
 * Postfix. Afterwards every queued message is in the Outbox or in Sent, and the recipient has it at
 * most once: once when it is in Sent, and never when it waits in the Outbox without a cut-short
 * attempt.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Outbox } from '../../src/compose/outbox';
import { parseHeaders } from '../../src/mime/headers';
import { sendMessage, type SmtpOptions } from '../../src/smtp/smtpClient';
import { openLocalFolders } from '../../src/store/localFolder';
import { DOVECOT_BIN, DOVECOT_INSTALL, startDovecot, type Dovecot } from '../support/dovecot';
import { POSTFIX_BIN, POSTFIX_INSTALL, startPostfix, type Postfix } from '../support/postfix';
import { needTool } from '../support/tier';

const skip = needTool('dovecot', DOVECOT_BIN, DOVECOT_INSTALL) || needTool('postfix', POSTFIX_BIN, POSTFIX_INSTALL);
const CHILD = join(__dirname, '..', 'support', 'sendChild.js');
const ROUNDS = Number(process.env.SEND_KILLS ?? 30);

describe('a kill while sending', { skip }, () => {
  let dovecot: Dovecot;
  let postfix: Postfix;
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-sendkill-'));
  before(async () => {
    dovecot = await startDovecot(['alice', 'bob']);
    postfix = await startPostfix(dovecot, ['alice', 'bob']);
  });
  after(async () => {
    await postfix?.stop();
    await dovecot?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test(`${ROUNDS} kills: never lost, never sent twice`, async () => {
    const smtp: SmtpOptions = { host: '127.0.0.1', port: postfix.submissionPort, security: 'starttls', user: 'alice', password: dovecot.password, tls: { pinnedSha256: postfix.fingerprint256 } };
    let seed = 20261124;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const rounds: Array<{ subject: string; root: string; queued: boolean }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const subject = `kill round ${round}`;
      const root = join(scratch, `r${round}`);
      const child = spawn(process.execPath, [CHILD, root, JSON.stringify(smtp), subject], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // A third of the kills aim at the hand-over (the message on its way), a third at the
      // connection and login (after the queue is on disk), a third anywhere.
      const aim = ['handing over', 'queued', ''][Math.floor(random() * 3)];
      if (aim) {
        await new Promise<void>((resolve) => {
          child.stdout.on('data', () => out.includes(aim) && resolve());
          void exited.then(resolve);
        });
      }
      await new Promise((resolve) => setTimeout(resolve, random() * (aim === 'handing over' ? 15 : aim ? 60 : 400)));
      child.kill('SIGKILL');
      await exited;
      rounds.push({ subject, root, queued: out.includes('queued') });
      // The next start of VS Code: the Outbox sends what is due, not what may have gone out.
      const folders = await openLocalFolders(root);
      await (await Outbox.forAccount(root, folders)).send((raw, envelope, handingOver) => sendMessage(smtp, raw, envelope, handingOver));
    }
    await postfix.settled();
    const received = new Map<string, number>();
    for (const f of dovecot.messageFiles('bob')) {
      const subject = parseHeaders(readFileSync(join(dovecot.maildir('bob'), f))).get('subject')?.[0] ?? '';
      received.set(subject, (received.get(subject) ?? 0) + 1);
    }
    const tally = { sent: 0, waiting: 0, interrupted: 0, interruptedButReceived: 0, notQueued: 0 };
    for (const { subject, root, queued } of rounds) {
      const folders = await openLocalFolders(root);
      const outbox = await Outbox.forAccount(root, folders);
      const inSent = folders.sent.size;
      const waiting = outbox.list();
      const copies = received.get(subject) ?? 0;
      assert.ok(copies <= 1, `${subject}: received ${copies} times`);
      assert.ok(inSent + waiting.length <= 1, `${subject}: in Sent and in the Outbox`);
      if (queued) assert.equal(inSent + waiting.length, 1, `${subject}: queued, then lost`);
      if (inSent) {
        assert.equal(copies, 1, `${subject}: in Sent but never received`);
        tally.sent++;
      } else if (waiting[0]?.interrupted) {
        tally.interrupted++;
        tally.interruptedButReceived += copies;
      }
      else if (waiting.length) {
        assert.equal(copies, 0, `${subject}: waiting in the Outbox but already received`);
        tally.waiting++;
      } else {
        assert.equal(copies, 0);
        tally.notQueued++;
      }
    }
    console.log(`# kills while sending: ${JSON.stringify(tally)}`);
  });
});
