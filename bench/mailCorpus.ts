/**
 * Realistic mail for the benchmarks: sizes log-normal (most a few KB, a few large), plain text in
 * UTF-8 and ISO-8859-1, 8bit, quoted-printable and base64, HTML alternatives, attachments, a share
 * of German, French, Russian and Chinese text, names in several scripts (RFC 2047). Deterministic
 * for a seed, so two runs and two tools see the same mail.
 */
import { rng } from '../test/support/mailcheck';

const NAMES = ['Renée Dupont', 'Jürgen Groß', 'Ana Núñez', 'Li Wei', '李伟', 'Olga Петрова', 'Sam Smith', 'محمد علي', 'Bob Jones', 'Ève Lefèvre', 'Kenji Sato', 'Maria Rossi'];
/**
 * Each language's words by rank, as in real mail (Zipf): a few function words in nearly every
 * message, the topical words the search bench asks for in a few to twenty percent of them, and a
 * long tail of words made of the language's syllables. (Until session 13 the text drew on 47
 * English words alone, so each query word was in 86 % of the messages, and the index's size and
 * build were measured on a vocabulary no mailbox has.)
 */
interface Language {
  words: string[];
  /** Word pairs that recur as such ("release plan"): what phrase queries find. */
  phrases: string[];
  joiner: string;
}

const TAIL_WORDS = 20_000;

/**
 * `functionWords` at the top, `topical` spread from rank 60 to about 1,500 (rank r is in about
 * 12/r of the messages), the rest made of `syllables`, two to four of them.
 */
function language(seed: number, functionWords: string[], topical: string[], syllables: string[], phrases: string[], joiner = ' '): Language {
  const random = rng(seed);
  const words: string[] = [...functionWords];
  const taken = new Set(words);
  const made = () => {
    for (;;) {
      let word = '';
      for (let n = 2 + Math.floor(random() * 3); n > 0; n--) word += syllables[Math.floor(random() * syllables.length)];
      if (!taken.has(word) && !topical.includes(word)) return word;
    }
  };
  for (let j = 0; j < topical.length; j++) {
    while (words.length < 60 + j * Math.floor(1440 / topical.length)) words.push(made());
    words.push(topical[j]);
  }
  while (words.length < TAIL_WORDS) words.push(made());
  for (const w of words) taken.add(w);
  return { words, phrases, joiner };
}

const LATIN = 'ba be bi bo bu da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi ven ter con pro tion ment ing er an'.split(' ');
const EN = language(
  101,
  'the and to of a in for is on that with you we this be it at are as from have will not by your our or can please thanks all if so'.split(' '),
  'report invoice release plan budget meeting travel build failure weekly notes project deadline review draft customer server update schedule agenda quarter numbers team office holiday lunch conference contract payment shipping order account password security network backup database performance test deploy feature issue bug fix design document proposal'.split(' '),
  LATIN,
  ['release plan', 'budget meeting', 'weekly notes', 'design review', 'project deadline', 'quarter numbers', 'proposal design review'],
);
const DE = language(102, 'der die und das ist nicht mit den ich sie wir auf für es ein eine bitte danke'.split(' '), 'München Straße Größe Übersicht Bericht Besprechung Rechnung Reise Woche Ärger schön Grüße Qualität'.split(' '), [...LATIN, 'schü', 'größ', 'tä', 'ün', 'bö', 'ße'], ['schöne Grüße']);
const FR = language(103, 'le la les de des et un une est pas pour que je vous nous merci'.split(' '), 'café réunion été élève déjà très problème à bientôt rapport facture'.split(' '), [...LATIN, 'é', 'rè', 'çon', 'tê'], ['à bientôt']);
const RU = language(104, 'и в не на я что с по это мы вы спасибо'.split(' '), 'отчёт встреча бюджет проект счёт неделя привет сервер'.split(' '), 'ка ко ра ро на но та то ва во ла ло ми ни ти ст пр ё ж ш щ ы'.split(' '), ['отчёт встреча']);
const ZH = language(105, ['的', '是', '在', '我们', '你', '请', '谢谢'], ['会议', '北京', '报告', '预算', '项目', '明天', '客户', '发票'], Array.from({ length: 400 }, (_, k) => String.fromCharCode(0x4e00 + k * 41)), ['明天会议'], '');

/** A word of `language`: rank r about as often as 1/r (log-uniform over ranks). */
function zipfWord(random: () => number, words: string[]): string {
  return words[Math.min(words.length - 1, Math.floor(Math.exp(random() * Math.log(words.length + 1))) - 1)];
}

const encodeWord = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`);

function quotedPrintable(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let line = 0;
  for (const b of bytes) {
    const piece = b === 0x0a ? '\r\n' : (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (piece === '\r\n') line = 0;
    else if (line + piece.length > 73) {
      out += '=\r\n';
      line = 0;
    }
    out += piece;
    line += piece === '\r\n' ? 0 : piece.length;
  }
  return out;
}

export interface CorpusMessage {
  raw: Buffer;
  /** Unread (no S flag), as a mail client would have it. */
  seen: boolean;
}

/** Message `i` of the corpus for `seed`. */
export function realisticMessage(seed: number, i: number, start = Date.UTC(2025, 0, 1)): CorpusMessage {
  const random = rng(seed * 1_000_003 + i);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const lang = random();
  const vocabulary = lang < 0.7 ? EN : lang < 0.8 ? DE : lang < 0.88 ? FR : lang < 0.95 ? RU : ZH;
  const joiner = vocabulary.joiner;
  // Log-normal: median ~120 words, a long tail.
  const wordCount = Math.max(5, Math.floor(Math.exp(4.1 + random() * 1.4 + (random() < 0.02 ? 3 : 0))));
  const words = Array.from({ length: wordCount }, () => zipfWord(random, vocabulary.words));
  if (random() < 0.3) words.splice(Math.floor(random() * words.length), 0, pick(vocabulary.phrases));
  const lines: string[] = [];
  for (let w = 0; w < words.length; w += 12) lines.push(words.slice(w, w + 12).join(joiner));
  const text = `${lines.join('\n')}\n`;
  const from = pick(NAMES);
  const subject = random() < 0.1 ? pick(vocabulary.phrases) : Array.from({ length: 2 + Math.floor(random() * 5) }, () => zipfWord(random, vocabulary.words)).join(joiner);
  const date = new Date(start + Math.floor(random() * 700 * 86_400_000));
  const head = [
    `From: ${encodeWord(from)} <user${i % 700}@example.org>`,
    `To: Alice <alice@example.org>${random() < 0.3 ? `, ${encodeWord(pick(NAMES))} <peer${i % 97}@example.net>` : ''}`,
    ...(random() < 0.2 ? [`Cc: ${encodeWord(pick(NAMES))} <cc${i % 53}@example.com>`] : []),
    `Subject: ${encodeWord(subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <corpus-${seed}-${i}@example.org>`,
    'MIME-Version: 1.0',
  ];
  const kind = random();
  let body: string[];
  if (kind < 0.45) {
    body = ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text.replace(/\n/g, '\r\n')];
  } else if (kind < 0.55 && vocabulary !== RU && vocabulary !== ZH) {
    body = ['Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintableLatin1(text)];
  } else if (kind < 0.8) {
    const html = `<html><body>${lines.map((l) => `<p>${l}</p>`).join('')}</body></html>`;
    body = ['Content-Type: multipart/alternative; boundary="alt"', '', '--alt', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', quotedPrintable(text), '--alt', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '', base64Lines(Buffer.from(html)), '--alt--', ''];
  } else {
    const size = Math.floor(Math.exp(9 + random() * 3)); // 8 KB to 160 KB, a few more
    const data = Buffer.alloc(size);
    for (let k = 0; k < size; k += 4) data.writeUInt32LE(Math.floor(random() * 0xffffffff), k > size - 4 ? size - 4 : k);
    const name = `${pick(['report', 'invoice', 'photo', 'Übersicht', 'contract'])}-${i % 1000}.${pick(['pdf', 'jpg', 'xlsx', 'zip'])}`;
    body = ['Content-Type: multipart/mixed; boundary="mix"', '', '--mix', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text.replace(/\n/g, '\r\n'), '--mix', `Content-Type: application/octet-stream; name="${name}"`, `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(name)}`, 'Content-Transfer-Encoding: base64', '', base64Lines(data), '--mix--', ''];
  }
  return { raw: Buffer.from([...head, ...body].join('\r\n')), seen: random() < 0.8 };
}

function quotedPrintableLatin1(text: string): string {
  return Buffer.from(text, 'latin1')
    .toString('latin1')
    .replace(/[^\x20-\x7e\n]|=/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/\n/g, '\r\n');
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * Message `i` of a fetch corpus: a realistic message (above) brought to `size` bytes by an
 * attachment, as mail with scans and documents is. Its own text part stays as it was; a message
 * already larger is left as it is.
 */
export function realisticMessageOfSize(seed: number, i: number, size: number): Buffer {
  const raw = realisticMessage(seed, i).raw;
  if (raw.length >= size) return raw;
  const at = raw.indexOf('\r\nContent-Type:');
  const top = raw.subarray(0, at).toString('latin1');
  const entity = raw.subarray(at + 2).toString('latin1');
  const random = rng(seed * 7_000_003 + i);
  const fill = Buffer.alloc(Math.max(0, Math.floor(((size - raw.length - 300) * 3) / 4)));
  for (let k = 0; k + 4 <= fill.length; k += 4) fill.writeUInt32LE(Math.floor(random() * 0xffffffff), k);
  const name = `scan-${i}.pdf`;
  const parts = [
    top,
    'Content-Type: multipart/mixed; boundary="fill"',
    '',
    '--fill',
    entity,
    '--fill',
    `Content-Type: application/pdf; name="${name}"`,
    `Content-Disposition: attachment; filename="${name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(fill),
    '--fill--',
    '',
  ];
  return Buffer.from(parts.join('\r\n'), 'latin1');
}

/** Sizes for a fetch corpus of `count`: log-normal around `median` bytes, and one in 250 of several MB. */
export function realisticSizes(seed: number, count: number, median: number): number[] {
  const random = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    if (i % 250 === 125) return 3_000_000 + Math.floor(random() * 3_000_000);
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.min(2_000_000, Math.floor(median * Math.exp(normal)));
  });
}
