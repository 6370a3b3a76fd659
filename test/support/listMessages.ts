/** Messages for list tests: numbered, one a day from November 2026, with any field overridden. */
import type { ListMessage } from '../../src/list/listModel';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 10, 1);

export function listMessage(n: number, extra: Partial<ListMessage> = {}): ListMessage {
  return {
    accountId: 'a',
    account: 'me@x.org',
    id: `m${n}`,
    uidl: `u${n}`,
    from: `Sender ${n} <s${n}@x.org>`,
    to: 'me@x.org',
    subject: `Subject ${n}`,
    date: T0 + n * DAY,
    size: 1000 + n,
    hasAttachments: false,
    snippet: '',
    messageId: `<m${n}@x>`,
    inReplyTo: '',
    references: [],
    seen: true,
    trashed: false,
    ...extra,
  };
}
