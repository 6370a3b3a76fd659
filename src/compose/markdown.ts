/**
 * Markdown drafts as HTML, the only module that knows markdown-it. Raw HTML in the draft is shown
 * as text, not passed through (html: false): what is sent is what the Markdown says.
 */
import MarkdownIt from 'markdown-it';

let renderer: ReturnType<typeof MarkdownIt> | undefined;

export function markdownToHtml(markdown: string): string {
  renderer ??= new MarkdownIt({ html: false, linkify: true, breaks: true });
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n${renderer.render(markdown)}</body></html>\n`;
}
