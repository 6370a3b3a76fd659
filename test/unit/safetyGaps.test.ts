/**
 * Guarantees that a mutation run showed no test was watching: deleting from the server only what
 * was asked and is stored complete, the clear-text login default, the trace redaction of every
 * login mechanism, headers-only copies never deleted, the body terminator's state across chunks.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAccount, pop3Options } from '../../src/accounts/account';
import { Pop3Client, Pop3Error, type AuthMechanism } from '../../src/pop3';
import { ResponseParser } from '../../src/pop3/responseParser';
import { AccountStore } from '../../src/store/accountStore';
import { deleteFromServerNow, fetchMail, type FetchOptions } from '../../src/sync/fetch';
import type { Pop3Server } from '../../src/demo/pop3Server';
import { mail, scriptedFixture, scriptedLogin } from '../support/scripted';

const { freshRoot, serve } = scriptedFixture('gaps');

const PASSWORD = 'S3cret-pw!';
const connectOptions = scriptedLogin;
const fetchOptions = (storeRoot: string, server: Pop3Server, extra: Partial<FetchOptions> = {}): FetchOptions => ({ storeRoot, server: connectOptions(server), ...extra });

describe('Delete Message from Server Now', () => {
  test('deletes only the requested messages that are stored complete; headers-only and unknown ones never', async () => {
    const big = mail('big', 'x'.repeat(5000));
    const server = await serve({ messages: [mail('one'), mail('two'), big, mail('three')] });
    const root = freshRoot();
    await fetchMail(fetchOptions(root, server, { sizeLimit: 1000 }));
    const store = await AccountStore.open(root);
    const keyOf = (subject: string) => store.list().find((m) => m.subject === subject)!.uidl!;
    assert.notEqual(store.list().find((m) => m.subject === 'big')!.partialOf, undefined, 'big is headers only');
    const deleted = await deleteFromServerNow({ storeRoot: root, server: connectOptions(server) }, [keyOf('two'), keyOf('big'), 'not-a-stored-uidl']);
    assert.equal(deleted, 1);
    assert.deepEqual(server.deleted.map((m) => m.data.toString().split('\r\n')[1]), ['Subject: two']);
    assert.equal(server.mailbox.length, 3);
  });

  test('a fetch with delete right after download never deletes a headers-only copy', async () => {
    const server = await serve({ messages: [mail('small'), mail('big', 'x'.repeat(5000))] });
    const root = freshRoot();
    await fetchMail(fetchOptions(root, server, { sizeLimit: 1000, policy: { deleteAfterDownload: true } }));
    await fetchMail(fetchOptions(root, server, { sizeLimit: 1000, policy: { deleteAfterDownload: true, deleteAfterDays: 1 }, now: () => Date.now() + 9e9 }));
    assert.deepEqual(server.mailbox.map((m) => m.uid), ['uid-2']);
  });
});

describe('a password never crosses an unencrypted link by default', () => {
  test('the client default: security "none" with the option left out refuses to send PASS', async () => {
    const server = await serve({ messages: [], greeting: '+OK no apop here' });
    const options = connectOptions(server, { credentials: { user: 'alice', password: 'secret' } });
    delete options.allowInsecureAuth;
    await assert.rejects(Pop3Client.connect(options), (err: unknown) => err instanceof Pop3Error && err.kind === 'insecure');
    assert.ok(!server.sessions.flatMap((s) => s.commands).some((c) => /^(PASS|AUTH|USER)/.test(c)));
  });

  test('an account as the wizard saves it (no allowInsecureAuth field) refuses too', async () => {
    const server = await serve({ messages: [], greeting: '+OK no apop here' });
    const parsed = parseAccount({ id: 'w', address: 'alice@example.org', host: '127.0.0.1', port: server.port, security: 'none', user: 'alice' });
    assert.ok('account' in parsed);
    const options = pop3Options(parsed.account, 'secret', { timeouts: { connectMs: 2000, greetingMs: 2000, responseMs: 2000 } });
    await assert.rejects(Pop3Client.connect(options), (err: unknown) => err instanceof Pop3Error && err.kind === 'insecure');
    assert.ok(!server.sessions.flatMap((s) => s.commands).some((c) => /^(PASS|AUTH|USER)/.test(c)));
  });
});

describe('the protocol trace never shows a secret', () => {
  // A server that accepts every mechanism: each answers +OK at the step where a real one checks.
  const saslServer = () =>
    serve({
      messages: [],
      pass: PASSWORD,
      capa: ['USER', 'UIDL', 'SASL PLAIN LOGIN CRAM-MD5 XOAUTH2'],
      intercept: (cmd, s) => {
        if (/^AUTH (PLAIN|XOAUTH2) \S+/.test(cmd) || /^APOP /.test(cmd)) return s.write('+OK logged in\r\n'), true;
        if (cmd === 'AUTH LOGIN') return s.write('+ VXNlcm5hbWU6\r\n'), true;
        if (cmd === 'AUTH CRAM-MD5') return s.write('+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZS5uZXQ+\r\n'), true;
        const last = s.commands.at(-2) ?? '';
        if (last === 'AUTH LOGIN') return s.write('+ UGFzc3dvcmQ6\r\n'), true;
        if (last.startsWith('AUTH LOGIN') || last === 'AUTH CRAM-MD5') return s.write('+OK logged in\r\n'), true;
        const beforeLast = s.commands.at(-3) ?? '';
        if (beforeLast === 'AUTH LOGIN') return s.write('+OK logged in\r\n'), true;
        return false;
      },
    });
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const secrets = [PASSWORD, b64(PASSWORD), b64(`\0alice\0${PASSWORD}`), 'tok-SECRET', b64('user=alice\x01auth=Bearer tok-SECRET\x01\x01')];

  for (const mechanism of ['USER', 'APOP', 'PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'] as AuthMechanism[]) {
    test(`${mechanism}: neither the password nor its base64 forms reach the trace`, async () => {
      const server = await saslServer();
      const lines: string[] = [];
      const client = await Pop3Client.connect(
        connectOptions(server, {
          credentials: { user: 'alice', password: PASSWORD, accessToken: 'tok-SECRET', mechanism },
          trace: (dir, line) => lines.push(`${dir} ${line}`),
        }),
      );
      assert.equal(client.mechanism, mechanism);
      await client.quit();
      const trace = lines.join('\n');
      for (const secret of secrets) assert.ok(!trace.includes(secret), `${mechanism} trace shows ${secret}:\n${trace}`);
      // Whatever carried the secret on the wire (PASS, the APOP digest, a SASL response) is not in the trace.
      const carriers = server.sessions.flatMap((s) => s.commands).filter((c) => !/^(CAPA|QUIT|USER alice|AUTH [\w-]+)$/.test(c));
      assert.ok(carriers.length > 0);
      for (const line of carriers) assert.ok(!trace.includes(line.split(' ').at(-1)!), `${mechanism}: the trace repeats "${line}"`);
    });
  }
});

describe('the body terminator across chunk boundaries', () => {
  // Each pair: the wire split in two at the given offset from the end of the first piece.
  const cases: Array<[string, string, string]> = [
    ['"\\r\\n." then "\\r\\n" ends the body', 'line\r\n.', '\r\n'],
    ['"\\r\\n.\\r" then "\\n" ends the body', 'line\r\n.\r', '\n'],
    ['"\\r\\n.\\r" then "x" is data (a dot line), not the end', 'line\r\n.\r', 'x\r\n.\r\n'],
    ['"\\r\\n." then "." is an unstuffed dot', 'line\r\n.', '.more\r\n.\r\n'],
    ['"\\r" then "\\n.\\r\\n" ends the body', 'line\r', '\n.\r\n'],
  ];
  for (const [name, first, second] of cases) {
    test(name, () => {
      const whole = Buffer.from(`+OK\r\n${first}${second}`);
      const expected = collect([whole]);
      const split = collect([Buffer.from(`+OK\r\n${first}`), Buffer.from(second)]);
      assert.deepEqual(split, expected);
      assert.ok(expected.ended);
    });
  }

  function collect(chunks: Buffer[]): { body: string; ended: boolean } {
    const parser = new ResponseParser(512);
    const out = { body: '', ended: false };
    parser.expect({ multiline: true, onStatus: () => undefined, onData: (c) => ((out.body += c.toString('latin1')), true), onEnd: () => (out.ended = true) });
    for (const c of chunks) parser.feed(c);
    return out;
  }
});
