/**
 * HTML mail to safe DOM: DOMPurify (scripts, handlers, forms, frames and plugins removed),
 * then remote loads neutralised unless allowed. The panel's CSP is the second wall: even
 * markup that slipped through could neither run a script nor fetch a remote resource.
 */
import DOMPurify from 'dompurify';

const FORBID_TAGS = ['script', 'noscript', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'portal', 'dialog', 'template', 'math'];
const URL_ATTRIBUTES = ['src', 'srcset', 'background', 'poster', 'data', 'lowsrc', 'dynsrc'];
const REMOTE = /^\s*(?:https?:)?\/\//i;
const REMOTE_IN_CSS = /url\(\s*(['"]?)\s*(?:https?:)?\/\/[^)]*\)/gi; // for replace()
const HAS_REMOTE_CSS = /(?:url\(|@import)\s*['"]?\s*(?:https?:)?\/\//i; // for test(): no /g state
const SAFE_LINK = /^(?:https?:|mailto:)/i;

export interface SanitizeResult {
  fragment: DocumentFragment;
  blockedCount: number;
}

export function sanitizeMail(html: string, remoteAllowed: boolean): SanitizeResult {
  let blockedCount = 0;
  const purifier = DOMPurify(window);
  purifier.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (!el.getAttribute) return;
    if (el.tagName === 'A') {
      const href = el.getAttribute('href') ?? '';
      if (href && !SAFE_LINK.test(href) && !href.startsWith('#')) el.removeAttribute('href');
      el.setAttribute('rel', 'noopener noreferrer');
      el.removeAttribute('target');
    }
    if (remoteAllowed) return;
    for (const attr of URL_ATTRIBUTES) {
      const value = el.getAttribute(attr);
      if (value && (REMOTE.test(value) || (attr === 'srcset' && /(?:https?:)?\/\//i.test(value)))) {
        el.setAttribute(`data-blocked-${attr}`, value);
        el.removeAttribute(attr);
        blockedCount++;
      }
    }
    const style = el.getAttribute('style');
    if (style && HAS_REMOTE_CSS.test(style)) {
      el.setAttribute('style', style.replace(REMOTE_IN_CSS, 'none'));
      blockedCount++;
    }
  });
  purifier.addHook('uponSanitizeElement', (node, data) => {
    if (!remoteAllowed && data.tagName === 'style' && node.textContent && HAS_REMOTE_CSS.test(node.textContent)) {
      node.textContent = node.textContent.replace(REMOTE_IN_CSS, 'none').replace(/@import[^;]+;/gi, '');
      blockedCount++;
    }
  });
  const fragment = purifier.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS,
    FORBID_ATTR: ['action', 'formaction', 'ping', 'srcdoc', 'xmlns'],
    ALLOW_DATA_ATTR: false,
    ADD_TAGS: ['style'],
    WHOLE_DOCUMENT: false,
  }) as DocumentFragment;
  return { fragment, blockedCount };
}

/** Plain text with clickable links, built as DOM nodes (never parsed as HTML). */
export function linkifyText(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const pattern = /\b(?:https?:\/\/|mailto:|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;
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
