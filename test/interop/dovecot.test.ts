/**
 * Interoperability with a real Dovecot on 127.0.0.1 (see test/support/dovecot.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CertificateError, Pop3Client, Pop3Error, type Pop3Options } from '../../src/pop3';
import { DOVECOT_BIN, DOVECOT_INSTALL, startDovecot, type Dovecot } from '../support/dovecot';
import { needTool } from '../support/tier';

const skip = needTool('dovecot', DOVECOT_BIN, DOVECOT_INSTALL);

/** Messages that exercise the byte path: dot lines, 8-bit non-UTF-8, long lines, an empty body. */
const CORPUS: Buffer[] = [
  Buffer.from('From: a@example.org\r\nSubject: plain\r\n\r\nHello.\r\n.\r\n..two dots\r\n.x\r\n'),
  Buffer.concat([
    Buffer.from('From: b@example.org\r\nSubject: latin1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
    Buffer.from([0xc9, 0x74, 0xe9, 0x20, 0xe0, 0x20, 0xff, 0xfe, 0x0d, 0x0a]),
  ]),
  Buffer.from(`From: c@example.org\r\nSubject: long\r\n\r\n${'x'.repeat(5000)}\r\n${'line\r\n'.repeat(3000)}`),
  Buffer.from('From: d@example.org\r\nSubject: empty body\r\n\r\n'),
];

describe('Dovecot interoperability', { skip }, () => {
  let dovecot: Dovecot;
  before(async () => {
    dovecot = await startDovecot();
    dovecot.deliver('alice', CORPUS);
  });
  after(() => dovecot?.stop());

  const options = (extra: Partial<Pop3Options> = {}): Pop3Options => ({
    host: '127.0.0.1',
    port: dovecot.pop3Port,
    security: 'none',
    credentials: { user: 'alice', password: dovecot.password },
    timeouts: { connectMs: 5000, greetingMs: 5000, responseMs: 5000 },
    ...extra,
  });
  const tlsOptions = (extra: Partial<Pop3Options> = {}) =>
    options({ security: 'tls', port: dovecot.pop3sPort, tls: { pinnedSha256: dovecot.fingerprint256 }, ...extra });

  const logins: Array<[string, () => Partial<Pop3Options>]> = [
    ['plain, USER/PASS (explicitly allowed)', () => ({ allowInsecureAuth: true, credentials: { user: 'alice', password: dovecot.password, mechanism: 'USER' } })],
    ['plain, APOP', () => ({ credentials: { user: 'alice', password: dovecot.password, mechanism: 'APOP' } })],
    ['plain, CRAM-MD5', () => ({ credentials: { user: 'alice', password: dovecot.password, mechanism: 'CRAM-MD5' } })],
    ['STLS, PLAIN', () => ({ security: 'starttls', tls: { pinnedSha256: dovecot.fingerprint256 }, credentials: { user: 'alice', password: dovecot.password, mechanism: 'PLAIN' } })],
    ['STLS, LOGIN', () => ({ security: 'starttls', tls: { pinnedSha256: dovecot.fingerprint256 }, credentials: { user: 'alice', password: dovecot.password, mechanism: 'LOGIN' } })],
    ['implicit TLS, USER/PASS', () => ({ security: 'tls', port: dovecot.pop3sPort, tls: { pinnedSha256: dovecot.fingerprint256 }, credentials: { user: 'alice', password: dovecot.password, mechanism: 'USER' } })],
    ['implicit TLS, PLAIN', () => ({ security: 'tls', port: dovecot.pop3sPort, tls: { pinnedSha256: dovecot.fingerprint256 }, credentials: { user: 'alice', password: dovecot.password, mechanism: 'PLAIN' } })],
  ];
  for (const [name, extra] of logins) {
    test(`logs in: ${name}`, async () => {
      const client = await Pop3Client.connect(options(extra()));
      assert.equal((await client.stat()).count, CORPUS.length);
      await client.quit();
    });
  }

  test('automatic choice picks the strongest offered: CRAM-MD5 on plain text, and STLS learns fresh capabilities', async () => {
    const plain = await Pop3Client.connect(options());
    assert.equal(plain.mechanism, 'CRAM-MD5');
    assert.equal(plain.encrypted, false);
    await plain.quit();
    const stls = await Pop3Client.connect(options({ security: 'starttls', tls: { pinnedSha256: dovecot.fingerprint256 } }));
    assert.equal(stls.encrypted, true);
    assert.ok(!stls.has('STLS'), 'after TLS the server no longer offers STLS');
    assert.ok(stls.pipelining);
    await stls.quit();
  });

  test('a wrong password is an auth error with a plain message', async () => {
    for (const mechanism of ['USER', 'APOP', 'CRAM-MD5', 'PLAIN'] as const) {
      await assert.rejects(
        Pop3Client.connect(tlsOptions({ credentials: { user: 'alice', password: 'wrong', mechanism } })),
        (e: unknown) => e instanceof Pop3Error && e.kind === 'auth' && /Wrong user name or password/.test(e.message),
        mechanism,
      );
    }
  });

  test('STAT, LIST, UIDL, TOP and RETR agree byte for byte with the files on disk', async () => {
    const client = await Pop3Client.connect(tlsOptions());
    const onDisk = dovecot.messageFiles('alice').map((f) => readFileSync(join(dovecot.maildir('alice'), f)));
    const stat = await client.stat();
    assert.equal(stat.count, CORPUS.length);
    assert.equal(stat.size, CORPUS.reduce((a, m) => a + m.length, 0));
    const list = await client.list();
    const uidl = await client.uidl();
    assert.equal(new Set(uidl.map((u) => u.uid)).size, CORPUS.length);
    assert.deepEqual(await client.uidlOne(2), uidl[1]);
    assert.deepEqual(await client.listOne(3), list[2]);
    // Pipelined: all RETRs and TOPs written at once.
    const bodies = await Promise.all(list.map(({ msg }) => client.retrieveBuffer(msg)));
    const tops = await Promise.all(list.map(({ msg }) => client.top(msg, 0)));
    const sortKey = (b: Buffer) => b.toString('latin1');
    assert.deepEqual(bodies.map(sortKey).sort(), onDisk.map(sortKey).sort());
    assert.deepEqual(bodies.map(sortKey).sort(), CORPUS.map(sortKey).sort());
    for (let i = 0; i < list.length; i++) {
      assert.equal(bodies[i].length, list[i].size);
      const headerEnd = bodies[i].indexOf('\r\n\r\n') + 4;
      assert.deepEqual(tops[i], bodies[i].subarray(0, headerEnd));
    }
    await client.quit();
  });

  test('RETR streams deliver the same bytes as buffered RETR', async () => {
    const client = await Pop3Client.connect(tlsOptions());
    const chunks: Buffer[] = [];
    for await (const c of client.retrieveStream(3)) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), await client.retrieveBuffer(3));
    await client.quit();
  });

  test('DELE then QUIT removes the message; DELE then a dropped connection does not', async () => {
    const names = dovecot.deliver('bob', [Buffer.from('Subject: keep\r\n\r\nk\r\n'), Buffer.from('Subject: gone\r\n\r\ng\r\n')]);
    const bob = { credentials: { user: 'bob', password: dovecot.password } };
    let client = await Pop3Client.connect(tlsOptions(bob));
    assert.equal((await client.stat()).count, 2);
    await client.dele(1);
    client.close(); // no QUIT: the server must not apply the DELE
    client = await Pop3Client.connect(tlsOptions(bob));
    assert.equal((await client.stat()).count, 2);
    const first = await client.retrieveBuffer(1);
    await client.dele(1);
    await client.quit();
    client = await Pop3Client.connect(tlsOptions(bob));
    assert.equal((await client.stat()).count, 1);
    assert.notDeepEqual(await client.retrieveBuffer(1), first);
    await client.quit();
    assert.equal(dovecot.messageFiles('bob').length, 1);
    assert.equal(names.length, 2);
  });

  test('the self-signed certificate is rejected without a pin, with its fingerprint to show', async () => {
    for (const [security, port] of [['tls', dovecot.pop3sPort], ['starttls', dovecot.pop3Port]] as const) {
      const err = await Pop3Client.connect(options({ security, port })).then(
        () => assert.fail('connected without a pin'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof CertificateError, String(err));
      assert.equal(err.kind, 'tls');
      assert.match(err.reason, /SELF_SIGNED/);
      assert.equal(err.fingerprint256, dovecot.fingerprint256);
    }
  });

  test('the right pin is accepted; a wrong pin is rejected', async () => {
    const client = await Pop3Client.connect(tlsOptions({ tls: { pinnedSha256: dovecot.fingerprint256.toLowerCase().replace(/:/g, '') } }));
    await client.quit();
    const wrong = dovecot.fingerprint256.replace(/^../, (h) => (h === '00' ? '11' : '00'));
    for (const [security, port] of [['tls', dovecot.pop3sPort], ['starttls', dovecot.pop3Port]] as const) {
      await assert.rejects(
        Pop3Client.connect(options({ security, port, tls: { pinnedSha256: wrong } })),
        (e: unknown) => e instanceof CertificateError && e.reason === 'PIN_MISMATCH',
      );
    }
  });
});
