/**
 * The message list benchmark's mailbox (bench/list.ts): realistic threads and names, as list
 * messages for the page and as a Maildir of real message files for the store path.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ListMessage } from '../src/list/listModel';
import { fileName, newMessageId } from '../src/store/maildir';
import { listMessage } from '../test/support/listMessages';
import { rng } from '../test/support/mailcheck';

const NAMES = ['Renée Dupont', 'Zoë Ünal', 'Jürgen Groß', 'Ana Núñez', 'Li Wei', 'محمد علي', 'Olga Петрова', 'Sam Smith', 'Ève Lefèvre', 'Bob Jones'];
const WORDS = 'release plan budget lunch meeting report München café review draft invoice travel build failure weekly notes'.split(' ');

/** 40 % of messages answer a recent one (References chain kept), a tenth of those with "Re:" only. */
export function corpus(count: number): ListMessage[] {
  const random = rng(7);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const messages: ListMessage[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(NAMES);
    const base: Partial<ListMessage> = {
      from: `${name} <user${i % 500}@example.org>`,
      subject: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`,
      snippet: Array.from({ length: 20 }, () => pick(WORDS)).join(' '),
      date: Date.UTC(2020, 0, 1) + i * 60_000 * 30 + Math.floor(random() * 60) * 1000,
      size: Math.floor(Math.exp(Math.log(20_000) + random() * 2 - 1)),
      seen: random() < 0.8,
      hasAttachments: random() < 0.15,
    };
    if (i > 10 && random() < 0.4) {
      const parent = messages[i - 1 - Math.floor(random() * Math.min(i - 1, 2000))];
      base.subject = `Re: ${parent.subject.replace(/^Re: /, '')}`;
      if (random() < 0.9) {
        base.inReplyTo = parent.messageId;
        base.references = [...parent.references, parent.messageId].slice(-20);
      }
    }
    messages.push(listMessage(i, { ...base, messageId: `<m${i}.${Math.floor(random() * 1e9)}@example.org>` }));
  }
  return messages;
}

/** A header value, as an RFC 2047 encoded word when it is not ASCII. */
const encoded = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`);

/** The corpus as message files in `<root>/Maildir/cur` (flags from `seen`), for AccountStore to index. */
export function writeMaildir(root: string, messages: ListMessage[]): void {
  const cur = join(root, 'Maildir', 'cur');
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(root, 'Maildir', sub), { recursive: true });
  for (const [i, m] of messages.entries()) {
    const [, name, address] = /^(.*) <(.*)>$/.exec(m.from)!;
    const head = [
      `From: ${encoded(name)} <${address}>`,
      'To: Alice <alice@example.org>',
      `Subject: ${encoded(m.subject)}`,
      `Date: ${new Date(m.date).toUTCString()}`,
      `Message-ID: ${m.messageId}`,
      ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
      ...(m.references.length ? [`References: ${m.references.join('\r\n ')}`] : []),
      'MIME-Version: 1.0',
    ];
    const text = `${m.snippet}\r\n`;
    const body = m.hasAttachments
      ? ['Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text, '--b', 'Content-Type: application/pdf; name="a.pdf"', 'Content-Disposition: attachment; filename="a.pdf"', 'Content-Transfer-Encoding: base64', '', 'JVBERi0xLjQK', '--b--', ''].join('\r\n')
      : ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', text].join('\r\n');
    const data = Buffer.from(`${head.join('\r\n')}\r\n${body}`);
    writeFileSync(join(cur, fileName({ id: newMessageId(), dir: 'cur', size: data.length, uidl: `u${i}`, flags: m.seen ? 'S' : '' })), data);
  }
}
