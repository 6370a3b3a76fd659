/**
 * HTML mail to safe DOM: DOMPurify (scripts, handlers, forms, frames and plugins removed),
 * links limited to http(s) and mailto, then remote loads neutralised unless allowed. Audio and
 * video never load from the network, even after "Load remote content" (a playing tracker is
 * still a tracker; the CSP's media-src says the same).
 *
 * CSS is read by the browser's own parser (escapes, comments, unterminated url( and image-set()
 * resolved as the engine would), so that whatever a rule would fetch is seen and counted: the
 * "remote content blocked" banner shows whenever something was blocked. The panel's CSP is the
 * second wall: markup that slipped through could neither run a script nor fetch anything.
 */
import DOMPurify from 'dompurify';

const FORBID_TAGS = ['script', 'noscript', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'portal', 'dialog', 'template', 'math'];
const URL_ATTRIBUTES = ['src', 'srcset', 'background', 'poster', 'data', 'lowsrc', 'dynsrc', 'href', 'xlink:href'];
const MEDIA = new Set(['audio', 'video', 'source', 'track']);
/** What may stay in a URL attribute without a request to the network. */
const LOCAL_URL = /^(?:data:|cid:|#|$)/i;
const SAFE_LINK = /^(?:https?:|mailto:)/i;
const XLINK = 'http://www.w3.org/1999/xlink';

export interface SanitizeResult {
  fragment: DocumentFragment;
  blockedCount: number;
}

/** A URL attribute value without what the URL parser ignores (spaces, controls) for the checks. */
function squeeze(value: string): string {
  return value.replace(/[\u0000-\u0020\u007f]+/g, '');
}

/** Deeper than this, elements are dropped (their text stays): no layout needs it, and parsers choke. */
const MAX_DEPTH = 400;
/** Elements whose end tag is optional: they close themselves, so they do not count as nesting. */
const SELF_CLOSING = new Set(['p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'thead', 'tbody', 'tfoot', 'colgroup', 'rt', 'rp']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'param', 'keygen']);

/**
 * Drops the tags of elements nested deeper than MAX_DEPTH, in one linear pass over the markup.
 * The HTML parser itself takes quadratic time past its own depth cap (100,000 nested <div>s: 24 s
 * in Chromium before this, for one message); text and shallow structure are kept.
 */
export function limitNesting(html: string, maxDepth = MAX_DEPTH): string {
  if (html.length < maxDepth * 4) return html;
  let depth = 0;
  let last = 0;
  let changed = false;
  const out: string[] = [];
  // [^<>]* never runs past the next "<": the scan stays linear even on hostile input.
  for (const m of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^<>]*)>/g)) {
    const name = m[2].toLowerCase();
    if (VOID.has(name) || SELF_CLOSING.has(name) || m[3].endsWith('/')) continue;
    const deep = m[1] ? depth > maxDepth : depth + 1 > maxDepth;
    depth = m[1] ? Math.max(0, depth - 1) : depth + 1;
    if (!deep) continue;
    out.push(html.slice(last, m.index));
    last = m.index + m[0].length;
    changed = true;
  }
  if (!changed) return html;
  out.push(html.slice(last));
  return out.join('');
}

export function sanitizeMail(html: string, remoteAllowed: boolean, purifier = DOMPurify(window)): SanitizeResult {
  let blockedCount = 0;
  purifier.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (!el.getAttribute) return;
    const name = el.localName;
    for (const attr of el.getAttributeNames()) if (/^on/i.test(attr)) el.removeAttribute(attr); // belt and braces
    if (name === 'a' || name === 'area') {
      for (const attr of ['href', 'xlink:href']) {
        const value = el.getAttribute(attr);
        if (value !== null && !SAFE_LINK.test(squeeze(value)) && !value.startsWith('#')) el.removeAttribute(attr);
      }
      el.setAttribute('rel', 'noopener noreferrer');
      el.removeAttribute('target');
    }
    for (const attr of URL_ATTRIBUTES) {
      if ((name === 'a' || name === 'area') && (attr === 'href' || attr === 'xlink:href')) continue; // links load nothing
      const value = el.getAttribute(attr);
      if (value === null) continue;
      const local = attr === 'srcset' ? value.split(',').every((part) => LOCAL_URL.test(squeeze(part.trim().split(/\s+/)[0] ?? ''))) : LOCAL_URL.test(squeeze(value));
      if (local || (remoteAllowed && !MEDIA.has(name))) continue;
      el.setAttribute(`data-blocked-${attr.replace(':', '-')}`, value);
      el.removeAttribute(attr);
      blockedCount++;
    }
    const style = el.getAttribute('style');
    if (style !== null && !remoteAllowed) {
      const cleaned = cleanStyleAttribute(el, style);
      if (cleaned.blocked) blockedCount++;
    }
  });
  purifier.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName !== 'style' || remoteAllowed || !node.textContent) return;
    const cleaned = cleanStyleSheet(node.textContent);
    if (cleaned.blocked) {
      node.textContent = cleaned.css;
      blockedCount++;
    }
  });
  const fragment = purifier.sanitize(limitNesting(html), {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS,
    FORBID_ATTR: ['action', 'formaction', 'ping', 'srcdoc', 'xmlns', 'autofocus'],
    ALLOW_DATA_ATTR: false,
    ADD_TAGS: ['style'],
    WHOLE_DOCUMENT: false,
  }) as DocumentFragment;
  purifier.removeAllHooks();
  return { fragment, blockedCount };
}

/** Whether a CSS value would make a request: a url() or image-set() string that is not local. */
function fetchesRemote(value: string): boolean {
  for (const m of value.matchAll(/url\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^)\s]*))/gi)) {
    if (!LOCAL_URL.test(squeeze(m[1] ?? m[2] ?? m[3] ?? ''))) return true;
  }
  // image-set("a.png" 1x): strings there are URLs too.
  for (const m of value.matchAll(/image-set\(([^)]*)\)/gi)) if (/["']\s*(?!data:|cid:|#)[^"'\s]/i.test(m[1])) return true;
  return false;
}

/** Removes the declarations that would fetch something; whether there were any. */
function dropRemoteDeclarations(declarations: CSSStyleDeclaration): boolean {
  let dropped = false;
  for (let i = declarations.length - 1; i >= 0; i--) {
    const property = declarations.item(i);
    if (fetchesRemote(declarations.getPropertyValue(property))) {
      declarations.removeProperty(property);
      dropped = true;
    }
  }
  return dropped;
}

/** Removes each declaration of a style attribute that would fetch something, as the engine parsed it. */
function cleanStyleAttribute(el: Element, style: string): { blocked: boolean } {
  const probe = document.createElement('div');
  probe.setAttribute('style', style);
  const blocked = dropRemoteDeclarations(probe.style);
  // Text the parser dropped (an unterminated url(, a broken escape) could still mean a fetch to a
  // lenient engine: the parsed, cleaned form replaces the original whenever it differs in that way.
  if (blocked || /url|image-set|\\/i.test(style)) el.setAttribute('style', probe.getAttribute('style') ?? '');
  return { blocked: blocked || fetchesRemote(normalizeCss(style)) };
}

/** A style sheet parsed by the engine; rules and declarations that would fetch are dropped. */
function cleanStyleSheet(css: string): { css: string; blocked: boolean } {
  let blocked = /@import/i.test(normalizeCss(css)) || fetchesRemote(normalizeCss(css));
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(css); // @import is never loaded by a constructed sheet: it is dropped here
  } catch {
    return { css: '', blocked: true };
  }
  const out: string[] = [];
  const walk = (rules: CSSRuleList, sink: string[]) => {
    for (const rule of Array.from(rules)) {
      if (rule instanceof CSSImportRule) {
        blocked = true;
        continue;
      }
      if ('style' in rule && rule.style instanceof CSSStyleDeclaration && dropRemoteDeclarations(rule.style)) blocked = true;
      sink.push(rule.cssText);
    }
  };
  walk(sheet.cssRules, out);
  return { css: out.join('\n'), blocked };
}

/** CSS with comments removed and escapes resolved, for detection only. */
function normalizeCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) => String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff) || 0xfffd))
    .replace(/\\(.)/g, '$1');
}

/** The target of a link element of any namespace (HTML <a>, <area>, SVG <a>), resolved; undefined when none. */
export function linkTarget(el: Element, base: string): string | undefined {
  const raw = el.getAttribute('href') ?? el.getAttributeNS(XLINK, 'href') ?? el.getAttribute('xlink:href');
  if (raw === null || raw.startsWith('#')) return undefined;
  try {
    const url = new URL(raw.trim(), base).href;
    return SAFE_LINK.test(url) ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Plain text with clickable links, built as DOM nodes (never parsed as HTML). */
export function linkifyText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  // Bounded: a link is at most 2,000 characters, so a megabyte without a space costs one pass.
  const pattern = /\b(?:https?:\/\/|mailto:|www\.)[^\s<>"']{0,2000}[^\s<>"'.,;:!?)\]]/gi;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    fragment.append(text.slice(last, match.index));
    const a = document.createElement('a');
    a.textContent = match[0];
    a.href = match[0].toLowerCase().startsWith('www.') ? `https://${match[0]}` : match[0];
    a.rel = 'noopener noreferrer';
    fragment.append(a);
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}
