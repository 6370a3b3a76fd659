/**
 * The SMTP client against the demo's outgoing server (smtp-server on 127.0.0.1), for what Postfix
 * in the interop tier does not show: a password never crosses an unencrypted link unless allowed,
 * and the errors of each stage say what happened and whether a retry may help.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDemoSmtp, type DemoSmtp } from '../../src/demo/smtpServer';
import { sendMessage, type SmtpOptions } from '../../src/smtp/smtpClient';
import { SmtpError } from '../../src/smtp/smtpErrors';
import { freePort } from '../support/dovecot';

const message = Buffer.from('From: demo@mailpanel.test\r\nTo: demo@mailpanel.test\r\nSubject: hello\r\n\r\nHi there.\r\n');

describe('sending with the SMTP client', () => {
  let server: DemoSmtp;
  const delivered: Buffer[] = [];
  before(async () => {
    server = await startDemoSmtp({ user: 'demo', pass: 'demo' }, 'demo@mailpanel.test', (m) => delivered.push(m));
  });
  after(() => server.close());
  const options = (extra: Partial<SmtpOptions> = {}): SmtpOptions => ({ host: '127.0.0.1', port: server.port, security: 'none', user: 'demo', password: 'demo', allowInsecureAuth: true, timeoutMs: 5000, ...extra });
  const envelope = { from: 'demo@mailpanel.test', to: ['demo@mailpanel.test'] };
  const rejectsWith = (kind: string, text: RegExp, retryable: boolean) => (err: unknown) => {
    assert.ok(err instanceof SmtpError, String(err));
    assert.equal(err.kind, kind);
    assert.match(err.message, text);
    assert.equal(err.retryable, retryable);
    return true;
  };

  test('a message goes out byte for byte, and handingOver runs once, before it', async () => {
    const order: string[] = [];
    const report = await sendMessage(options(), message, envelope, async () => void order.push(`handing over with ${delivered.length} delivered`));
    assert.deepEqual(order, ['handing over with 0 delivered']);
    assert.deepEqual(report.accepted, ['demo@mailpanel.test']);
    assert.deepEqual(delivered.at(-1), message);
  });

  test('a password is never sent over an unencrypted link unless the account allows it', async () => {
    let handedOver = false;
    const before = delivered.length;
    await assert.rejects(sendMessage(options({ allowInsecureAuth: false }), message, envelope, async () => void (handedOver = true)), rejectsWith('insecure', /not encrypted, so the password was not sent/, false));
    assert.equal(handedOver, false);
    assert.equal(delivered.length, before);
  });

  test('each refusal reads as what it is', async () => {
    await assert.rejects(sendMessage(options({ password: 'wrong' }), message, envelope), rejectsWith('auth', /Wrong user name or password for sending through 127\.0\.0\.1/, false));
    await assert.rejects(sendMessage(options(), message, { ...envelope, to: ['someone@elsewhere.test'] }), rejectsWith('relay', /does not relay mail for this account/, false));
  });

  test('nothing listening: a connection error that the Outbox will retry', async () => {
    await assert.rejects(sendMessage(options({ port: await freePort() }), message, envelope), rejectsWith('connection', /Could not reach 127\.0\.0\.1:\d+: nothing is listening there/, true));
  });
});

test('a server that hangs up in the middle is an error, not a wait for ever', async () => {
  const { createServer } = await import('node:net');
  for (const hangUpOn of ['EHLO', 'AUTH', 'MAIL', 'DATA']) {
    const server = createServer((socket) => {
      socket.write('220 scripted ESMTP\r\n');
      socket.on('data', (d: Buffer) => {
        for (const line of d.toString().split('\r\n').filter(Boolean)) {
          if (line.startsWith(hangUpOn)) return void socket.destroy();
          if (line.startsWith('EHLO')) socket.write('250-scripted\r\n250 AUTH PLAIN\r\n');
          else if (line.startsWith('AUTH')) socket.write('235 ok\r\n');
          else if (line.startsWith('MAIL') || line.startsWith('RCPT')) socket.write('250 ok\r\n');
          else if (line === 'DATA') socket.write('354 go\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await assert.rejects(
      sendMessage({ host: '127.0.0.1', port, security: 'none', user: 'u', password: 'p', allowInsecureAuth: true, timeoutMs: 5000 }, message, { from: 'a@b.c', to: ['d@e.f'] }),
      (err: unknown) => err instanceof SmtpError && err.kind === 'connection' && err.retryable,
      hangUpOn,
    );
    server.close();
  }
});
