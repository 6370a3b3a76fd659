/** What a person reads when a server says no: typed errors from -ERR lines (src/pop3/errors.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CertificateError, Pop3Error, parseResponseCode, printable, serverError } from '../../src/pop3/errors';

describe('server errors', () => {
  test('an RFC 2449 response code is read off the text, in any case, with or without a space after it', () => {
    assert.deepEqual(parseResponseCode('[IN-USE] mailbox locked'), { code: 'IN-USE', rest: 'mailbox locked' });
    assert.deepEqual(parseResponseCode('[sys/temp]try later'), { code: 'SYS/TEMP', rest: 'try later' });
    assert.deepEqual(parseResponseCode('[AUTH] bad\r\nsecond line'), { code: 'AUTH', rest: 'bad\r\nsecond line' }, 'the rest may span lines');
    for (const text of ['no code [IN-USE]', ' [IN-USE] leading space', '[IN USE] space inside', '[] empty', `[${'X'.repeat(65)}] too long`]) {
      assert.deepEqual(parseResponseCode(text), { rest: text }, text);
    }
  });

  test('known codes say what they mean; unknown ones name the step refused and what the server said', () => {
    const locked = serverError('[IN-USE] Mailbox locked by another session', 'PASS');
    assert.ok(locked instanceof Pop3Error);
    assert.deepEqual([locked.kind, locked.message], ['in-use', 'The mailbox is locked by another mail client. Close it or try again in a few minutes.']);
    assert.equal(serverError('[LOGIN-DELAY] wait', 'USER').kind, 'login-delay');
    assert.equal(serverError('[SYS/TEMP] x', 'STAT').kind, 'temporary');
    assert.equal(serverError('[SYS/PERM] x', 'STAT').kind, 'permanent');
    assert.equal(serverError('[AUTH] x', 'PASS').kind, 'auth');
    const refused = serverError('[XYZ] no such message', 'RETR 4');
    assert.deepEqual([refused.kind, refused.message], ['server', 'The server refused RETR 4: [XYZ] no such message']);
    assert.equal(serverError('', 'DELE 2').message, 'The server refused DELE 2');
    assert.equal(serverError('nope', 'DELE 2', 'temporary').kind, 'temporary');
  });

  test('a refused login reads as a wrong user name or password whatever the server wrote', () => {
    const error = serverError('Authentication failed <script>', 'PASS', 'auth');
    assert.deepEqual([error.kind, error.message], ['auth', 'Wrong user name or password.']);
  });

  test('server text is shown printable and bounded', () => {
    assert.equal(printable('ok\u0000\u001b[31mred\u00e9'), 'ok??[31mred?');
    assert.equal(printable('x'.repeat(200)), 'x'.repeat(200));
    assert.equal(printable('x'.repeat(201)), `${'x'.repeat(200)}…`);
    assert.equal(printable('abcdef', 3), 'abc…');
    assert.equal(serverError(`bad\u0007${'y'.repeat(300)}`, 'TOP 1 0').message, `The server refused TOP 1 0: bad?${'y'.repeat(196)}…`);
  });

  test('a certificate error is a TLS error that names itself and keeps the fingerprint and reason', () => {
    const error = new CertificateError('not trusted', 'AB:CD', 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.deepEqual([error.name, error.kind, error.fingerprint256, error.reason, error.message], ['CertificateError', 'tls', 'AB:CD', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'not trusted']);
    assert.ok(error instanceof Pop3Error);
  });
});
