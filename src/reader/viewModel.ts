/**
 * From stored bytes to what the reader panel shows. Inline `cid:` images are resolved from the
 * message itself (as data: URIs, which the panel's CSP allows); remote references are detected
 * so the panel can offer "Load remote content". Sanitizing is the webview's job (DOMPurify, in
 * the browser engine that will render the HTML), backed by the panel's Content-Security-Policy.
 */
import { parseMessage, type ParsedMessage } from '../mime/parse';
import type { MessageView } from '../shared/readerProtocol';
import { isExecutable, sanitizeFilename } from './files';

/** Any http(s) or protocol-relative reference in places that load resources. */
const REMOTE_REFERENCE = /(?:\b(?:src|srcset|background|poster|data|href)\s*=\s*["']?\s*(?:https?:)?\/\/)|(?:url\(\s*["']?\s*(?:https?:)?\/\/)|(?:@import\s+["']?(?:https?:)?\/\/)/i;

export function hasRemoteContent(html: string): boolean {
  // href on <a> is a link, not a load: drop anchors before looking.
  return REMOTE_REFERENCE.test(html.replace(/<a\b[^>]*>/gi, '<a>'));
}

export function resolveCidImages(html: string, message: ParsedMessage): string {
  const byCid = new Map(message.attachments.filter((a) => a.contentId).map((a) => [a.contentId!.toLowerCase(), a]));
  if (byCid.size === 0) return html;
  return html.replace(/cid:([^"'\s)>]+)/gi, (whole, cid: string) => {
    const part = byCid.get(decodeURIComponent(cid).toLowerCase());
    if (!part || !/^image\//i.test(part.contentType)) return whole;
    return `data:${part.contentType.toLowerCase()};base64,${part.content.toString('base64')}`;
  });
}

export async function buildMessageView(id: string, raw: Buffer, partial: boolean): Promise<{ view: MessageView; parsed: ParsedMessage }> {
  const parsed = await parseMessage(raw);
  const html = parsed.html ? resolveCidImages(parsed.html, parsed) : undefined;
  // Inline images the HTML shows by cid: are part of the body, not attachments to list.
  const htmlLower = parsed.html?.toLowerCase() ?? '';
  const shownInline = (a: ParsedMessage['attachments'][number]) => !!a.contentId && htmlLower.includes(`cid:${a.contentId.toLowerCase()}`);
  const view: MessageView = {
    id,
    subject: parsed.subject,
    from: parsed.from,
    to: parsed.to,
    cc: parsed.cc,
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : '',
    body: html !== undefined ? { kind: 'html', html } : { kind: 'text', text: parsed.text ?? '' },
    attachments: parsed.attachments
      .map((a, index) => ({ a, index }))
      .filter(({ a }) => !shownInline(a))
      .map(({ a, index }) => {
        const filename = sanitizeFilename(a.filename, `attachment-${index + 1}`);
        return { index, filename, contentType: a.contentType, size: a.size, executable: isExecutable(filename) };
      }),
    hasRemoteContent: html !== undefined && hasRemoteContent(html),
    partial,
  };
  return { view, parsed };
}
