/**
 * A text/plain body as people read it: paragraphs that take their direction from their own text
 * (dir="auto": Arabic and Hebrew read right to left beside English), quoted lines ("> ", "> > ")
 * as nested quotes, and links that show their target on hover. Everything is text nodes and
 * elements we create: nothing in the message is parsed as HTML.
 */
import { linkifyText } from './sanitize';

const MAX_DEPTH = 12; // deeper quoting draws at this depth

export function renderPlainText(text: string): HTMLElement {
  const root = document.createElement('div');
  root.className = 'text';
  root.id = 'mail-text';
  root.tabIndex = 0;
  // containers[d]: the element that holds paragraphs quoted d deep, for the current run of lines.
  let containers: HTMLElement[] = [root];
  let paragraph: HTMLElement | undefined;
  let paragraphDepth = -1;
  let lines: string[] = [];
  const flush = () => {
    if (paragraph) {
      paragraph.append(linkifyText(lines.join('\n')));
      for (const a of paragraph.querySelectorAll('a')) a.title = a.href;
    }
    paragraph = undefined;
    lines = [];
  };
  for (const raw of text.split(/\r?\n/)) {
    const quote = /^((?:>[ \t]?)+)/.exec(raw);
    const depth = quote ? Math.min((quote[1].match(/>/g) ?? []).length, MAX_DEPTH) : 0;
    const line = quote ? raw.slice(quote[1].length) : raw;
    if (depth !== paragraphDepth || line.trim() === '') flush();
    if (depth < containers.length - 1) containers = containers.slice(0, depth + 1);
    while (containers.length - 1 < depth) {
      const quoteBlock = document.createElement('blockquote');
      quoteBlock.className = 'quote';
      containers[containers.length - 1].append(quoteBlock);
      containers.push(quoteBlock);
    }
    paragraphDepth = depth;
    if (line.trim() === '') continue;
    if (!paragraph) {
      paragraph = document.createElement('p');
      paragraph.dir = 'auto';
      containers[depth].append(paragraph);
    }
    lines.push(line);
  }
  flush();
  return root;
}
