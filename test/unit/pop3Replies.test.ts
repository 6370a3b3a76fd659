/**
 * Replies as real servers write them, and the edges of the client's own limits, where a mutation
 * run found the POP3 client's tests blind: numbers of any length between any run of blanks, CAPA
 * arguments the same, a line exactly at the length limit, a body cut mid-line before a dot, a
 * login line exactly at RFC 5034's 255 octets, a second challenge after the initial response, a
 * failure after a refusal, STLS ended by a hang-up, a socket error mid-session.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DEFAULT_PORTS, Pop3Client, Pop3Error } from '../../src/pop3';
import { ResponseParser } from '../../src/pop3/responseParser';
import { describeSocketError } from '../../src/pop3/transport';
import { startPop3Server, type Pop3Server, type Pop3ServerOptions } from '../../src/demo/pop3Server';
import { scriptedLogin } from '../support/scripted';
import { scriptedConnection, tick } from '../support/scriptedSocket';

const servers: Pop3Server[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const MESSAGES = Array.from({ length: 12 }, (_, i) => Buffer.from(`Subject: m${i + 1}\r\n\r\n${'body line\r\n'.repeat(40 * (i + 1))}`));

async function serve(options: Partial<Pop3ServerOptions> = {}): Promise<Pop3Server> {
  const server = await startPop3Server({ messages: MESSAGES, ...options });
  servers.push(server);
  return server;
}
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('replies as servers write them', () => {
  test('STAT and LIST: numbers of any length, between any run of blanks', async () => {
    const server = await serve({
      intercept: (command, s) => {
        if (command === 'STAT') s.write('+OK 12 \t 123456789\r\n');
        else if (command === 'LIST') s.write('+OK\r\n10\t2048\r\n11   99 extra\r\n123  45678\r\n.\r\n');
        else return false;
        return true;
      },
    });
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.deepEqual(await client.stat(), { count: 12, size: 123456789 });
    assert.deepEqual(await client.list(), [
      { msg: 10, size: 2048 },
      { msg: 11, size: 99 },
      { msg: 123, size: 45678 },
    ]);
    await client.quit();
  });

  test('a LIST line led by blanks is read; one led by anything else is refused as malformed, not read from its middle', async () => {
    let listing = '+OK\r\n  1 120\r\n\t2 80\r\n.\r\n';
    const server = await serve({ intercept: (command, s) => command === 'LIST' && (s.write(listing), true) });
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.deepEqual(await client.list(), [
      { msg: 1, size: 120 },
      { msg: 2, size: 80 },
    ]);
    listing = '+OK\r\nmsg 3 120\r\n.\r\n';
    await assert.rejects(client.list(), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol' && /malformed LIST answer: "msg 3 120"/.test(e.message));
    await client.quit();
  });

  test('UIDL lines ended by LF alone: a CR inside a UID is kept, so two UIDs that differ by it stay two messages', async () => {
    const server = await serve({
      intercept: (command, s) => {
        if (command !== 'UIDL') return false;
        s.write('+OK\r\n1 a\rb\n2 ab\n3 cd\r\n.\r\n');
        return true;
      },
    });
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.deepEqual(await client.uidl(), [
      { msg: 1, uid: 'a\rb' },
      { msg: 2, uid: 'ab' },
      { msg: 3, uid: 'cd' },
    ]);
    await client.quit();
  });

  test('CAPA: arguments split at any run of blanks', async () => {
    const server = await serve({ capa: ['USER', 'SASL\tPLAIN   LOGIN', 'IMPLEMENTATION  Some  Server'] });
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.deepEqual(client.capabilities?.get('SASL'), ['PLAIN', 'LOGIN']);
    assert.deepEqual(client.capabilities?.get('IMPLEMENTATION'), ['Some', 'Server']);
    await client.quit();
  });

  test('a whole message read into memory is not cut at a small default cap', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    assert.deepEqual(await client.retrieveBuffer(12), MESSAGES[11]);
    await client.quit();
  });

  test('the default ports: 995 for TLS, 110 for STARTTLS and for none (RFC 8314, RFC 1939)', () => {
    assert.deepEqual(DEFAULT_PORTS, { tls: 995, starttls: 110, none: 110 });
  });

  test('STLS answered by a hang-up is a connection failure, not a server without STARTTLS', async () => {
    const server = await serve({ capa: ['USER', 'STLS'], intercept: (command, s) => command === 'STLS' && (s.socket.destroy(), true) });
    await assert.rejects(Pop3Client.connect(scriptedLogin(server, { security: 'starttls' })), (e: unknown) => e instanceof Pop3Error && e.kind === 'connection');
    const refusing = await serve({ capa: ['USER', 'STLS'], intercept: (command, s) => command === 'STLS' && (s.write('-ERR not now\r\n'), true) });
    await assert.rejects(Pop3Client.connect(scriptedLogin(refusing, { security: 'starttls' })), (e: unknown) => e instanceof Pop3Error && e.kind === 'insecure' && /does not offer STARTTLS/.test(e.message));
  });

  test('Pop3Error says what it is', () => {
    const error = new Pop3Error('server', 'The server refused RETR 1.');
    assert.equal(error.name, 'Pop3Error');
    assert.match(String(error), /^Pop3Error: The server refused RETR 1\.$/);
  });
});

describe('the response parser at its edges', () => {
  const statusOf = (parser: ResponseParser) => {
    const got: string[] = [];
    parser.expect({ multiline: false, onStatus: (_kind, text) => void got.push(text) });
    return got;
  };

  test('a line exactly at the length limit is read; one byte more is refused', () => {
    const exact = new ResponseParser(100);
    const got = statusOf(exact);
    exact.feed(Buffer.from(`+OK ${'a'.repeat(95)}\r\n`)); // 100 bytes before the LF
    assert.deepEqual(got, ['a'.repeat(95)]);
    const over = new ResponseParser(100);
    statusOf(over);
    assert.throws(() => over.feed(Buffer.from(`+OK ${'a'.repeat(96)}\r\n`)), /longer than 100 bytes/);
  });

  test('a body chunk ending mid-line, the next starting with a dot: the dot is data, not stuffing or an end', () => {
    const parser = new ResponseParser(512);
    const chunks: Buffer[] = [];
    let ended = false;
    parser.expect({ multiline: true, onStatus: () => undefined, onData: (c) => (chunks.push(Buffer.from(c)), true), onEnd: () => (ended = true) });
    parser.feed(Buffer.from('+OK\r\nab'));
    parser.feed(Buffer.from('.\r\n'));
    assert.equal(ended, false, 'a dot in the middle of a line ends nothing');
    parser.feed(Buffer.from('.c\r\n.\r\n'));
    assert.equal(Buffer.concat(chunks).toString(), 'ab.\r\nc\r\n', 'the dot that starts a line is stuffing');
    assert.equal(ended, true);
  });

  test('a line no command waits for is a protocol error', () => {
    const parser = new ResponseParser(512);
    assert.throws(() => parser.feed(Buffer.from('+OK hello\r\n')), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol');
  });
});

describe('logging in at the edges', () => {
  test('an AUTH line of exactly 255 octets carries its initial response; one octet more waits for "+"', async () => {
    // "AUTH PLAIN " is 11 octets: a 244-octet initial response makes 255.
    for (const [length, inline] of [[244, true], [248, false]] as const) {
      const user = 'u'.repeat((length / 4) * 3 - 9); // \0 user \0 secret! in base64
      const initial = b64(`\0${user}\0secret!`);
      assert.equal(initial.length, length);
      const sent: string[] = [];
      const server = await serve({
        capa: ['SASL PLAIN'],
        intercept: (command, s) => {
          sent.push(command);
          if (command === `AUTH PLAIN ${initial}` || command === initial) s.write('+OK in\r\n');
          else if (command === 'AUTH PLAIN') s.write('+ \r\n');
          else return false;
          return true;
        },
      });
      const client = await Pop3Client.connect(scriptedLogin(server, { credentials: { user, password: 'secret!' } }));
      assert.equal(sent.includes(`AUTH PLAIN ${initial}`), inline, `${length} octets`);
      await client.quit();
    }
  });

  test('a second challenge after the initial response was sent on the first gets "*", not the response again', async () => {
    const user = 'u'.repeat(200);
    const initial = b64(`\0${user}\0secret`);
    const sent: string[] = [];
    const server = await serve({
      capa: ['SASL PLAIN'],
      intercept: (command, s) => {
        sent.push(command);
        if (command === 'AUTH PLAIN' || command === initial) s.write('+ \r\n');
        else if (command === '*') s.write('-ERR cancelled\r\n');
        else return false;
        return true;
      },
    });
    await assert.rejects(Pop3Client.connect(scriptedLogin(server, { credentials: { user, password: 'secret' } })));
    assert.deepEqual(sent.slice(sent.indexOf('AUTH PLAIN')), ['AUTH PLAIN', initial, '*']);
  });

  test('after a refused method, a broken reply to the next is that error, not the refusal', async () => {
    const server = await serve({
      capa: ['SASL PLAIN', 'USER'],
      intercept: (command, s) => {
        if (command.startsWith('AUTH PLAIN')) s.write('-ERR no\r\n');
        else if (command.startsWith('USER')) s.write('garbage\r\n');
        else return false;
        return true;
      },
    });
    await assert.rejects(Pop3Client.connect(scriptedLogin(server, { credentials: { user: 'alice', password: 'secret' }, allowInsecureAuth: true })), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol');
    assert.equal(server.sessions.length, 1, 'a broken server is not taken for one that closed after a refusal (no second connection)');
  });
});

describe('the connection', () => {
  test('a socket error mid-session fails the waiting command with the error in words', async () => {
    const { conn, socket } = scriptedConnection();
    const greeting = conn.greeting(1000);
    await socket.serve('+OK ready\r\n');
    await greeting;
    const waiting = conn.send({ line: 'STAT' });
    await tick();
    socket.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await assert.rejects(waiting, (e: unknown) => e instanceof Pop3Error && e.kind === 'connection' && /pop\.example\.org:110 was cut/.test(e.message));
  });
  test('the trace shows each reply as the server sent it: +OK, -ERR and a continuation', async () => {
    const { conn, socket, trace } = scriptedConnection((line) => (line === 'NOOP' ? '+OK fine\r\n' : line === 'RSET' ? '-ERR no\r\n' : line === 'AUTH X' ? '+ challenge\r\n' : line === 'answer' ? '+OK in\r\n' : undefined));
    const greeting = conn.greeting(1000);
    await socket.serve('+OK ready\r\n');
    await greeting;
    await conn.send({ line: 'NOOP' });
    await conn.send({ line: 'RSET' }).catch(() => undefined);
    await conn.send({ line: 'AUTH X', onContinue: () => 'answer' });
    assert.deepEqual(trace.filter((t) => t.startsWith('receive')), ['receive +OK ready', 'receive +OK fine', 'receive -ERR no', 'receive + challenge', 'receive +OK in']);
  });

  test('bytes the server sends while no command waits end the connection as a protocol error', async () => {
    const { conn, socket } = scriptedConnection();
    const greeting = conn.greeting(1000);
    await socket.serve('+OK ready\r\n');
    await greeting;
    await socket.serve('+OK surprise\r\n');
    await assert.rejects(conn.send({ line: 'NOOP' }), (e: unknown) => e instanceof Pop3Error && e.kind === 'protocol' && /unexpected line: "\+OK surprise"/.test(e.message));
    assert.equal(socket.destroyed, true);
  });

  test('an abort during a command says "Cancelled."', async () => {
    const controller = new AbortController();
    const { conn, socket } = scriptedConnection(undefined, { signal: controller.signal });
    const greeting = conn.greeting(1000);
    await socket.serve('+OK ready\r\n');
    await greeting;
    const waiting = conn.send({ line: 'STAT' });
    await tick();
    controller.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof Pop3Error && e.kind === 'cancelled' && e.message === 'Cancelled.');
  });
});

describe('what the client sends', () => {
  test('a user name and password beyond ASCII go out as UTF-8, as servers store them', async () => {
    const sent: string[] = [];
    const server = await serve({
      capa: ['USER'],
      intercept: (command, s) => {
        sent.push(Buffer.from(command, 'latin1').toString('utf8')); // the bytes as they came
        if (!/^(USER|PASS) /.test(command)) return false;
        s.write('+OK\r\n');
        return true;
      },
    });
    const client = await Pop3Client.connect(scriptedLogin(server, { credentials: { user: 'jörg', password: 'pässwörd€' }, allowInsecureAuth: true }));
    assert.ok(sent.includes('USER jörg') && sent.includes('PASS pässwörd€'), sent.join(' | '));
    await client.quit();
  });
});

describe('what the client refuses before sending', () => {
  test('a bad message number or line count is refused in words, and nothing is sent', async () => {
    const server = await serve();
    const client = await Pop3Client.connect(scriptedLogin(server));
    const before = server.sessions[0].commands.length;
    await assert.rejects(client.retrieveBuffer(0), /bad message number 0/);
    await assert.rejects(client.top(1, -1), /bad line count -1/);
    assert.equal(server.sessions[0].commands.length, before);
    await client.quit();
  });

  test('UIDL of one message on a server that does not announce UIDL: refused as unsupported', async () => {
    const server = await serve({ capa: ['USER'], intercept: (command, s) => command.startsWith('UIDL') && (s.write('-ERR what?\r\n'), true) });
    const client = await Pop3Client.connect(scriptedLogin(server));
    await assert.rejects(client.uidlOne(1), (e: unknown) => e instanceof Pop3Error && e.kind === 'unsupported');
    await client.quit();
  });

  test('UIDL of one message refused by a server that announces UIDL: a refusal by the server, not a missing command', async () => {
    const server = await serve({ capa: ['USER', 'UIDL'], intercept: (command, s) => command.startsWith('UIDL') && (s.write('-ERR no such message\r\n'), true) });
    const client = await Pop3Client.connect(scriptedLogin(server));
    await assert.rejects(client.uidlOne(1), (e: unknown) => e instanceof Pop3Error && e.kind === 'server');
    await client.quit();
  });
});

describe('socket errors in words', () => {
  const described = (code: string | undefined, message: string) => describeSocketError(Object.assign(new Error(message), code ? { code } : {}), 'pop.example.org', 995);

  test('a TLS failure by its code or by its message; an error without a code by its message', () => {
    const byCode = described('ERR_SSL_WRONG_VERSION_NUMBER', 'handshake failed');
    assert.equal(byCode.kind, 'tls');
    assert.match(byCode.message, /could not be set up \(ERR_SSL_WRONG_VERSION_NUMBER\)/);
    const byMessage = described(undefined, 'TLS handshake broke off');
    assert.equal(byMessage.kind, 'tls');
    assert.match(byMessage.message, /could not be set up \(TLS handshake broke off\)/);
    const other = described(undefined, 'something odd');
    assert.equal(other.kind, 'connection');
    assert.equal(other.message, 'Connection to pop.example.org:995 failed: something odd');
  });
});
