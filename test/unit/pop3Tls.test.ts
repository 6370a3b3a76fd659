/**
 * The secure channel, in the unit tier: implicit TLS and STLS against the scripted server with
 * test certificates of our own (test/fixtures/tls: a CA, a certificate it signed for localhost and
 * 127.0.0.1, one for another name, a self-signed one). A certificate is trusted through a CA or a
 * pinned fingerprint, never by default, and when it is refused not a byte of the login has left.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CertificateError, Pop3Client, Pop3Error, describeSocketError, formatFingerprint, normalizeFingerprint, type Pop3Options } from '../../src/pop3';
import { startPop3Server, type Pop3Server } from '../../src/demo/pop3Server';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', '..', 'test', 'fixtures', 'tls', name), 'utf8');
const CA = fixture('ca.crt');
const LOCALHOST = { key: fixture('localhost.key'), cert: fixture('localhost.crt') };
const OTHER = { key: fixture('other.key'), cert: fixture('other.crt') };
const SELF_SIGNED = { key: fixture('selfsigned.key'), cert: fixture('selfsigned.crt') };
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

const servers: Pop3Server[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const MESSAGE = Buffer.from('Subject: over TLS\r\n\r\nsecret body\r\n');

async function serve(mode: 'implicit' | 'stls', pair = LOCALHOST): Promise<Pop3Server> {
  const server = await startPop3Server({ messages: [MESSAGE], tls: { mode, ...pair } });
  servers.push(server);
  return server;
}

function login(server: Pop3Server, extra: Partial<Pop3Options>): Pop3Options {
  return {
    host: 'localhost',
    port: server.port,
    security: 'tls',
    credentials: { user: 'alice', password: 'secret', mechanism: 'USER' },
    timeouts: { connectMs: 3000, greetingMs: 3000, responseMs: 3000 },
    ...extra,
  };
}
const sent = (server: Pop3Server) => server.sessions.flatMap((s) => s.commands);
const certificateError = (reason: RegExp) => (e: unknown) => e instanceof CertificateError && e.kind === 'tls' && reason.test(e.reason) && e.fingerprint256 !== undefined;

describe('implicit TLS (pop3s)', () => {
  test('a certificate from a trusted CA for the name asked: connected, encrypted, the name sent by SNI, mail read', async () => {
    const server = await serve('implicit');
    const client = await Pop3Client.connect(login(server, { tls: { ca: CA } }));
    assert.equal(client.encrypted, true);
    assert.equal(server.sessions[0].servername, 'localhost');
    assert.deepEqual(await client.retrieveBuffer(1), MESSAGE);
    await client.quit();
  });

  test('an address is not sent as a server name, and the certificate must name that address', async () => {
    const server = await serve('implicit');
    const client = await Pop3Client.connect(login(server, { host: '127.0.0.1', tls: { ca: CA } }));
    assert.equal(server.sessions[0].servername, undefined);
    await client.quit();
  });

  test('a certificate no CA we trust signed: refused with its fingerprint, before anything is sent', async () => {
    const server = await serve('implicit');
    await assert.rejects(Pop3Client.connect(login(server, {})), certificateError(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/));
    assert.deepEqual(sent(server), []);
  });

  test('a valid certificate for another name: refused', async () => {
    const server = await serve('implicit', OTHER);
    await assert.rejects(Pop3Client.connect(login(server, { tls: { ca: CA } })), (e: unknown) => e instanceof CertificateError && /ALTNAME/.test(e.reason) && /could not be verified/.test(e.message));
    assert.deepEqual(sent(server), []);
  });

  test('a self-signed certificate: refused by default, accepted when its fingerprint is pinned in any spelling', async () => {
    const server = await serve('implicit', SELF_SIGNED);
    const fingerprint = fingerprintOf(SELF_SIGNED.cert);
    await assert.rejects(Pop3Client.connect(login(server, {})), (e: unknown) => e instanceof CertificateError && e.fingerprint256 === fingerprint && /SELF_SIGNED/.test(e.reason));
    for (const pin of [fingerprint, normalizeFingerprint(fingerprint).toLowerCase()]) {
      const client = await Pop3Client.connect(login(server, { tls: { pinnedSha256: pin } }));
      assert.equal(client.encrypted, true);
      await client.quit();
    }
  });

  test('a pin that does not match refuses even a certificate a CA vouches for', async () => {
    const server = await serve('implicit');
    const wrong = fingerprintOf(SELF_SIGNED.cert);
    await assert.rejects(
      Pop3Client.connect(login(server, { tls: { ca: CA, pinnedSha256: wrong } })),
      (e: unknown) => e instanceof CertificateError && e.reason === 'PIN_MISMATCH' && e.fingerprint256 === fingerprintOf(LOCALHOST.cert) && /does not match the pinned fingerprint/.test(e.message),
    );
    assert.deepEqual(sent(server), []);
  });

  for (const [why, tlsOptions, reason] of [
    ['not trusted', {}, /SELF_SIGNED/],
    ['not the pinned one', { pinnedSha256: '00'.repeat(32) }, /PIN_MISMATCH/],
  ] as const) {
    test(`a certificate ${why}: its connection is closed at once, not left open`, { timeout: 10_000 }, async () => {
      const accepted: net.Socket[] = [];
      const server = tls.createServer(SELF_SIGNED, (socket) => socket.write('+OK ready\r\n'));
      server.on('connection', (socket: net.Socket) => void accepted.push(socket));
      server.on('tlsClientError', () => {});
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      after(() => void server.close());
      await assert.rejects(Pop3Client.connect(login({ port: (server.address() as net.AddressInfo).port } as Pop3Server, { tls: tlsOptions })), certificateError(reason));
      assert.equal(accepted.length, 1);
      if (!accepted[0].destroyed) await once(accepted[0], 'close');
    });
  }

  test('a server that speaks no TLS: a TLS error in words, never logged in', async () => {
    const plain = await startPop3Server({ messages: [MESSAGE] });
    servers.push(plain);
    await assert.rejects(Pop3Client.connect(login(plain, { tls: { ca: CA } })), (e: unknown) => e instanceof Pop3Error && e.kind === 'tls' && /could not be set up/.test(e.message));
  });
});

describe('STLS', () => {
  test('upgrades before the login, reads the capabilities again over TLS, and logs in encrypted', async () => {
    const server = await serve('stls');
    const client = await Pop3Client.connect(login(server, { security: 'starttls', tls: { ca: CA } }));
    assert.equal(client.encrypted, true);
    const commands = sent(server);
    assert.deepEqual(commands.slice(0, 3), ['CAPA', 'STLS', 'CAPA']);
    assert.ok(commands.indexOf('STLS') < commands.findIndex((c) => c.startsWith('USER')));
    assert.ok(server.sessions[0].socket.constructor.name === 'TLSSocket');
    assert.deepEqual(await client.retrieveBuffer(1), MESSAGE);
    await client.quit();
  });

  test('a certificate refused after STLS: no login sent, the error carries the fingerprint', async () => {
    const server = await serve('stls', SELF_SIGNED);
    await assert.rejects(Pop3Client.connect(login(server, { security: 'starttls' })), certificateError(/SELF_SIGNED/));
    assert.deepEqual(sent(server), ['CAPA', 'STLS']);
  });

  test('STLS refused: nothing goes in clear, said in words', async () => {
    const server = await startPop3Server({ messages: [MESSAGE], errOn: 'STLS' });
    servers.push(server);
    await assert.rejects(Pop3Client.connect(login(server, { security: 'starttls' })), (e: unknown) => e instanceof Pop3Error && e.kind === 'insecure' && /does not offer STARTTLS/.test(e.message));
    assert.ok(!sent(server).some((c) => /^(USER|PASS|AUTH|APOP)/.test(c)));
  });
});

describe('setting up the connection', () => {
  test('nothing listening: said so, with where', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(
      Pop3Client.connect({ ...login({ port } as Pop3Server, {}), host: '127.0.0.1', security: 'none' }),
      (e: unknown) => e instanceof Pop3Error && e.kind === 'connection' && e.message === `Nothing is listening at 127.0.0.1:${port}. Check the server name and port.`,
    );
  });

  test('a handshake that never comes times out within the connect time', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    after(() => void silent.close());
    const port = (silent.address() as net.AddressInfo).port;
    await assert.rejects(
      Pop3Client.connect({ ...login({ port } as Pop3Server, {}), host: '127.0.0.1', timeouts: { connectMs: 300 } }),
      (e: unknown) => e instanceof Pop3Error && e.kind === 'timeout' && e.message === `No answer from 127.0.0.1:${port} within 0 s.`,
    );
    for (const socket of held) socket.destroy();
  });

  test('a server that hangs up during the handshake: a connection error, not a hang', async () => {
    const rude = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => rude.listen(0, '127.0.0.1', resolve));
    after(() => void rude.close()); // not awaited: a server whose peer hung up mid-handshake may never report closed
    const port = (rude.address() as net.AddressInfo).port;
    await assert.rejects(Pop3Client.connect({ ...login({ port } as Pop3Server, {}), host: '127.0.0.1' }), (e: unknown) => e instanceof Pop3Error && e.kind === 'connection');
  });

  test('an abort while the handshake is awaited ends it at once, "Cancelled.", not at the connect time', async () => {
    const held: net.Socket[] = [];
    const controller = new AbortController();
    const silent = net.createServer((socket) => {
      held.push(socket);
      controller.abort(); // the TCP connection is made; the TLS handshake never comes
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    after(() => void silent.close());
    const port = (silent.address() as net.AddressInfo).port;
    await assert.rejects(
      Pop3Client.connect({ ...login({ port } as Pop3Server, {}), host: '127.0.0.1', signal: controller.signal, timeouts: { connectMs: 60_000 } }),
      (e: unknown) => e instanceof Pop3Error && e.kind === 'cancelled' && e.message === 'Cancelled.',
    );
    for (const socket of held) socket.destroy();
  });

  test('a signal already aborted: cancelled before connecting', async () => {
    const server = await serve('implicit');
    const controller = new AbortController();
    controller.abort();
    const trace: string[] = [];
    const options = login(server, { tls: { ca: CA }, signal: controller.signal, trace: (_, line) => void trace.push(line) });
    await assert.rejects(Pop3Client.connect(options), (e: unknown) => e instanceof Pop3Error && e.kind === 'cancelled');
    assert.deepEqual(trace, [], 'no connection was made to be closed');
  });
});

describe('socket errors in words', () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  test('each common failure says what it means, and where', () => {
    const cases: Array<[string, Pop3Error['kind'], string]> = [
      ['ECONNREFUSED', 'connection', 'Nothing is listening at h:1. Check the server name and port.'],
      ['ENOTFOUND', 'connection', 'The server name h could not be found.'],
      ['EAI_AGAIN', 'connection', 'The server name h could not be found.'],
      ['ECONNRESET', 'connection', 'The connection to h:1 was cut.'],
      ['EPIPE', 'connection', 'The connection to h:1 was cut.'],
      ['ETIMEDOUT', 'timeout', 'The connection to h:1 timed out.'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls', 'A secure connection to h:1 could not be set up (ERR_SSL_WRONG_VERSION_NUMBER).'],
      ['EHOSTUNREACH', 'connection', 'Connection to h:1 failed: no route'],
    ];
    for (const [code, kind, message] of cases) {
      const described = describeSocketError(err(code, code === 'EHOSTUNREACH' ? 'no route' : code), 'h', 1);
      assert.deepEqual([described.kind, described.message], [kind, message], code);
      assert.equal((described.cause as Error & { code: string }).code, code);
    }
    const tlsWords = describeSocketError(Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNABORTED' }), 'h', 1);
    assert.equal(tlsWords.kind, 'tls');
  });

  test('fingerprints compare in any spelling and show as pairs', () => {
    assert.equal(normalizeFingerprint('ab:cd:EF 01'), 'ABCDEF01');
    assert.equal(formatFingerprint('abcdef01'), 'AB:CD:EF:01');
  });
});
