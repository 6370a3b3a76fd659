import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Pop3Client, Pop3Error, type Pop3Options } from '../../src/pop3';
import { startPop3Server, type Pop3ServerOptions, type Pop3Server } from '../../src/demo/pop3Server';
import { scriptedLogin } from '../support/scripted';

const servers: Pop3Server[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const SAMPLE = [
  Buffer.from('Subject: one\r\n\r\nHello\r\n.leading dot\r\n'),
  Buffer.from('Subject: two\r\n\r\n\xe9t\xe9 \xff\r\n', 'latin1'),
  Buffer.alloc(0),
];

async function serve(options: Partial<Pop3ServerOptions> = {}): Promise<Pop3Server> {
  const server = await startPop3Server({ messages: SAMPLE, ...options });
  servers.push(server);
  return server;
}

function login(server: Pop3Server, extra: Partial<Pop3Options> = {}): Promise<Pop3Client> {
  return Pop3Client.connect(scriptedLogin(server, { timeouts: { connectMs: 2000, greetingMs: 500, responseMs: 500 }, ...extra }));
}

async function rejectsWith(promise: Promise<unknown>, kind: Pop3Error['kind'], message?: RegExp): Promise<Pop3Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Pop3Error, `expected a Pop3Error, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind of "${err.message}"`);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

describe('POP3 client against a scripted server', () => {
  test('reads, lists and retrieves byte-exact', async () => {
    const server = await serve();
    const client = await login(server);
    assert.deepEqual(await client.stat(), { count: 3, size: SAMPLE.reduce((a, m) => a + m.length, 0) });
    assert.deepEqual(await client.list(), SAMPLE.map((m, i) => ({ msg: i + 1, size: m.length })));
    assert.deepEqual(await client.uidl(), [1, 2, 3].map((msg) => ({ msg, uid: `uid-${msg}` })));
    for (let i = 0; i < SAMPLE.length; i++) assert.deepEqual(await client.retrieveBuffer(i + 1), SAMPLE[i]);
    await client.quit();
  });

  test('a terminator split across packets still ends the message', async () => {
    const server = await serve({ splitWrites: 3 });
    const client = await login(server);
    assert.deepEqual(await client.retrieveBuffer(1), SAMPLE[0]);
    await client.quit();
  });

  test('an empty message comes back empty', async () => {
    const server = await serve();
    const client = await login(server);
    assert.equal((await client.retrieveBuffer(3)).length, 0);
    await client.quit();
  });

  test('a connection dropped mid-RETR is a connection error, and nothing hangs', async () => {
    const big = Buffer.alloc(200_000, 'x');
    const server = await serve({
      messages: [big],
      intercept: (cmd, s) => {
        if (!cmd.startsWith('RETR')) return false;
        s.socket.write(`+OK\r\n${'x'.repeat(50_000)}`, () => s.socket.destroy());
        return true;
      },
    });
    const client = await login(server);
    await rejectsWith(client.retrieveBuffer(1), 'connection', /closed the connection|cut/);
    await rejectsWith(client.noop(), 'connection'); // later commands fail at once with the same cause
  });

  for (const step of ['USER', 'PASS', 'STAT', 'LIST', 'UIDL', 'TOP', 'RETR', 'DELE', 'NOOP', 'RSET', 'QUIT']) {
    test(`-ERR in answer to ${step} becomes a typed error`, async () => {
      const server = await serve({ errOn: step, errText: 'nope' });
      const run = async () => {
        const client = await login(server);
        const calls: Record<string, () => Promise<unknown>> = {
          STAT: () => client.stat(),
          LIST: () => client.list(),
          UIDL: () => client.uidl(),
          TOP: () => client.top(1, 0),
          RETR: () => client.retrieveBuffer(1),
          DELE: () => client.dele(1),
          NOOP: () => client.noop(),
          RSET: () => client.rset(),
          QUIT: () => client.quit(),
        };
        await calls[step]();
      };
      const err = await rejectsWith(run(), step === 'USER' || step === 'PASS' ? 'auth' : 'server');
      assert.equal(err.serverText, 'nope');
    });
  }

  test('a -ERR greeting is refused', async () => {
    const server = await serve({ greeting: '-ERR go away' });
    await rejectsWith(login(server), 'server', /go away/);
  });

  test('extended response codes become errors a person understands', async () => {
    const cases: Array<[string, Pop3Error['kind'], RegExp]> = [
      ['[IN-USE] Mailbox locked', 'in-use', /locked by another mail client/],
      ['[LOGIN-DELAY] wait', 'login-delay', /only every few minutes/],
      ['[SYS/TEMP] disk', 'temporary', /temporary problem/],
      ['[SYS/PERM] gone', 'permanent', /permanent problem/],
      ['[AUTH] bad', 'auth', /Wrong user name or password/],
    ];
    for (const [text, kind, message] of cases) {
      const server = await serve({ errOn: 'PASS', errText: text });
      await rejectsWith(login(server), kind, message);
    }
  });

  test('a server without CAPA: automatic login falls to USER when APOP is not offered', async () => {
    const server = await serve({ capa: null, greeting: '+OK plain server' });
    const client = await login(server, { credentials: { user: 'alice', password: 'secret' } });
    assert.equal(client.capabilities, null);
    assert.equal(client.mechanism, 'USER');
    await Promise.all([client.retrieveBuffer(1), client.retrieveBuffer(2), client.list()]);
    assert.equal(server.maxOutstanding, 1, 'no pipelining without the capability');
    await client.quit();
  });

  test('without PIPELINING commands go one at a time; with it they are pipelined and stay in order', async () => {
    const lockStep = await serve({ capa: ['USER', 'UIDL', 'TOP'] });
    let client = await login(lockStep);
    let bodies = await Promise.all([1, 2, 3, 1, 2].map((n) => client.retrieveBuffer(n)));
    assert.deepEqual(bodies, [1, 2, 3, 1, 2].map((n) => SAMPLE[n - 1]));
    assert.equal(lockStep.maxOutstanding, 1);
    await client.quit();

    const pipelined = await serve();
    client = await login(pipelined);
    bodies = await Promise.all([1, 2, 3, 1, 2].map((n) => client.retrieveBuffer(n)));
    assert.deepEqual(bodies, [1, 2, 3, 1, 2].map((n) => SAMPLE[n - 1]));
    assert.ok(pipelined.maxOutstanding > 1, `pipelined ${pipelined.maxOutstanding}`);
    await client.quit();
  });

  test('without UIDL or TOP the error says the server does not support it', async () => {
    const server = await serve({ capa: ['USER'], uidl: false, top: false });
    const client = await login(server);
    await rejectsWith(client.uidl(), 'unsupported');
    await rejectsWith(client.top(1, 0), 'unsupported');
    await client.quit();
  });

  test('a server that never greets times out', async () => {
    const server = await serve({ greeting: null });
    const started = Date.now();
    await rejectsWith(login(server, { timeouts: { greetingMs: 200 } }), 'timeout', /did not answer within/);
    assert.ok(Date.now() - started < 5000);
  });

  test('a server that stalls mid-message times out', async () => {
    const server = await serve({
      intercept: (cmd, s) => {
        if (!cmd.startsWith('RETR')) return false;
        s.write('+OK\r\nSubject: stall\r\n');
        return true;
      },
    });
    const client = await login(server, { timeouts: { responseMs: 200 } });
    await rejectsWith(client.retrieveBuffer(1), 'timeout');
  });

  test('an overlong line without CRLF is refused with bounded memory', async () => {
    const flood = await startPop3Server({ messages: [], greeting: 'X'.repeat(1_000_000) });
    servers.push(flood);
    await rejectsWith(login(flood, { maxLineLength: 4096 }), 'protocol', /longer than 4096 bytes/);
  });

  test('garbage bytes are a protocol error', async () => {
    const server = await serve({ greeting: '\x00\xff\x13garbage\x7f' });
    await rejectsWith(login(server), 'protocol', /not a POP3 response/);
    const midway = await serve({
      intercept: (cmd, s) => {
        if (cmd !== 'STAT') return false;
        s.write('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\r\n');
        return true;
      },
    });
    const client = await login(midway);
    await rejectsWith(client.stat(), 'protocol');
  });

  test('a broken UIDL line loses only its own message, never the whole listing', async () => {
    const server = await serve({
      intercept: (cmd, s) => {
        if (cmd !== 'UIDL') return false;
        s.write('+OK\r\n1 has spaces in it\r\n2 ctl\x01byte\r\ngarbage\r\n3 \r\n4 ok-4\r\n.\r\n');
        return true;
      },
    });
    const client = await login(server);
    assert.deepEqual(await client.uidl(), [
      { msg: 1, uid: 'has spaces in it' },
      { msg: 2, uid: 'ctl\x01byte' },
      { msg: 4, uid: 'ok-4' },
    ]);
  });

  test('an AbortSignal cancels a retrieval in progress', async () => {
    const server = await serve({
      intercept: (cmd, s) => {
        if (!cmd.startsWith('RETR')) return false;
        s.write('+OK\r\npartial');
        return true;
      },
    });
    const controller = new AbortController();
    const client = await login(server, { signal: controller.signal, timeouts: { responseMs: 10_000 } });
    const pending = client.retrieveBuffer(1);
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, 'cancelled');
  });

  test('STARTTLS required but not offered: fails and sends no credentials', async () => {
    const server = await serve({ capa: ['USER', 'UIDL'] });
    await rejectsWith(login(server, { security: 'starttls' }), 'insecure', /does not offer STARTTLS/);
    const sent = server.sessions.flatMap((s) => s.commands);
    assert.ok(!sent.some((c) => /^(USER|PASS|AUTH|APOP)/.test(c)), `sent: ${sent.join(', ')}`);
  });

  test('a password is not sent in clear unless the account allows it', async () => {
    const server = await serve({ greeting: '+OK no apop here' });
    await rejectsWith(login(server, { allowInsecureAuth: false, credentials: { user: 'alice', password: 'secret' } }), 'insecure');
    assert.ok(!server.sessions.flatMap((s) => s.commands).some((c) => c.startsWith('PASS')));
  });

  test('automatic login moves on when the server refuses APOP it announced', async () => {
    const server = await serve(); // the greeting has an APOP timestamp; APOP itself is refused
    const client = await login(server, { credentials: { user: 'alice', password: 'secret' } });
    assert.equal(client.mechanism, 'USER');
    assert.deepEqual(server.sessions[0].commands.filter((c) => /^(APOP|USER|PASS)/.test(c)).map((c) => c.split(' ')[0]), ['APOP', 'USER', 'PASS']);
    await client.quit();
  });

  test('a server that hangs up after refusing APOP is called again for the next mechanism', async () => {
    const server = await serve({
      intercept: (cmd, s) => {
        if (!cmd.startsWith('APOP')) return false;
        s.socket.end('-ERR [AUTH] APOP not available for this user\r\n');
        return true;
      },
    });
    const client = await login(server, { credentials: { user: 'alice', password: 'secret' } });
    assert.equal(client.mechanism, 'USER');
    assert.equal(server.sessions.length, 2);
    await client.quit();
  });

  test('falling back never sends a password in clear that the account does not allow', async () => {
    const server = await serve();
    await rejectsWith(login(server, { allowInsecureAuth: false, credentials: { user: 'alice', password: 'secret' } }), 'auth');
    assert.ok(!server.sessions.flatMap((s) => s.commands).some((c) => /^(PASS|USER|AUTH)/.test(c)));
  });

  test('a named login method is the only one tried', async () => {
    const server = await serve();
    await rejectsWith(login(server, { credentials: { user: 'alice', password: 'secret', mechanism: 'APOP' } }), 'auth');
    assert.ok(!server.sessions.flatMap((s) => s.commands).some((c) => c.startsWith('USER')));
  });

  test('the trace never shows the password', async () => {
    const server = await serve();
    const lines: string[] = [];
    const client = await login(server, { trace: (dir, line) => lines.push(`${dir} ${line}`) });
    await client.quit();
    assert.ok(lines.some((l) => l === 'send PASS ********'));
    assert.ok(!lines.join('\n').includes('secret'));
  });

  test('a user name with a line break is refused before anything is sent', async () => {
    const server = await serve();
    await rejectsWith(login(server, { credentials: { user: 'alice\r\nDELE 1', password: 'secret', mechanism: 'USER' } }), 'auth', /line break/);
    assert.ok(!server.sessions.flatMap((s) => s.commands).some((c) => c.startsWith('DELE')));
  });

  test('XOAUTH2 sends the token as RFC 7628 asks and ends a failed exchange cleanly', async () => {
    let initial = '';
    const server = await serve({
      capa: ['SASL XOAUTH2', 'UIDL'],
      intercept: (cmd, s) => {
        if (cmd.startsWith('AUTH XOAUTH2')) {
          initial = cmd.split(' ')[2];
          s.write('+ eyJzdGF0dXMiOiI0MDEifQ==\r\n');
          return true;
        }
        if (cmd === '') {
          s.write('-ERR [AUTH] token expired\r\n');
          return true;
        }
        return false;
      },
    });
    await rejectsWith(login(server, { security: 'none', allowInsecureAuth: true, credentials: { user: 'alice', accessToken: 'tok' } }), 'auth');
    assert.equal(Buffer.from(initial, 'base64').toString(), 'user=alice\x01auth=Bearer tok\x01\x01');
  });

  test('a large message streams with backpressure and arrives intact', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(i % 7 === 0 ? `.line ${i}` : `line ${i} ${'z'.repeat(i % 90)}`);
    const big = Buffer.from(`Subject: big\r\n\r\n${lines.join('\r\n')}\r\n`);
    const server = await serve({ messages: [big] });
    const client = await login(server);
    const stream = client.retrieveStream(1);
    const got: Buffer[] = [];
    for await (const chunk of stream) {
      got.push(chunk as Buffer);
      if (got.length % 8 === 0) await new Promise((r) => setTimeout(r, 1)); // a slow consumer
    }
    assert.deepEqual(Buffer.concat(got), big);
    await client.quit();
  });
});
