/**
 * A POP3 session end to end against the scripted server: what the client learns from CAPA and
 * when, how many commands it keeps in flight, how a failed login ends, how a session ends (QUIT
 * applies deletions, close() never does), and the UIDL lines real servers get wrong.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Pop3Client, Pop3Error } from '../../src/pop3';
import { startPop3Server, type Pop3Server, type Pop3ServerOptions } from '../../src/demo/pop3Server';
import { scriptedLogin } from '../support/scripted';

const servers: Pop3Server[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const MESSAGES = Array.from({ length: 10 }, (_, i) => Buffer.from(`Subject: m${i + 1}\r\n\r\n${'body line\r\n'.repeat(i + 1)}`));

async function serve(options: Partial<Pop3ServerOptions> = {}): Promise<Pop3Server> {
  const server = await startPop3Server({ messages: MESSAGES, ...options });
  servers.push(server);
  return server;
}
/** A server that answers `command` with `text`, as it stands, and the rest as usual. */
const answering = (command: string, text: string) => serve({ intercept: (c, s) => c === command && (s.write(text), true) });
const commandsSent = (server: Pop3Server) => server.sessions.flatMap((s) => s.commands);
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('capabilities', () => {
  test('read again after login, where a server may announce more (RFC 2449 section 5)', async () => {
    let loggedIn = false;
    const server = await serve({
      intercept: (command, s) => {
        if (command.startsWith('PASS')) loggedIn = true;
        if (command !== 'CAPA') return false;
        s.write(`+OK\r\nUSER\r\nUIDL\r\n${loggedIn ? 'PIPELINING\r\n' : ''}.\r\n`);
        return true;
      },
    });
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.equal(client.pipelining, true);
    assert.deepEqual(commandsSent(server).filter((c) => c === 'CAPA').length, 2);
    await client.quit();
  });

  test('a server without CAPA is asked once, and offered USER', async () => {
    const server = await serve({ capa: null });
    const client = await Pop3Client.connect(scriptedLogin(server, { credentials: { user: 'alice', password: 'secret' } }));
    assert.equal(client.mechanism, 'USER');
    assert.equal(client.capabilities, null);
    assert.deepEqual(commandsSent(server).filter((c) => c === 'CAPA').length, 1);
    await client.quit();
  });

  test('a CAPA without USER is not offered USER; SASL names are matched in any case; lines may be indented', async () => {
    const server = await serve({
      capa: ['  UIDL', 'SASL plain'],
      intercept: (command, s) => {
        if (command !== `AUTH PLAIN ${b64('\0alice\0secret')}`) return false;
        s.write('+OK welcome\r\n');
        return true;
      },
    });
    const client = await Pop3Client.connect(scriptedLogin(server, { credentials: { user: 'alice', password: 'secret' } }));
    assert.equal(client.mechanism, 'PLAIN');
    assert.equal(client.has('uidl'), true);
    await client.quit();
    const refusing = await serve({ capa: ['UIDL', 'SASL PLAIN'], errOn: 'AUTH', errText: 'no' });
    await assert.rejects(Pop3Client.connect(scriptedLogin(refusing, { credentials: { user: 'alice', password: 'secret' } })), (e: unknown) => e instanceof Pop3Error && e.kind === 'auth');
    assert.ok(!commandsSent(refusing).some((c) => c.startsWith('USER')), 'USER, not announced, was not tried');
  });

  test('a CAPA that fails for any other reason than not knowing it ends the connection', async () => {
    const server = await serve({ errOn: 'CAPA', errText: '[SYS/TEMP] busy' });
    await assert.rejects(Pop3Client.connect(scriptedLogin(server)), (e: unknown) => e instanceof Pop3Error && e.kind === 'temporary');
  });
});

describe('commands in flight', () => {
  const retrieveAll = (client: Pop3Client) => Promise.all(MESSAGES.map((_, i) => client.retrieveBuffer(i + 1)));

  test('with PIPELINING the whole batch goes at once (32 by default); every answer matches its command', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    const bodies = await retrieveAll(client);
    assert.deepEqual(bodies, MESSAGES);
    assert.ok(server.maxOutstanding > 3, `at most ${server.maxOutstanding} at once`);
    await client.quit();
  });

  test('the window is the account\'s when it sets one, never below one', async () => {
    for (const [window, most] of [[3, 3], [0, 1]] as const) {
      const server = await serve();
      const client = await Pop3Client.connect(scriptedLogin(server, { pipelineWindow: window }));
      assert.deepEqual(await retrieveAll(client), MESSAGES);
      assert.ok(server.maxOutstanding <= most && server.maxOutstanding >= 1, `window ${window}: ${server.maxOutstanding} at once`);
      await client.quit();
    }
  });

  test('without PIPELINING: one at a time', async () => {
    const server = await serve({ capa: ['USER', 'UIDL'] });
    const client = await Pop3Client.connect(scriptedLogin(server, { pipelineWindow: 32 }));
    assert.deepEqual(await retrieveAll(client), MESSAGES);
    assert.equal(server.maxOutstanding, 1);
    await client.quit();
  });
});

describe('logging in', () => {
  test('the last mechanism refused and the server hanging up: the refusal is the error, not "nothing left"', async () => {
    const server = await serve({
      intercept: (command, s) => {
        if (!command.startsWith('PASS')) return false;
        s.write('-ERR [AUTH] wrong password\r\n');
        s.socket.end();
        return true;
      },
    });
    await assert.rejects(Pop3Client.connect(scriptedLogin(server)), (e: unknown) => e instanceof Pop3Error && e.kind === 'auth' && e.serverText === '[AUTH] wrong password');
    assert.equal(server.sessions.length, 1, 'no new connection when nothing is left to try');
  });
});

describe('ending a session', () => {
  test('QUIT applies the deletions; the client is closed even when QUIT is refused', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    await client.dele(1);
    await client.quit();
    assert.deepEqual(server.deleted.map((m) => m.uid), ['uid-1']);

    const refusing = await serve({ errOn: 'QUIT' });
    const other = await Pop3Client.connect(scriptedLogin(refusing));
    await assert.rejects(other.quit(), (e: unknown) => e instanceof Pop3Error && e.kind === 'server');
    await assert.rejects(other.noop(), (e: unknown) => e instanceof Pop3Error && e.kind === 'cancelled');
  });

  test('close() drops the connection without QUIT: the server deletes nothing', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    await client.dele(1);
    client.close();
    await assert.rejects(client.noop(), (e: unknown) => e instanceof Pop3Error && e.kind === 'cancelled');
    await new Promise((resolve) => server.sessions[0].socket.once('close', resolve));
    assert.deepEqual(server.deleted, []);
    assert.ok(!commandsSent(server).includes('QUIT'));
  });

  test('RSET takes back the deletions of this session', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    await client.dele(2);
    await client.rset();
    await client.quit();
    assert.deepEqual(server.deleted, []);
  });
});

describe('streams and listings', () => {
  test('retrieveStream gives the message byte for byte, and fails the stream when the message is longer than allowed', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    const chunks: Buffer[] = [];
    for await (const chunk of client.retrieveStream(3)) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), MESSAGES[2]);
    const short = client.retrieveStream(4, 10);
    await assert.rejects(
      (async () => {
        for await (const _ of short) void _;
      })(),
      (e: unknown) => e instanceof Pop3Error && e.kind === 'oversized',
    );
    assert.equal(await client.retrieveBuffer(1).then((b) => b.equals(MESSAGES[0])), true, 'the session goes on');
    await client.quit();
  });

  test('UIDL lines as real servers send them: tabs, padding, bare LF; broken ones dropped, the rest kept', async () => {
    const server = await answering('UIDL', '+OK\r\n 1\tabc\t\r\n2   spaced uid  \n3 \r\n1234567890123456 too-long-number\r\nx 5\r\n6 last\r\n.\r\n');
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.deepEqual(await client.uidl(), [
      { msg: 1, uid: 'abc' },
      { msg: 2, uid: 'spaced uid' },
      { msg: 6, uid: 'last' },
    ]);
    await client.quit();
  });

  test('STAT must start with the two numbers', async () => {
    const server = await answering('STAT', '+OK mailbox 3 120\r\n');
    const client = await Pop3Client.connect(scriptedLogin(server));
    await assert.rejects(client.stat(), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol');
    await client.quit();
  });
});
