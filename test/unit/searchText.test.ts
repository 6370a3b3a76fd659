/** What the search index reads of a message (src/mime/searchText.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_BODY_CHARS, searchText } from '../../src/mime/searchText';

const mail = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

describe('search text of a message', () => {
  test('headers decoded; To and Cc both; of plain and HTML alternatives the plain text once', () => {
    const text = searchText(
      mail([
        'From: =?UTF-8?B?UmVuw6llIER1cG9udA==?= <renee@example.org>',
        'To: Bob <bob@example.org>',
        'Cc: Carol <carol@example.org>',
        'Subject: =?ISO-8859-1?Q?M=FCnchen?= plan',
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Caf=C3=A9 at ten, soft =',
        'break.',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>HTML copy</p>',
        '--alt--',
      ]),
    );
    assert.equal(text.from, 'Renée Dupont <renee@example.org>');
    assert.equal(text.to, 'Bob <bob@example.org>, Carol <carol@example.org>');
    assert.equal(text.subject, 'München plan');
    assert.equal(text.body.trim(), 'Café at ten, soft break.');
    assert.deepEqual(text.attachments, []);
  });

  test('HTML alone is read as its text, without scripts, styles or tags', () => {
    const text = searchText(mail(['Content-Type: text/html; charset=iso-8859-1', 'Content-Transfer-Encoding: base64', '', Buffer.from('<html><head><style>p{color:red}</style></head><body><script>evil()</script><p>Gr\xfc\xdfe &amp; more</p></body></html>', 'latin1').toString('base64')]));
    assert.match(text.body, /Grüße & more/);
    assert.doesNotMatch(text.body, /evil|color|<p>/);
  });

  test("attachments give their names (RFC 2231 and RFC 2047), not their contents; a forwarded message's text is read", () => {
    const text = searchText(
      mail([
        'Subject: fwd',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'See attached.',
        '--b',
        'Content-Type: application/pdf',
        "Content-Disposition: attachment; filename*=UTF-8''B%C3%BCro%20plan.pdf",
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('secretpdfwords').toString('base64'),
        '--b',
        'Content-Type: application/octet-stream; name="=?UTF-8?B?5pel5pys6KqeLnR4dA==?="',
        '',
        'binary',
        '--b',
        'Content-Type: message/rfc822',
        '',
        'From: Dave <dave@example.org>',
        'Subject: Original question',
        '',
        'The forwarded body.',
        '--b--',
      ]),
    );
    assert.deepEqual(text.attachments, ['Büro plan.pdf', '日本語.txt']);
    assert.match(text.body, /See attached\./);
    assert.match(text.body, /Original question/);
    assert.match(text.body, /The forwarded body\./);
    assert.doesNotMatch(text.body, /secretpdfwords|binary/);
  });

  test('a huge body is read up to its cap', () => {
    const text = searchText(mail(['Content-Type: text/plain', '', 'x'.repeat(MAX_BODY_CHARS + 5000)]));
    assert.equal(text.body.length, MAX_BODY_CHARS);
  });

  test('broken structure loses nothing readable: a missing boundary, an unclosed multipart, no body', () => {
    assert.equal(searchText(mail(['Subject: s', 'Content-Type: multipart/mixed', '', 'text'])).subject, 's');
    assert.match(searchText(mail(['Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: text/plain', '', 'cut off here'])).body, /cut off here/);
    assert.equal(searchText(mail(['Subject: only headers'])).body, '');
  });
});
