/**
 * Sending through a real Postfix (submission with STARTTLS, SMTPS) that delivers into the Maildirs
 * the test's Dovecot serves: a reply goes out and comes back over POP3 with its thread ids, encoded
 * subject and name, UTF-8 text and attachment intact; refusals read as what they are.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { draftText, readDraft } from '../../src/compose/draft';
import { fromFlowed } from '../../src/compose/flowed';
import { buildMessage } from '../../src/compose/outgoing';
import { reply } from '../../src/compose/replies';
import { parseMessage } from '../../src/mime/parse';
import { CertificateError } from '../../src/pop3';
import { sendMessage, type SmtpOptions } from '../../src/smtp/smtpClient';
import { SmtpError } from '../../src/smtp/smtpErrors';
import { AccountStore } from '../../src/store/accountStore';
import { fetchMail } from '../../src/sync/fetch';
import { DOVECOT_BIN, DOVECOT_INSTALL, startDovecot, type Dovecot } from '../support/dovecot';
import { delivered, MAX_MESSAGE_BYTES, POSTFIX_BIN, POSTFIX_INSTALL, startPostfix, type Postfix } from '../support/postfix';
import { needTool } from '../support/tier';

const skip = needTool('dovecot', DOVECOT_BIN, DOVECOT_INSTALL) || needTool('postfix', POSTFIX_BIN, POSTFIX_INSTALL);
const USERS = ['alice', 'bob', 'carol', 'dave'];

const ORIGINAL = Buffer.from(
  [
    'From: =?UTF-8?Q?Bob_=C3=9Cnal?= <bob@example.org>',
    'To: Alice <alice@example.org>',
    'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=',
    'Message-ID: <original.1@example.org>',
    'References: <root.0@example.org>',
    'Date: Mon, 23 Nov 2026 10:00:00 +0000',
    '',
    'Can you send the report?',
    '',
  ].join('\r\n'),
);

describe('sending through Postfix, fetched back from Dovecot', { skip }, () => {
  let dovecot: Dovecot;
  let postfix: Postfix;
  const scratch = mkdtempSync(join(tmpdir(), 'mailpanel-smtp-'));
  before(async () => {
    dovecot = await startDovecot(USERS);
    postfix = await startPostfix(dovecot, USERS.filter((u) => u !== 'dave'));
  });
  after(async () => {
    await postfix?.stop();
    await dovecot?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const smtp = (extra: Partial<SmtpOptions> = {}): SmtpOptions => ({
    host: '127.0.0.1',
    port: postfix.submissionPort,
    security: 'starttls',
    user: 'alice',
    password: dovecot.password,
    tls: { pinnedSha256: postfix.fingerprint256 },
    ...extra,
  });
  const alice = { accountId: 'alice', from: 'Alice Ärger <alice@example.org>', address: 'alice@example.org' };
  const fetchStored = async (user: string) => {
    const root = join(scratch, user);
    await fetchMail({ storeRoot: root, server: { host: '127.0.0.1', port: dovecot.pop3sPort, security: 'tls', tls: { pinnedSha256: dovecot.fingerprint256 }, credentials: { user, password: dovecot.password } } });
    const store = await AccountStore.open(root);
    try {
      return await Promise.all(store.list().map((m) => store.read(m.id)));
    } finally {
      await store.close();
    }
  };
  const simpleDraft = (to: string, body = 'Hello') => readDraft(draftText({ from: alice.from, to, cc: '', bcc: '', subject: 'Test', attach: [], format: 'plain', body }));

  test('a reply comes back over POP3 with its thread ids, encoded subject and name, UTF-8 text and attachment intact', async () => {
    const answer = reply(await parseMessage(ORIGINAL), alice, false);
    const body = `Here it is — voilà, 北京, ✉️.\n.a line starting with a dot\n..two dots\n${'A long line that format=flowed must wrap and the reader must join again. '.repeat(3).trim()}\n\n${answer.fields.body}`;
    const attachment = Buffer.concat([randomBytes(3000), Buffer.from('\0\r\n.\r\n\xff', 'latin1')]);
    const draft = readDraft(draftText({ ...answer.fields, subject: `${answer.fields.subject} — 北京`, bcc: 'carol@example.org', body }));
    const outgoing = await buildMessage(draft, answer.meta, { attachments: [{ filename: 'Bericht März.bin', content: attachment }] });
    const report = await sendMessage(smtp(), outgoing.raw, outgoing.envelope);
    assert.deepEqual(report.rejected, []);
    await delivered(dovecot, 'bob');
    await delivered(dovecot, 'carol');

    const [raw] = await fetchStored('bob');
    const got = await parseMessage(raw);
    assert.equal(got.messageId, outgoing.messageId, 'the Message-ID is ours, not added by the server');
    assert.equal(got.subject, 'Re: Grüße aus Köln — 北京');
    assert.deepEqual(got.mailboxes.from, [{ name: 'Alice Ärger', address: 'alice@example.org' }]);
    assert.deepEqual(got.mailboxes.to, [{ name: 'Bob Ünal', address: 'bob@example.org' }]);
    assert.equal((await parseMessage(raw)).references.join(' '), '<root.0@example.org> <original.1@example.org>');
    assert.match(raw.toString('latin1'), /^In-Reply-To: <original\.1@example\.org>\r$/m);
    assert.doesNotMatch(raw.toString('latin1'), /carol/i, 'Bcc never reaches a header');
    assert.match(raw.toString('latin1'), /format=flowed/);
    assert.equal(fromFlowed(got.text ?? '').replace(/\n+$/, ''), body.replace(/\n+$/, ''));
    assert.equal(got.attachments.length, 1);
    assert.equal(got.attachments[0].filename, 'Bericht März.bin');
    assert.ok(got.attachments[0].content.equals(attachment), 'the attachment byte for byte');
    const [bccCopy] = await fetchStored('carol');
    assert.equal((await parseMessage(bccCopy)).messageId, outgoing.messageId, 'the Bcc recipient got the same message');
  });

  test('implicit TLS (SMTPS) sends as well', async () => {
    const outgoing = await buildMessage(simpleDraft('alice@example.org'), { accountId: 'alice', references: [] });
    await sendMessage(smtp({ port: postfix.smtpsPort, security: 'tls' }), outgoing.raw, outgoing.envelope);
    const files = await delivered(dovecot, 'alice');
    assert.equal(files.length, 1);
  });

  test('a wrong password is said so, and nothing is sent', async () => {
    const outgoing = await buildMessage(simpleDraft('bob@example.org'), { accountId: 'alice', references: [] });
    const before = dovecot.messageFiles('bob').length;
    await assert.rejects(sendMessage(smtp({ password: 'wrong' }), outgoing.raw, outgoing.envelope), (err: unknown) => {
      assert.ok(err instanceof SmtpError);
      assert.equal(err.kind, 'auth');
      assert.match(err.message, /Wrong user name or password/);
      assert.equal(err.retryable, false);
      return true;
    });
    assert.equal(dovecot.messageFiles('bob').length, before);
  });

  test('relaying to another domain is refused in plain words', async () => {
    const outgoing = await buildMessage(simpleDraft('someone@elsewhere.test'), { accountId: 'alice', references: [] });
    await assert.rejects(sendMessage(smtp(), outgoing.raw, outgoing.envelope), (err: unknown) => {
      assert.ok(err instanceof SmtpError, String(err));
      assert.equal(err.kind, 'relay');
      assert.match(err.message, /does not relay/);
      assert.match(err.message, /someone@elsewhere\.test/);
      return true;
    });
  });

  test('an unknown recipient beside a known one: the message goes, the refused address is named', async () => {
    const outgoing = await buildMessage(simpleDraft('bob@example.org, dave@example.org'), { accountId: 'alice', references: [] });
    const report = await sendMessage(smtp(), outgoing.raw, outgoing.envelope);
    assert.deepEqual(report.accepted, ['bob@example.org']);
    assert.equal(report.rejected.length, 1);
    assert.equal(report.rejected[0].address, 'dave@example.org');
    assert.match(report.rejected[0].reason, /does not take mail for dave@example\.org/);
  });

  test('a message larger than the server takes says so', async () => {
    const outgoing = await buildMessage(simpleDraft('bob@example.org'), { accountId: 'alice', references: [] }, { attachments: [{ filename: 'big.bin', content: randomBytes(MAX_MESSAGE_BYTES) }] });
    await assert.rejects(sendMessage(smtp(), outgoing.raw, outgoing.envelope), (err: unknown) => {
      assert.ok(err instanceof SmtpError, String(err));
      assert.equal(err.kind, 'size');
      assert.match(err.message, /too large/);
      return true;
    });
  });

  test('a certificate that is neither trusted nor pinned stops the login before the password is sent', async () => {
    const outgoing = await buildMessage(simpleDraft('bob@example.org'), { accountId: 'alice', references: [] });
    await assert.rejects(sendMessage(smtp({ tls: {} }), outgoing.raw, outgoing.envelope), (err: unknown) => {
      assert.ok(err instanceof CertificateError, String(err));
      assert.equal(err.fingerprint256, postfix.fingerprint256);
      return true;
    });
  });
});
