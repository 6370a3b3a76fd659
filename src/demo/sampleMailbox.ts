/**
 * The demo mailbox: a few dozen messages written for Mail Panel — plain text and HTML, inline
 * images, attachments, several languages and charsets, encoded headers. Built in code so the
 * bytes (charsets, transfer encodings) are exactly what a real server would hold.
 */
import { deflateSync, crc32 } from 'node:zlib';

const DAY = 86_400_000;

function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body) >>> 0, body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const LOGO = png(96, 96, (x, y) => {
  const inside = x > 12 && x < 84 && y > 24 && y < 72;
  const flap = inside && Math.abs(x - 48) * 0.6 + 24 > y - 4 && y - 4 > Math.abs(x - 48) * 0.6 + 18;
  return flap ? [31, 111, 235] : inside ? [255, 255, 255] : [31, 111, 235];
});
const CHART = png(240, 120, (x, y) => {
  const bar = Math.floor(x / 40);
  const height = [40, 65, 55, 90, 80, 105][bar] ?? 0;
  return 120 - y < height && x % 40 > 6 ? [46, 160, 67] : [246, 248, 250];
});

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
    '4 0 obj<</Length 44>>stream\nBT /F1 18 Tf 20 70 Td (Mail Panel demo) Tj ET\nendstream endobj\n' +
    '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');
const qEncode = (text: string, charset = 'utf-8') =>
  `=?${charset}?Q?${[...Buffer.from(text, charset === 'utf-8' ? 'utf8' : 'latin1')].map((b) => (b === 0x20 ? '_' : b < 0x7f && b > 0x20 && b !== 0x3d && b !== 0x3f && b !== 0x5f ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')}?=`;
const bEncode = (text: string) => `=?utf-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
const quotedPrintable = (bytes: Buffer) =>
  [...bytes]
    .map((b) => (b === 0x0a ? '\n' : b === 0x0d ? '' : (b >= 0x20 && b < 0x7f && b !== 0x3d) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')
    .split('\n')
    .map((line) => line.replace(/(.{73}[^=]{0,2})/g, '$1=\r\n').replace(/=\r\n$/, ''))
    .join('\r\n');

interface Draft {
  from: string;
  subject: string;
  daysAgo: number;
  headers?: string[];
  /** The body with its own Content-Type and encoding headers, already encoded. */
  body: Buffer;
  contentHeaders: string[];
}

let counter = 0;
function message(d: Draft, now: number): Buffer {
  const date = new Date(now - d.daysAgo * DAY - (counter % 7) * 3_600_000).toUTCString().replace('GMT', '+0000');
  const head = [
    `From: ${d.from}`,
    'To: Demo User <demo@mailpanel.test>',
    `Subject: ${d.subject}`,
    `Date: ${date}`,
    `Message-ID: <demo-${++counter}@mailpanel.test>`,
    'MIME-Version: 1.0',
    ...(d.headers ?? []),
    ...d.contentHeaders,
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), d.body]);
}

const text = (body: string, charset = 'utf-8') => ({
  contentHeaders: [`Content-Type: text/plain; charset=${charset}`, 'Content-Transfer-Encoding: quoted-printable'],
  body: Buffer.from(`${quotedPrintable(Buffer.from(body.replace(/\n/g, '\r\n'), charset === 'utf-8' ? 'utf8' : 'latin1'))}\r\n`, 'latin1'),
});

const html = (body: string) => ({
  contentHeaders: ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64'],
  body: Buffer.from(`${b64(Buffer.from(body, 'utf8'))}\r\n`, 'latin1'),
});

function multipart(kind: 'mixed' | 'related' | 'alternative', parts: Array<{ headers: string[]; body: Buffer }>): { contentHeaders: string[]; body: Buffer } {
  const boundary = `=_demo_${kind}_${++counter}`;
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`, 'latin1'), p.body, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentHeaders: [`Content-Type: multipart/${kind}; boundary="${boundary}"`], body: Buffer.concat(chunks) };
}

const part = (p: { contentHeaders: string[]; body: Buffer }) => ({ headers: p.contentHeaders, body: p.body });
const attachment = (name: string, type: string, data: Buffer) => ({
  headers: [`Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64'],
  body: Buffer.from(b64(data), 'latin1'),
});
const inlineImage = (cid: string, data: Buffer) => ({
  headers: ['Content-Type: image/png', `Content-ID: <${cid}>`, 'Content-Disposition: inline', 'Content-Transfer-Encoding: base64'],
  body: Buffer.from(b64(data), 'latin1'),
});

export function sampleMailbox(now = Date.now()): Buffer[] {
  counter = 0;
  const drafts: Draft[] = [
    { from: 'Mail Panel <hello@mailpanel.test>', subject: 'Welcome to Mail Panel', daysAgo: 0, ...multipart('related', [
      part(html(`<div style="font-family:sans-serif;max-width:560px"><img src="cid:logo@mailpanel.test" width="64" height="64" alt="Mail Panel logo"><h2>Your mail, in your editor</h2><p>This is the demo mailbox. It is served by a small POP3 server on 127.0.0.1 that <code>npm run demo</code> started.</p><ul><li>Click a message to read it; <b>Delete</b> moves it to Trash.</li><li>Run <b>Mail: Search Messages</b> from the palette.</li><li>Messages with remote images ask before loading them.</li></ul><p>Happy reading!</p></div>`)),
      inlineImage('logo@mailpanel.test', LOGO),
    ]) },
    { from: 'Priya Raman <priya@example.org>', subject: 'Lunch on Friday?', daysAgo: 0, ...text('Hi!\n\nAre you free for lunch on Friday? The new ramen place on 5th opened this week.\n\nPriya') },
    { from: 'Build Bot <ci@builds.example.com>', subject: '[mail-panel] main: build #1042 passed', daysAgo: 1, ...text('Build #1042 passed in 3m 12s.\n\n  unit          142 passed\n  interop        23 passed\n  browser         5 passed\n\nDetails: https://builds.example.com/mail-panel/1042\n') },
    { from: 'Finance Team <finance@example.com>', subject: 'Quarterly report Q3', daysAgo: 1, ...multipart('mixed', [
      part(multipart('related', [part(html('<h2>Q3 at a glance</h2><p>Revenue grew <b>12%</b> quarter over quarter.</p><img src="cid:chart@example.com" alt="Revenue by month"><p>The full report is attached.</p>')), inlineImage('chart@example.com', CHART)])),
      attachment('Q3-report.pdf', 'application/pdf', PDF),
      attachment('figures.csv', 'text/csv', Buffer.from('month,revenue\nJuly,40\nAugust,65\nSeptember,55\n')),
    ]) },
    { from: `${qEncode('Renée Dupont', 'iso-8859-1')} <renee@exemple.fr>`, subject: qEncode('Réunion de lundi — ordre du jour', 'utf-8'), daysAgo: 2, ...text("Bonjour à tous,\n\nVoici l'ordre du jour de lundi :\n  1. Bilan de l'été\n  2. Déménagement des bureaux\n  3. Questions diverses\n\nÀ lundi,\nRenée", 'iso-8859-1') },
    { from: `${qEncode('Jürgen Weiß')} <juergen@beispiel.de>`, subject: qEncode('Grüße aus München'), daysAgo: 3, ...text('Hallo,\n\nviele Grüße aus München! Das Oktoberfest war großartig, nächstes Jahr kommst du mit.\n\nJürgen') },
    { from: `${bEncode('田中 太郎')} <tanaka@example.jp>`, subject: bEncode('来週の打ち合わせについて'), daysAgo: 3, ...text('お疲れ様です。\n\n来週の打ち合わせは火曜日の午後2時からでお願いします。\n資料は前日までに共有します。\n\n田中') },
    { from: `${bEncode('Анна Петрова')} <anna@example.ru>`, subject: bEncode('Фотографии с конференции'), daysAgo: 4, ...text('Привет!\n\nФотографии с конференции уже в общей папке. Спасибо за отличный доклад!\n\nАнна') },
    { from: `${bEncode('Σοφία Παπαδοπούλου')} <sofia@example.gr>`, subject: bEncode('Καλό ταξίδι!'), daysAgo: 5, ...text('Γεια σου!\n\nΚαλό ταξίδι και καλή διαμονή στην Αθήνα.\n\nΣοφία') },
    { from: `${bEncode('María José García')} <mjgarcia@ejemplo.es>`, subject: qEncode('¿Cenamos el sábado?', 'iso-8859-1'), daysAgo: 5, ...text('¡Hola!\n\n¿Te apetece cenar el sábado? Conozco un sitio estupendo cerca de la plaza.\n\nUn abrazo,\nMaría José', 'iso-8859-1') },
    { from: `${bEncode('李明')} <liming@example.cn>`, subject: bEncode('项目进度更新'), daysAgo: 6, ...text('大家好，\n\n本周项目进度顺利，预计下周五完成测试。\n\n李明') },
    { from: `${bEncode('أحمد')} <ahmed@example.eg>`, subject: bEncode('مرحبا من القاهرة'), daysAgo: 6, ...text('مرحبا،\n\nأتمنى أن تكون بخير. أراك الأسبوع القادم.\n\nأحمد') },
    { from: 'Newsletter <news@weekly.example.net>', subject: 'This week in open source: remote images inside', daysAgo: 7, ...html('<table width="100%" style="font-family:Georgia,serif"><tr><td><img src="https://weekly.example.net/banner.png" width="560" alt="Weekly banner (a remote image, blocked until you ask)"><h1>This week in open source</h1><p>Remote images in this newsletter stay blocked until you click <i>Load remote content</i>: the sender cannot tell you opened it.</p><p><a href="https://weekly.example.net/issue/42">Read on the web</a></p><img src="https://tracker.weekly.example.net/open.gif?u=demo" width="1" height="1" alt=""></td></tr></table>') },
    { from: 'Security Team <security@bank.example>', subject: 'Suspicious message: scripts are never run', daysAgo: 8, ...html('<p>This message tries every trick: <script>document.body.innerHTML="pwned"</script><img src="x" onerror="alert(1)"> <a href="javascript:alert(2)">a script link</a> and a <form action="https://evil.example/login"><input name="password"></form> form.</p><p>None of it runs or shows: Mail Panel sanitizes HTML mail and its panel forbids scripts.</p>') },
    { from: 'IT Helpdesk <helpdesk@example.com>', subject: 'New VPN client (attachment)', daysAgo: 9, ...multipart('mixed', [
      part(text('Hello,\n\nPlease install the attached VPN client before Monday.\n(Mail Panel warns before saving programs like this one.)\n\nIT Helpdesk')),
      attachment('vpn-setup.exe', 'application/x-msdownload', Buffer.from('MZ demo executable: not a real program\n')),
    ]) },
    { from: 'Calendar <calendar@example.com>', subject: 'Invitation: Design review @ Thu 14:00', daysAgo: 10, ...multipart('mixed', [
      part(text('You are invited to the design review on Thursday at 14:00.\n\nJoin: https://meet.example.com/design-review')),
      attachment('invite.ics', 'text/calendar', Buffer.from('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Design review\r\nDTSTART:20261126T140000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n')),
    ]) },
    { from: 'Sam Carter <sam@example.org>', subject: 'Re: code review comments', daysAgo: 11, headers: ['In-Reply-To: <review-1@example.org>'], ...text('> Could you take another look at the retry logic?\n\nDone, see the updated branch. I also added a test for the\ntimeout path.\n\n-- \nSam') },
    { from: 'Travel Desk <travel@example.com>', subject: 'Your itinerary: Lisbon, 3-6 December', daysAgo: 12, ...html('<h2>Lisbon, 3–6 December</h2><table border="1" cellpadding="6" style="border-collapse:collapse"><tr><th>Flight</th><td>TP 1351</td></tr><tr><th>Hotel</th><td>Casa do Rio</td></tr><tr><th>Check-in</th><td>15:00</td></tr></table><p>Boa viagem!</p>') },
    { from: 'Old Mailer <legacy@example.net>', subject: 'Plain 8-bit mail without a charset', daysAgo: 13, contentHeaders: ['Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit'], body: Buffer.from('An old mailer sent this with 8-bit bytes and no charset:\r\ncaf\xe9, na\xefve, \x93quotes\x94 \x96 Mail Panel guesses windows-1252.\r\n', 'latin1') },
    { from: 'Photos <photos@example.org>', subject: 'Your photo book preview', daysAgo: 14, ...multipart('related', [
      part(html('<p>Here is a preview of your photo book cover:</p><img src="cid:cover@example.org" width="240" alt="Cover preview"><p>Reply to order prints.</p>')),
      inlineImage('cover@example.org', png(120, 80, (x, y) => [40 + x, 90 + (y % 40), 200 - x]))])},
    { from: 'Long Reader <long@example.org>', subject: 'A long message (scroll me)', daysAgo: 15, ...text(Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1}: Mail Panel keeps line breaks in plain-text mail, and makes links like https://example.org/${i} clickable.`).join('\n\n')) },
    { from: 'no-reply@example.com', subject: '', daysAgo: 16, ...text('A message without a subject.') },
    { from: 'Team Lead <lead@example.com>', subject: 'Offsite agenda (HTML + text)', daysAgo: 17, ...multipart('alternative', [
      part(text('Offsite agenda\n\n09:00 Coffee\n10:00 Roadmap\n13:00 Lunch\n15:00 Hackathon')),
      part(html('<h2>Offsite agenda</h2><ol><li>09:00 Coffee</li><li>10:00 Roadmap</li><li>13:00 Lunch</li><li>15:00 Hackathon</li></ol>')),
    ]) },
    { from: 'Dots <dots@example.org>', subject: 'Lines that start with a dot', daysAgo: 18, ...text('.this line starts with a dot\n..and this one with two\n.\nThe line above is a lone dot: POP3 "stuffs" such lines on the wire.') },
    { from: 'Shop <orders@shop.example>', subject: 'Order #5521 shipped', daysAgo: 20, ...html('<p>Your order <b>#5521</b> has shipped.</p><p>Track it: <a href="https://shop.example/track/5521">shop.example/track/5521</a></p><p style="color:#888;font-size:12px">You receive this because you ordered from Shop.</p>') },
    { from: 'Mum <mum@example.org>', subject: 'Sunday', daysAgo: 21, ...text("Don't forget Sunday lunch at 1! Bring the salad.\n\nLove, Mum") },
    { from: 'Conference <cfp@conf.example>', subject: bEncode('Your talk was accepted 🎉'), daysAgo: 24, ...html('<p>Congratulations! 🎉 Your talk <i>“Mail in the editor”</i> was accepted.</p><p>Speaker guide attached.</p>') },
    { from: 'Archive <archive@example.org>', subject: 'Forwarded message with an attachment inside', daysAgo: 30, ...multipart('mixed', [
      part(text('See the forwarded message below.')),
      { headers: ['Content-Type: message/rfc822', 'Content-Disposition: attachment; filename="original.eml"'], body: Buffer.from('From: someone@example.org\r\nSubject: The original\r\n\r\nThe original text.\r\n', 'latin1') },
    ]) },
  ];
  return drafts.map((d) => message(d, now));
}
