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

/** "Name <address>, other@x.org": names unquoted, groups flattened. */
function addressText(field: AddressField): string {
  if (!field) return '';
  const flat = (entries: AddressEntry[]): AddressEntry[] => entries.flatMap((e) => (e.group ? flat(e.group) : [e]));
  return flat((Array.isArray(field) ? field : [field]).flatMap((f) => f.value ?? []))
    .map((e) => (e.name && e.address ? `${e.name} <${e.address}>` : (e.address ?? e.name ?? '')))
    .filter(Boolean)
    .join(', ');
}

export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const from = parsed.from as AddressField;
  const firstFrom = Array.isArray(from) ? from[0] : from;
  return {
    subject: parsed.subject ?? '',
    from: addressText(from),
    to: addressText(parsed.to as AddressField),
    cc: addressText(parsed.cc as AddressField),
    replyTo: addressText(parsed.replyTo as AddressField),
    fromAddress: firstFrom?.value?.[0]?.address ?? '',
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
