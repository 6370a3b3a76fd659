/**
 * Login, exactly as it goes over the wire: which mechanisms are tried and in what order, the bytes
 * each one sends (checked against the RFCs' own examples), when a refusal moves on to the next
 * and when it ends the login, and what is refused before anything is sent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticate, LoginRefused, mechanismsToTry, type AuthContext, type AuthMechanism, type Credentials } from '../../src/pop3/auth';
import { Pop3Error } from '../../src/pop3/errors';
import { HANG_UP, scriptedConnection, type Answer } from '../support/scriptedSocket';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const ALL: AuthMechanism[] = ['USER', 'LOGIN', 'PLAIN', 'APOP', 'CRAM-MD5', 'XOAUTH2'];
const ctx = (extra: Partial<AuthContext> = {}): AuthContext => ({ offered: new Set(ALL), encrypted: true, allowInsecureAuth: false, apopTimestamp: '<1.2@host>', ...extra });
const password: Credentials = { user: 'alice', password: 'secret' };

const connection = (answer: Answer) => scriptedConnection(answer);

/** Logs in with one named mechanism against `answer`; returns the lines the client wrote. */
async function wire(mechanism: AuthMechanism, credentials: Credentials, answer: Answer, extra: Partial<AuthContext> = {}): Promise<{ lines: string[]; trace: string[]; writes: string[] }> {
  const { conn, socket, trace } = connection(answer);
  await authenticate(conn, credentials, ctx(extra), [mechanism]);
  return { lines: socket.lines, trace, writes: socket.writes };
}

const refusedWith = (kind: Pop3Error['kind'], text?: RegExp) => (err: unknown) => err instanceof Pop3Error && err.kind === kind && (!text || text.test(err.message));

describe('which mechanisms are tried', () => {
  test('automatic: every offered one the credentials can use, strongest first; XOAUTH2 only with a token', () => {
    assert.deepEqual(mechanismsToTry(password, ctx()), ['CRAM-MD5', 'APOP', 'PLAIN', 'LOGIN', 'USER']);
    assert.deepEqual(mechanismsToTry({ ...password, accessToken: 't' }, ctx()), ['XOAUTH2', 'CRAM-MD5', 'APOP', 'PLAIN', 'LOGIN', 'USER']);
    assert.deepEqual(mechanismsToTry({ user: 'alice', accessToken: 't' }, ctx()), ['XOAUTH2']);
    assert.deepEqual(mechanismsToTry({ ...password, mechanism: 'auto' }, ctx({ offered: new Set(['USER', 'PLAIN']) })), ['PLAIN', 'USER']);
  });

  test('unencrypted: only those that keep the password off the wire, unless the account allows it', () => {
    assert.deepEqual(mechanismsToTry(password, ctx({ encrypted: false })), ['CRAM-MD5', 'APOP']);
    assert.deepEqual(mechanismsToTry(password, ctx({ encrypted: false, allowInsecureAuth: true })), ['CRAM-MD5', 'APOP', 'PLAIN', 'LOGIN', 'USER']);
  });

  test('unencrypted with only revealing mechanisms offered: refused, naming the strongest', () => {
    assert.throws(
      () => mechanismsToTry({ ...password, accessToken: 't' }, ctx({ encrypted: false, offered: new Set(['USER', 'PLAIN', 'XOAUTH2']) })),
      refusedWith('insecure', /^The server would receive your password unencrypted \(XOAUTH2\)\. Use TLS or STARTTLS/),
    );
  });

  test('nothing the credentials can use: unsupported, said so', () => {
    assert.throws(() => mechanismsToTry(password, ctx({ offered: new Set(['XOAUTH2']) })), refusedWith('unsupported', /offers no login method that Mail Panel supports/));
    assert.throws(() => mechanismsToTry(password, ctx({ offered: new Set() })), refusedWith('unsupported'));
  });

  test('a named mechanism is the only one, and each way it cannot be used is its own error', () => {
    assert.deepEqual(mechanismsToTry({ ...password, mechanism: 'LOGIN' }, ctx()), ['LOGIN']);
    assert.throws(() => mechanismsToTry({ ...password, mechanism: 'LOGIN' }, ctx({ offered: new Set(['USER']) })), refusedWith('unsupported', /^The server does not offer LOGIN login\.$/));
    assert.throws(() => mechanismsToTry({ user: 'alice', mechanism: 'CRAM-MD5' }, ctx()), refusedWith('auth', /^CRAM-MD5 login needs a password\.$/));
    assert.throws(() => mechanismsToTry({ ...password, mechanism: 'XOAUTH2' }, ctx()), refusedWith('auth', /^XOAUTH2 login needs an access token\.$/));
    assert.throws(() => mechanismsToTry({ ...password, mechanism: 'USER' }, ctx({ encrypted: false })), refusedWith('insecure', /\(USER\)/));
    assert.deepEqual(mechanismsToTry({ ...password, mechanism: 'APOP' }, ctx({ encrypted: false })), ['APOP']);
  });
});

describe('the bytes each mechanism sends', () => {
  test('USER/PASS, the password shown in the trace only as stars', async () => {
    const { lines, trace } = await wire('USER', password, () => '+OK\r\n');
    assert.deepEqual(lines, ['USER alice', 'PASS secret']);
    assert.ok(trace.includes('send PASS ********'), trace.join('\n'));
  });

  test('APOP: the digest of RFC 1939 section 7', async () => {
    const { lines, trace } = await wire('APOP', { user: 'mrose', password: 'tanstaaf' }, () => '+OK\r\n', { apopTimestamp: '<1896.697170952@dbc.mtview.ca.us>' });
    assert.deepEqual(lines, ['APOP mrose c4c9334bac560ecc979e58001b3e22fb']);
    assert.ok(trace.includes('send APOP mrose ********'), trace.join('\n'));
  });

  test('PLAIN: the initial response on the AUTH line (RFC 5034), authorization identity empty', async () => {
    const { lines, trace } = await wire('PLAIN', password, () => '+OK\r\n');
    assert.deepEqual(lines, [`AUTH PLAIN ${b64('\0alice\0secret')}`]);
    assert.ok(trace.includes('send AUTH PLAIN [initial response]'), trace.join('\n'));
  });

  test('PLAIN with an AUTH line over 255 octets: the initial response waits for the server\'s "+"', async () => {
    const long = { user: 'alice', password: 'p'.repeat(200) };
    const { lines, trace } = await wire('PLAIN', long, (line) => (line === 'AUTH PLAIN' ? '+ \r\n' : '+OK\r\n'));
    assert.deepEqual(lines, ['AUTH PLAIN', b64(`\0alice\0${'p'.repeat(200)}`)]);
    assert.ok(trace.includes('send AUTH PLAIN'), trace.join('\n'));
    assert.ok(trace.includes('send [client response]'), trace.join('\n'));
  });

  test('the AUTH line just at 255 octets still carries the initial response', async () => {
    // "AUTH PLAIN " is 11 octets; base64 of 183 bytes is 244 characters: 255 in all.
    const credentials = { user: 'a', password: 'p'.repeat(180) };
    assert.equal(`AUTH PLAIN ${b64(`\0a\0${'p'.repeat(180)}`)}`.length, 255);
    const { lines } = await wire('PLAIN', credentials, () => '+OK\r\n');
    assert.equal(lines.length, 1);
  });

  test('PLAIN asked for more after its response: cancelled with "*" (RFC 5034), and the refusal is a login error', async () => {
    const { conn, socket } = connection((line) => (line.startsWith('AUTH PLAIN ') ? '+ \r\n' : line === '*' ? '-ERR cancelled\r\n' : undefined));
    await assert.rejects(authenticate(conn, password, ctx(), ['PLAIN']), refusedWith('auth'));
    assert.deepEqual(socket.lines.slice(1), ['*']);
  });

  test('LOGIN: the user name, then the password, each in base64, then "*" to anything more', async () => {
    const answers = new Map([
      ['AUTH LOGIN', '+ VXNlcm5hbWU6\r\n'],
      [b64('alice'), '+ UGFzc3dvcmQ6\r\n'],
      [b64('secret'), '+ more?\r\n'],
      ['*', '-ERR cancelled\r\n'],
    ]);
    const { conn, socket, trace } = connection((line) => answers.get(line));
    await assert.rejects(authenticate(conn, password, ctx(), ['LOGIN']), refusedWith('auth'));
    assert.deepEqual(socket.lines, ['AUTH LOGIN', b64('alice'), b64('secret'), '*']);
    assert.ok(trace.includes('send AUTH LOGIN'), trace.join('\n'));
  });

  test('CRAM-MD5: the response of RFC 2195 section 2', async () => {
    const challenge = b64('<1896.697170952@postoffice.reston.mci.net>');
    const { lines } = await wire('CRAM-MD5', { user: 'tim', password: 'tanstaaftanstaaf' }, (line) => (line === 'AUTH CRAM-MD5' ? `+ ${challenge}\r\n` : '+OK\r\n'));
    assert.deepEqual(lines, ['AUTH CRAM-MD5', 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw']);
  });

  test('XOAUTH2: the bearer token as RFC 7628 frames it; the JSON error challenge is answered with an empty line', async () => {
    const token = { user: 'alice', accessToken: 'ya29.token' };
    const initial = b64('user=alice\x01auth=Bearer ya29.token\x01\x01');
    const ok = await wire('XOAUTH2', token, () => '+OK\r\n');
    assert.deepEqual(ok.lines, [`AUTH XOAUTH2 ${initial}`]);
    const { conn, socket } = connection((line) => (line.startsWith('AUTH XOAUTH2') ? `+ ${b64('{"status":"401"}')}\r\n` : line === '' ? '-ERR [AUTH] invalid token\r\n' : undefined));
    await assert.rejects(authenticate(conn, token, ctx(), ['XOAUTH2']), refusedWith('auth'));
    assert.deepEqual(socket.writes.at(-1), '\r\n', 'an empty line ends the exchange');
  });
});

describe('refusals and what comes after', () => {
  test('a line break or NUL in the user name, a line break in the password or token: refused before a byte is sent', async () => {
    const cases: Credentials[] = [
      { user: 'alice\r\nDELE 1', password: 'secret' },
      { user: 'alice\0', password: 'secret' },
      { user: 'alice', password: 'secret\nDELE 1' },
      { user: 'alice', accessToken: 'tok\r\nDELE 1' },
    ];
    for (const credentials of cases) {
      const { conn, socket } = connection(() => '+OK\r\n');
      await assert.rejects(authenticate(conn, credentials, ctx(), ['USER']), refusedWith('auth', /line break/));
      assert.deepEqual(socket.writes, [], JSON.stringify(credentials));
    }
  });

  test('no mechanism left to try is said so, nothing sent', async () => {
    const { conn, socket } = connection(() => '+OK\r\n');
    await assert.rejects(authenticate(conn, password, ctx(), []), refusedWith('unsupported', /no longer offers/));
    assert.deepEqual(socket.writes, []);
  });

  test('a refusal moves on to the next mechanism on the same connection', async () => {
    const { conn, socket } = connection((line) => (line.startsWith('APOP') ? '-ERR not for you\r\n' : '+OK\r\n'));
    assert.equal(await authenticate(conn, password, ctx(), ['APOP', 'USER']), 'USER');
    assert.deepEqual(socket.lines.map((l) => l.split(' ')[0]), ['APOP', 'USER', 'PASS']);
  });

  test('every mechanism refused: the last refusal is what the caller sees', async () => {
    const { conn } = connection((line) => (line.startsWith('APOP') ? '-ERR first\r\n' : line.startsWith('PASS') ? '-ERR [AUTH] last\r\n' : '+OK\r\n'));
    await assert.rejects(authenticate(conn, password, ctx(), ['APOP', 'USER']), (err: unknown) => err instanceof Pop3Error && err.serverText === '[AUTH] last');
  });

  test('a temporary failure ends the login at once: no other mechanism is tried', async () => {
    const { conn, socket } = connection((line) => (line.startsWith('APOP') ? '-ERR [SYS/TEMP] try later\r\n' : '+OK\r\n'));
    await assert.rejects(authenticate(conn, password, ctx(), ['APOP', 'USER']), refusedWith('temporary'));
    assert.deepEqual(socket.lines.map((l) => l.split(' ')[0]), ['APOP']);
  });

  test('refused and hung up: the caller learns which mechanisms are left, to try on a new connection', async () => {
    const { conn } = connection((line) => (line.startsWith('APOP') ? ['-ERR no\r\n', HANG_UP] : undefined));
    const err = await authenticate(conn, password, ctx(), ['APOP', 'PLAIN', 'USER']).catch((e: unknown) => e);
    assert.ok(err instanceof LoginRefused, String(err));
    assert.deepEqual(err.remaining, ['PLAIN', 'USER']);
    assert.equal(err.refusal.serverText, 'no');
  });

  test('the last mechanism refused and hung up: the refusal itself, with nothing left to try', async () => {
    const { conn } = connection((line) => (line.startsWith('PASS') ? ['-ERR [AUTH] no\r\n', HANG_UP] : '+OK\r\n'));
    const err = await authenticate(conn, password, ctx(), ['USER']).catch((e: unknown) => e);
    assert.ok(err instanceof Pop3Error && !(err instanceof LoginRefused) && err.kind === 'auth', String(err));
  });

  test('refused, and the connection gone when the next one starts: that one was never tried and is left too', async () => {
    const { conn, socket } = connection((line) => (line.startsWith('APOP') ? '-ERR no\r\n' : line.startsWith('AUTH PLAIN') ? HANG_UP : undefined));
    const err = await authenticate(conn, password, ctx(), ['APOP', 'PLAIN', 'USER']).catch((e: unknown) => e);
    assert.ok(err instanceof LoginRefused, String(err));
    assert.deepEqual(err.remaining, ['PLAIN', 'USER']);
    assert.equal(err.refusal.serverText, 'no', 'the refusal the user sees is the server\'s, not the hang-up');
    assert.deepEqual(socket.lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['APOP alice', 'AUTH PLAIN']);
  });

  test('a connection lost on the first mechanism is a connection error, not a refusal', async () => {
    const { conn } = connection(() => HANG_UP);
    await assert.rejects(authenticate(conn, password, ctx(), ['APOP', 'USER']), refusedWith('connection'));
  });
});
