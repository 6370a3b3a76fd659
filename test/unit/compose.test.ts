/**
 * Writing mail, before any server: the draft's header block read back line by line, the Drafts
 * folder's file keeping every character typed, replies and forwards as mail clients agree on them,
 * format=flowed, and the message a draft becomes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { draftText, emptyFields, readDraft } from '../../src/compose/draft';
import { draftFile, readDraftFile } from '../../src/compose/draftFile';
import { FLOWED_WIDTH, fromFlowed, toFlowed } from '../../src/compose/flowed';
import { buildMessage } from '../../src/compose/outgoing';
import { forward, forwardSubject, MAX_REFERENCES, newMessage, reply, replyReferences, replySubject } from '../../src/compose/replies';
import { parseMessage } from '../../src/mime/parse';

const alice = { accountId: 'acc', from: 'Alice <alice@example.org>', address: 'alice@example.org', signature: 'Alice\nexample.org' };

test('a draft reads back its fields, wrapped address lines and attachments; the body is kept as typed', () => {
  const text = 'From: Alice <alice@example.org>\nTo: bob@example.org,\n  "Doe, Carol" <carol@example.org>\ncc:\nBcc: dan@example.org\nSubject: Plans\nAttach: /tmp/a.pdf\nAttach: /tmp/b c.png\nFormat: markdown\n\nLine one\n\nTo: not a header in the body\n';
  const draft = readDraft(text);
  assert.deepEqual(draft.problems, []);
  assert.deepEqual(draft.recipients.to.map((m) => m.address), ['bob@example.org', 'carol@example.org']);
  assert.equal(draft.recipients.to[1].name, 'Doe, Carol');
  assert.deepEqual(draft.recipients.bcc.map((m) => m.address), ['dan@example.org']);
  assert.deepEqual(draft.fields.attach, ['/tmp/a.pdf', '/tmp/b c.png']);
  assert.equal(draft.fields.format, 'markdown');
  assert.equal(draft.fields.body, 'Line one\n\nTo: not a header in the body\n');
  assert.equal(draft.bodyLine, 10);
  assert.equal(draft.lines.get('attach:1'), 7);
  assert.equal(readDraft(draftText(draft.fields)).fields.body, draft.fields.body, 'written and read again, the same');
});

test('a draft that cannot be sent says why, on the line concerned', () => {
  const problems = (text: string) => readDraft(text).problems.map((p) => `${p.line}: ${p.message}`);
  assert.match(problems('From: a@example.org\nTo:\nSubject: x\n\nbody').join(), /^1: Add at least one recipient/);
  assert.match(problems('From: a@example.org\nTo: bob\nSubject: x\n\nbody').join(), /^1: "bob" is not an e-mail address/);
  assert.match(problems('From: a@example.org\nTo: b@example.org\nHello there\n\nbody').join(), /^2: "Hello there" is not one of the draft's header lines/);
  assert.match(problems('From: a@example.org\nTo: b@example.org\nTo: c@example.org\n\nbody').join(), /^2: To appears twice/);
  assert.match(problems('From:\nTo: b@example.org\n\nbody').join(), /^0: From must be one address/);
  assert.match(problems('From: a@example.org\nTo: b@example.org\nFormat: html\n\nbody').join(), /Format is "plain" or "markdown"/);
});

test('the Drafts folder keeps every character typed, and what the editor does not show', () => {
  const text = 'From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: Grüße — 北京\n\nFrom the start\r\n.\n\u0000odd\ttabs   \n\n\n';
  const meta = { accountId: 'acc', inReplyTo: '<a@x>', references: ['<r@x>', '<a@x>'], forwardOf: 'acc/123', forwardAs: 'attachment' as const };
  const back = readDraftFile(draftFile(meta, text));
  assert.equal(back.text, text);
  assert.deepEqual(back.meta, meta);
});

test('subjects gain one Re: or Fwd:, whatever prefixes other clients wrote', () => {
  assert.equal(replySubject('Hello'), 'Re: Hello');
  assert.equal(replySubject('Re: Hello'), 'Re: Hello');
  assert.equal(replySubject('RE: Re: AW: Hello'), 'Re: Hello');
  assert.equal(replySubject('Re[2]: Hello'), 'Re: Hello');
  assert.equal(replySubject('Regarding: x'), 'Re: Regarding: x');
  assert.equal(forwardSubject('Hello'), 'Fwd: Hello');
  assert.equal(forwardSubject('Fw: Hello'), 'Fw: Hello');
});

test('References keep the thread root and the latest ids, and end with the answered message', () => {
  const long = Array.from({ length: 40 }, (_, i) => `<m${i}@x>`);
  const refs = replyReferences({ references: long, messageId: '<last@x>' });
  assert.equal(refs.length, MAX_REFERENCES);
  assert.equal(refs[0], '<m0@x>');
  assert.equal(refs.at(-1), '<last@x>');
  assert.equal(refs.at(-2), '<m39@x>');
  assert.deepEqual(replyReferences({ references: [], messageId: '<a@x>' }), ['<a@x>']);
  assert.deepEqual(replyReferences({ references: ['<a@x>'], messageId: '<a@x>' }), ['<a@x>'], 'an id is not repeated');
});

const message = (head: string, body = 'Hi\r\n> earlier\r\nBye\r\n') => parseMessage(Buffer.from(`${head.replace(/\n/g, '\r\n')}\r\nMessage-ID: <m1@x>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n${body}`));

test('Reply answers Reply-To or the sender, quotes the text and puts the cursor under the quote', async () => {
  const original = await message('From: Bob <bob@example.org>\nReply-To: list@example.org\nTo: alice@example.org\nSubject: Plans');
  const draft = reply(original, alice, false);
  assert.equal(draft.fields.to, 'list@example.org');
  assert.equal(draft.fields.cc, '');
  assert.equal(draft.fields.subject, 'Re: Plans');
  assert.equal(draft.meta.inReplyTo, '<m1@x>');
  const lines = draft.fields.body.split('\n');
  assert.match(lines[0], /^On .*2026.*, Bob <bob@example\.org> wrote:$/);
  assert.deepEqual(lines.slice(1, 4), ['> Hi', '>> earlier', '> Bye']);
  assert.equal(lines[draft.cursorLine], '');
  assert.deepEqual(lines.slice(-3), ['-- ', 'Alice', 'example.org'], 'the signature under its separator');
});

test('Reply All keeps everyone but me, once; a reply to my own mail goes to its recipients', async () => {
  const original = await message('From: Bob <bob@example.org>\nTo: Alice <ALICE@example.org>, carol@example.org\nCc: dan@example.org, carol@example.org, bob@example.org\nSubject: Plans');
  const all = reply(original, alice, true);
  assert.equal(all.fields.to, 'Bob <bob@example.org>');
  assert.equal(all.fields.cc, 'carol@example.org, dan@example.org');
  const mine = await message('From: Alice <alice@example.org>\nTo: Bob <bob@example.org>\nSubject: Plans');
  assert.equal(reply(mine, alice, false).fields.to, 'Bob <bob@example.org>');
  const noteToSelf = await message('From: Alice <alice@example.org>\nTo: Alice <alice@example.org>\nSubject: Note');
  assert.equal(reply(noteToSelf, alice, true).fields.to, 'Alice <alice@example.org>');
});

test('an HTML-only message is quoted as text, line by line', async () => {
  const original = await message('From: bob@example.org\nTo: alice@example.org\nSubject: x\nContent-Type: text/html', '<p>First   paragraph\r\nstill first</p><p>Second<br>line</p><script>x()</script>');
  const quoted = reply(original, { ...alice, signature: undefined }, false).fields.body.split('\n').slice(1, 4);
  assert.deepEqual(quoted.map((l) => l.trim()), ['> First paragraph still first', '> Second', '> line']);
});

test('Forward inline carries the original head and text; as attachment it names the stored message', async () => {
  const original = await message('From: Bob <bob@example.org>\nTo: alice@example.org\nSubject: Plans');
  const inline = forward(original, 'acc/7', alice, 'inline');
  assert.equal(inline.fields.subject, 'Fwd: Plans');
  assert.equal(inline.fields.to, '');
  assert.match(inline.fields.body, /---------- Forwarded message ----------\nFrom: Bob <bob@example\.org>\nDate: .*\nSubject: Plans\nTo: alice@example\.org\n\nHi\n> earlier\nBye\n/);
  assert.equal(inline.meta.forwardAs, 'inline');
  const attached = forward(original, 'acc/7', alice, 'attachment');
  assert.deepEqual([attached.meta.forwardOf, attached.meta.forwardAs], ['acc/7', 'attachment']);
  assert.equal(attached.meta.inReplyTo, undefined);
  assert.equal(newMessage(alice, 'bob@example.org').fields.to, 'bob@example.org');
});

test('format=flowed wraps long lines softly, keeps hard breaks, quotes and the signature, and reads back the same', () => {
  const words = ['a', 'mail', 'über', '北京', 'From', 'x'.repeat(90), '>', ' ', 'end.'];
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let round = 0; round < 300; round++) {
    const lines = Array.from({ length: 1 + rand(6) }, () => Array.from({ length: rand(40) }, () => words[rand(words.length)]).join(' ').replace(/\s+$/, ''));
    const text = lines.join('\n');
    const flowed = toFlowed(text);
    for (const line of flowed.split('\r\n')) {
      if (!line.includes('x'.repeat(90)) && !line.startsWith('>')) assert.ok(line.length <= FLOWED_WIDTH + 2, `line too long: ${line}`);
      assert.ok(!/^From /.test(line), 'From is stuffed');
    }
    assert.equal(fromFlowed(flowed), text, `round ${round}`);
  }
  assert.equal(toFlowed('hard break   \nnext'), 'hard break\r\nnext', 'spaces the user left at a line end do not make it soft');
  assert.equal(toFlowed('-- \nsig'), '-- \r\nsig');
  const quote = `> ${'quoted '.repeat(20)}`;
  assert.equal(toFlowed(quote), quote.trimEnd(), 'quotes are not rewrapped');
});

test('Bcc goes to the envelope, never into the message; Markdown adds an HTML alternative', async () => {
  const text = draftText({ ...emptyFields('Alice <alice@example.org>'), to: 'bob@example.org', bcc: 'Secret <secret@example.org>', subject: 'Hi', format: 'markdown', body: '# Title\n\n*stress* and <script>x()</script>' });
  const out = await buildMessage(readDraft(text), { accountId: 'acc', references: [] }, { markdownToHtml: (md) => `<p>${md.length}</p>` });
  assert.deepEqual(out.envelope, { from: 'alice@example.org', to: ['bob@example.org', 'secret@example.org'] });
  const raw = out.raw.toString('latin1');
  assert.doesNotMatch(raw, /secret/i);
  assert.match(raw, /^Content-Type: multipart\/alternative/m);
  const parsed = await parseMessage(out.raw);
  assert.equal(parsed.html, `<p>${'# Title\n\n*stress* and <script>x()</script>'.length}</p>`);
  assert.equal(fromFlowed(parsed.text ?? '').trimEnd(), '# Title\n\n*stress* and <script>x()</script>');
  await assert.rejects(buildMessage(readDraft('From: a@example.org\nTo:\n\nx'), { accountId: 'acc', references: [] }), /Add at least one recipient/);
});

test('a message forwarded as an attachment travels whole as message/rfc822', async () => {
  const original = Buffer.from('From: bob@example.org\r\nSubject: Plans\r\nMessage-ID: <o@x>\r\n\r\nCaf\xe9 body\r\n', 'latin1');
  const text = draftText({ ...emptyFields('Alice <alice@example.org>'), to: 'carol@example.org', subject: 'Fwd: Plans', body: 'See below.' });
  const out = await buildMessage(readDraft(text), { accountId: 'acc', references: [] }, { attachments: [{ filename: 'Plans.eml', content: original, contentType: 'message/rfc822' }] });
  const raw = out.raw.toString('latin1');
  assert.match(raw, /Content-Type: message\/rfc822/);
  assert.match(raw, /Content-Transfer-Encoding: 8bit/, 'an 8-bit message is not re-encoded');
  assert.ok(out.raw.includes(original), 'the forwarded message byte for byte');
});
