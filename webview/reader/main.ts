// Reader webview entry (browser). Talks to the host only through src/shared/readerProtocol.ts.
import type { HostMessage, MessageView, WebviewMessage } from '../../src/shared/readerProtocol';
import { linkTarget, sanitizeMail } from './sanitize';
import { renderPlainText } from './plainText';
import { button, tag } from '../toolkit';
import { STYLES } from './styles';
import { addStyles, el, hostChannel } from '../common/dom';
import { formatFullDate, formatSize } from '../../src/shared/format';

const vscode = hostChannel<WebviewMessage>();
const post = (message: WebviewMessage) => vscode.postMessage(message);

addStyles(STYLES);

/**
 * Every way of following a link goes through the host, which shows the real target before opening
 * anything: clicks and keyboard activation (a click event), middle and other buttons (auxclick),
 * on HTML <a>, <area> and SVG <a>. The mail's document itself never navigates.
 */
function gateLinks(root: Document | HTMLElement): void {
  const follow = (event: MouseEvent) => {
    const link = (event.target as Element | null)?.closest?.('a, area');
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const raw = link.getAttribute('href') ?? '';
    if (raw.startsWith('#')) {
      const doc = link.ownerDocument;
      (doc.getElementById(decodeURIComponent(raw.slice(1))) ?? doc.getElementsByName(raw.slice(1))[0])?.scrollIntoView();
      return;
    }
    const url = linkTarget(link, link.ownerDocument.baseURI);
    if (url) post({ type: 'openLink', url });
  };
  root.addEventListener('click', follow as EventListener, true);
  root.addEventListener('auxclick', follow as EventListener, true);
}

/** The mail's own styles start from the panel's theme; the mail may change them inside its frame. */
const FRAME_STYLE = `html, body { margin: 0; background: transparent; }
body { padding: 8px 2px; font-family: var(--vscode-font-family); font-size: var(--vscode-font-size);
  color: var(--vscode-foreground); overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; }
a { color: var(--vscode-textLink-foreground); }`;

/**
 * The HTML body lives in a frame of its own: whatever its CSS does (position: fixed, z-index,
 * negative margins, :host), it paints only inside the frame's box, so it can never draw over the
 * panel's header, buttons or banners. The frame is sandboxed without scripts; the panel reaches
 * into it (same origin) to fill it, theme it and gate its links. It inherits the panel's CSP.
 */
function mailFrame(container: HTMLElement, fragment: DocumentFragment): HTMLIFrameElement {
  const frame = el('iframe', { id: 'mail-frame', class: 'mail-frame', sandbox: 'allow-same-origin', title: 'Message body', tabindex: '0' });
  container.append(frame);
  const doc = frame.contentDocument!;
  doc.documentElement.setAttribute('style', document.documentElement.getAttribute('style') ?? '');
  doc.documentElement.className = document.body.className; // vscode-dark, vscode-high-contrast, ...
  const style = doc.createElement('style');
  style.textContent = FRAME_STYLE;
  doc.head.append(style);
  const content = doc.createElement('div');
  content.id = 'mail-html';
  content.append(doc.adoptNode(fragment));
  doc.body.append(content);
  gateLinks(doc);
  return frame;
}

function render(message: MessageView, remoteAllowed: boolean): void {
  const app = document.getElementById('app')!;
  app.replaceChildren();
  // The panel's own part (header, actions, banners, attachments) above the body, never covered by it.
  const chrome = el('header', { class: 'chrome', id: 'chrome' });
  app.append(chrome);
  document.title = message.subject || '(no subject)';

  const headers = el('dl', { class: 'headers' });
  const row = (label: string, value: string, id: string) => {
    if (!value) return;
    headers.append(el('dt', {}, label), el('dd', { id }, value));
  };
  row('From', message.from, 'from');
  row('To', message.to, 'to');
  row('Cc', message.cc, 'cc');
  row('Date', message.date ? formatFullDate(Date.parse(message.date)) : '', 'date');

  const actions = el('div', { class: 'actions' });
  actions.append(button('Reply', () => post({ type: 'reply' }), { primary: true, id: 'reply' }));
  actions.append(button('Reply All', () => post({ type: 'reply', all: true }), { id: 'reply-all' }));
  actions.append(button('Forward', () => post({ type: 'forward' }), { id: 'forward' }));
  actions.append(button('Open Source', () => post({ type: 'openSource' }), { id: 'open-source' }));
  if (message.partial) actions.append(button('Download Full Message', () => post({ type: 'downloadFull' }), { id: 'download-full' }));

  chrome.append(el('h1', { id: 'subject' }, message.subject || '(no subject)'), headers, actions);

  if (message.partial) {
    chrome.append(el('p', { class: 'banner', id: 'partial-banner' }, 'Only the headers of this message were downloaded because it is larger than the size limit.'));
  }

  const body = el('section', { id: 'body', class: 'body' });
  if (message.body.kind === 'html') {
    const { fragment, blockedCount } = sanitizeMail(message.body.html, remoteAllowed);
    if (!remoteAllowed && (message.hasRemoteContent || blockedCount > 0)) {
      const banner = el('div', { class: 'banner', id: 'remote-banner' }, 'Remote content in this message is blocked to protect your privacy. ');
      banner.append(button('Load remote content', () => post({ type: 'loadRemote' }), { id: 'load-remote' }));
      chrome.append(banner);
    }
    chrome.after(body);
    mailFrame(body, fragment);
  } else {
    body.append(renderPlainText(message.body.text));
    gateLinks(body);
    chrome.after(body);
  }

  if (message.attachments.length > 0) {
    const list = el('ul', { class: 'attachments', id: 'attachments' });
    for (const a of message.attachments) {
      const item = el('li', {}, el('span', { class: 'name' }, a.filename), ' ', tag(formatSize(a.size)), ' ');
      if (a.executable) item.append(el('span', { class: 'warning', title: 'This type of file can run programs' }, '⚠ '));
      item.append(button('Save…', () => post({ type: 'saveAttachment', index: a.index }), { title: `Save ${a.filename}` }));
      list.append(item);
    }
    chrome.append(el('h2', {}, `Attachments (${message.attachments.length})`), list);
  }
}

/** The message was removed from the store: say so, and turn off what can no longer work. */
function showGone(): void {
  const chrome = document.getElementById('chrome');
  if (!chrome || document.getElementById('gone-banner')) return;
  for (const action of chrome.querySelectorAll<HTMLElement>('.actions vscode-button, #attachments vscode-button, #load-remote')) {
    action.setAttribute('disabled', '');
    action.setAttribute('aria-disabled', 'true');
  }
  chrome.querySelector('.actions')?.after(el('p', { class: 'banner', id: 'gone-banner', role: 'status' }, 'This message is no longer stored in Mail Panel (deleted for good, here or in another window). What you see is all that is left of it.'));
}

/** One page further into the body (Space in the message list), whichever element scrolls it. */
function pageDown(): void {
  const frame = document.getElementById('mail-frame') as HTMLIFrameElement | null;
  const scroller = frame?.contentDocument?.scrollingElement ?? document.getElementById('mail-text');
  if (scroller) scroller.scrollBy({ top: scroller.clientHeight * 0.9 });
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message?.type === 'show') {
    vscode.setState({ ref: message.ref }); // VS Code keeps it: the reader comes back after a reload
    render(message.message, message.remoteAllowed);
  }
  else if (message?.type === 'pageDown') pageDown();
  else if (message?.type === 'gone') showGone();
});

post({ type: 'ready' });
