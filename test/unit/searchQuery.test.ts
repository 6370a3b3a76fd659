/** The search language (src/search/query.ts) and its words (src/search/tokens.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fold } from '../../src/list/fold';
import { parseQuery, QueryError, type Query } from '../../src/search/query';
import { tokens } from '../../src/search/tokens';

const words = (field: string, ...list: string[]) => ({ kind: 'words', field, words: list });
const local = (y: number, m: number, d = 1) => new Date(y, m - 1, d).getTime();

/** The error a query gets, as [message, offset]. */
function refusal(query: string): [string, number] {
  try {
    parseQuery(query);
  } catch (e) {
    assert.ok(e instanceof QueryError, `${query}: ${String(e)}`);
    return [e.message, e.at];
  }
  assert.fail(`"${query}" was read as ${JSON.stringify(parseQuery(query))}`);
}

describe('search words', () => {
  test('case and accents do not matter; a word is letters, marks and digits', () => {
    assert.deepEqual(tokens('München, CAFÉ crème-brûlée! Straße 2026'), ['munchen', 'cafe', 'creme', 'brulee', 'strasse', '2026']);
    assert.deepEqual(tokens('ＦＵＬＬ width ﬁle'), ['full', 'width', 'file']);
  });

  test('Greek and Cyrillic lose their accents; Arabic and Hebrew their vowel points', () => {
    assert.deepEqual(tokens('Ελληνικά Ёлка'), ['ελληνικα', 'ёлка'.normalize('NFKD').replace(/\p{M}/gu, '')]);
    assert.deepEqual(tokens('مُحَمَّد عَلِي'), ['محمد', 'علي']);
    assert.deepEqual(tokens('שָׁלוֹם עוֹלָם'), ['שלום', 'עולם']);
  });

  test('marks that make a different word stay: Devanagari vowel signs, kana voicing marks, Hangul', () => {
    assert.deepEqual(tokens('हिंदी'), ['हिंदी']);
    assert.notDeepEqual(tokens('が'), tokens('か'));
    assert.deepEqual(tokens('한국어 메일'), ['한국어', '메일']);
    // The list's quick filter folds the same way.
    assert.notEqual(fold('がっこう'), fold('かっこう'));
  });

  test('Chinese, Japanese and Thai, written without spaces, are split into words', () => {
    assert.deepEqual(tokens('我们明天去北京开会'), ['我们', '明天', '去', '北京', '开会']);
    assert.deepEqual(tokens('東京都に行きます'), ['東京', '都', 'に', '行き', 'ます']);
    assert.deepEqual(tokens('สวัสดีครับ'), ['สวัสดี', 'ครับ']);
    // Mixed with Latin text in one run.
    assert.deepEqual(tokens('Re:会议ABC'), ['re', '会议', 'abc']);
  });

  test('runs too long to be words (base64, hashes) are left out', () => {
    assert.deepEqual(tokens(`a ${'x'.repeat(65)} b ${'y'.repeat(64)}`), ['a', 'b', 'y'.repeat(64)]);
  });
});

describe('search queries', () => {
  test('words, phrases and fields', () => {
    assert.deepEqual(parseQuery('München'), words('any', 'munchen'));
    assert.deepEqual(parseQuery('"Quarterly Report"'), words('any', 'quarterly', 'report'));
    assert.deepEqual(parseQuery('from:renée'), words('from', 'renee'));
    assert.deepEqual(parseQuery('To:"Bob Jones"'), words('to', 'bob', 'jones'));
    assert.deepEqual(parseQuery('subject:plan attachment:pdf'), { kind: 'and', items: [words('subject', 'plan'), words('attachment', 'pdf')] });
    // A word that holds several (e-mail, 10:30, a link) must match them in order.
    assert.deepEqual(parseQuery('e-mail'), words('any', 'e', 'mail'));
    assert.deepEqual(parseQuery('10:30'), words('any', '10', '30'));
    assert.deepEqual(parseQuery('https://example.org/x'), words('any', 'https', 'example', 'org', 'x'));
    assert.deepEqual(parseQuery('会议'), words('any', '会议'));
    assert.deepEqual(parseQuery(''), { kind: 'all' });
    assert.deepEqual(parseQuery('   '), { kind: 'all' });
  });

  test('flags and accounts', () => {
    assert.deepEqual(parseQuery('has:attachment'), { kind: 'flag', flag: 'attachment' });
    assert.deepEqual(parseQuery('is:unread is:READ is:trashed'), { kind: 'and', items: ['unread', 'read', 'trashed'].map((flag) => ({ kind: 'flag', flag })) });
    assert.deepEqual(parseQuery('account:Work'), { kind: 'account', text: 'work' });
  });

  test('dates are local days, months and years; ranges may be open', () => {
    assert.deepEqual(parseQuery('date:2026-11'), { kind: 'date', from: local(2026, 11), until: local(2026, 12) });
    assert.deepEqual(parseQuery('date:2026-11-05'), { kind: 'date', from: local(2026, 11, 5), until: local(2026, 11, 6) });
    assert.deepEqual(parseQuery('date:2026'), { kind: 'date', from: local(2026, 1), until: local(2027, 1) });
    assert.deepEqual(parseQuery('date:2026-12'), { kind: 'date', from: local(2026, 12), until: local(2027, 1) });
    assert.deepEqual(parseQuery('before:2026-11-01'), { kind: 'date', until: local(2026, 11) });
    assert.deepEqual(parseQuery('after:2026-10'), { kind: 'date', from: local(2026, 11) });
    assert.deepEqual(parseQuery('date:2026-10-01..2026-10-15'), { kind: 'date', from: local(2026, 10, 1), until: local(2026, 10, 16) });
    assert.deepEqual(parseQuery('date:..2026-10'), { kind: 'date', from: undefined, until: local(2026, 11) });
    assert.deepEqual(parseQuery('date:2024-02-29'), { kind: 'date', from: local(2024, 2, 29), until: local(2024, 3, 1) });
  });

  test('AND binds closer than OR; a space is AND; minus and NOT leave out; parentheses group', () => {
    const a = words('any', 'a');
    const b = words('any', 'b');
    const c = words('any', 'c');
    assert.deepEqual(parseQuery('a b OR c'), { kind: 'or', items: [{ kind: 'and', items: [a, b] }, c] });
    assert.deepEqual(parseQuery('a AND b'), { kind: 'and', items: [a, b] });
    assert.deepEqual(parseQuery('a (b OR c)'), { kind: 'and', items: [a, { kind: 'or', items: [b, c] }] });
    assert.deepEqual(parseQuery('-a b'), { kind: 'and', items: [{ kind: 'not', item: a }, b] });
    assert.deepEqual(parseQuery('NOT a'), { kind: 'not', item: a });
    assert.deepEqual(parseQuery('-(a OR b)'), { kind: 'not', item: { kind: 'or', items: [a, b] } });
    assert.deepEqual(parseQuery('--a'), { kind: 'not', item: { kind: 'not', item: a } });
    assert.deepEqual(parseQuery('-from:ann'), { kind: 'not', item: words('from', 'ann') });
    // Lower-case "or" and a quoted "OR" are words.
    assert.deepEqual(parseQuery('a or b'), { kind: 'and', items: [a, words('any', 'or'), b] });
    assert.deepEqual(parseQuery('"OR"'), words('any', 'or'));
    const nested: Query = parseQuery('((a))');
    assert.deepEqual(nested, a);
  });

  test('a query it cannot read is refused with the reason and the place, never read another way', () => {
    assert.deepEqual(refusal('form:ann'), ['Unknown field "form:" (did you mean "from:"?); to search for the text, put it in quotes', 0]);
    assert.match(refusal('colour:red')[0], /^Unknown field "colour:"; to search/);
    assert.deepEqual(refusal('subject:"plan'), ['A quotation mark is not closed', 8]);
    assert.deepEqual(refusal('(a OR b'), ['A "(" is not closed', 0]);
    assert.deepEqual(refusal('a)'), ['A ")" closes nothing', 1]);
    assert.deepEqual(refusal('a ()'), ['Empty parentheses', 3]);
    assert.deepEqual(refusal('OR a'), ['"OR" needs something before it', 0]);
    assert.deepEqual(refusal('a OR'), ['"OR" needs something after it', 2]);
    assert.deepEqual(refusal('a OR OR b'), ['"OR" needs something after it', 2]);
    assert.deepEqual(refusal('AND a'), ['"AND" needs something on each side', 0]);
    assert.deepEqual(refusal('a -'), ['"-" has no letters or digits to search for', 2]);
    assert.deepEqual(refusal('a NOT'), ['"NOT" needs something to leave out', 2]);
    assert.deepEqual(refusal('from:'), ['"from:" needs a value', 0]);
    assert.deepEqual(refusal('is:flagged'), ['"is:" knows "unread", "read" and "trashed", not "flagged"', 3]);
    assert.deepEqual(refusal('has:pdf'), ['"has:" knows "attachment", not "pdf"', 4]);
    assert.deepEqual(refusal('date:2026-13'), ['"2026-13" is not a date: write 2026, 2026-11 or 2026-11-05', 5]);
    assert.deepEqual(refusal('before:2026-02-30'), ['"2026-02-30" is not a date: write 2026, 2026-11 or 2026-11-05', 7]);
    assert.deepEqual(refusal('after:yesterday')[1], 6);
    assert.deepEqual(refusal('date:..'), ['".." is not a date range: write "date:2026-10-01..2026-10-15"', 5]);
    assert.deepEqual(refusal('date:2026..2027..2028')[1], 5);
    assert.deepEqual(refusal('!!!'), ['"!!!" has no letters or digits to search for', 0]);
  });
});
