/**
 * Full MIME parsing for the reader. The only module that knows `mailparser` (in maintenance
 * mode upstream): a swap to another parser touches this file alone. Loaded lazily, so that
 * activating the extension does not pay for it.
 */
export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  contentId?: string;
  /** Part of a multipart/related body (an inline image referenced by cid:). */
  related: boolean;
  content: Buffer;
}

export interface ParsedMessage {
  subject: string;
  from: string;
  to: string;
  cc: string;
  replyTo: string;
  /** The first From address, bare (for Reply). */
  fromAddress: string;
  date?: Date;
  messageId: string;
  /** The References field's message ids, oldest first. */
  references: string[];
  /** The address fields as mailboxes (groups flattened), for replies. */
  mailboxes: { from: Mailbox[]; to: Mailbox[]; cc: Mailbox[]; replyTo: Mailbox[] };
  text?: string;
  html?: string;
  attachments: ParsedAttachment[];
}

interface AddressEntry {
  name?: string;
  address?: string;
  group?: AddressEntry[];
}
type AddressField = { value?: AddressEntry[] } | Array<{ value?: AddressEntry[] }> | undefined;

export interface Mailbox {
  name: string;
  address: string;
}

function mailboxesOf(field: AddressField): Mailbox[] {
  if (!field) return [];
  const flat = (entries: AddressEntry[]): AddressEntry[] => entries.flatMap((e) => (e.group ? flat(e.group) : [e]));
  return flat((Array.isArray(field) ? field : [field]).flatMap((f) => f.value ?? []))
    .filter((e) => e.address || e.name)
    .map((e) => ({ name: e.name ?? '', address: e.address ?? '' }));
}

/** "Name <address>, other@x.org": names unquoted, groups flattened. */
function addressText(list: Mailbox[]): string {
  return list.map((e) => (e.name && e.address ? `${e.name} <${e.address}>` : e.address || e.name)).join(', ');
}

export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const mailboxes = {
    from: mailboxesOf(parsed.from as AddressField),
    to: mailboxesOf(parsed.to as AddressField),
    cc: mailboxesOf(parsed.cc as AddressField),
    replyTo: mailboxesOf(parsed.replyTo as AddressField),
  };
  const references = parsed.references ?? [];
  return {
    subject: parsed.subject ?? '',
    from: addressText(mailboxes.from),
    to: addressText(mailboxes.to),
    cc: addressText(mailboxes.cc),
    replyTo: addressText(mailboxes.replyTo),
    fromAddress: mailboxes.from.find((m) => m.address)?.address ?? '',
    mailboxes,
    references: (Array.isArray(references) ? references : [references]).flatMap((r) => r.match(/<[^<>\s]+>/g) ?? []),
    date: parsed.date,
    messageId: parsed.messageId ?? '',
    text: parsed.text || undefined,
    html: typeof parsed.html === 'string' && parsed.html ? parsed.html : undefined,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      contentType: a.contentType ?? 'application/octet-stream',
      size: a.size ?? a.content.length,
      contentId: a.contentId?.replace(/^<|>$/g, ''),
      related: a.related === true,
      content: a.content,
    })),
  };
}
