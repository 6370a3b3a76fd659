// Reader webview entry (browser). Talks to the host only through src/shared/protocol.ts.
import type { HostMessage, MessageView, WebviewMessage } from '../src/shared/protocol';
import { sanitizeMail, linkifyText } from './sanitize';
import { button, divider, tag } from './toolkit';
import { STYLES } from './styles';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const style = document.createElement('style');
style.textContent = STYLES;
document.head.append(style);

function el<K extends keyof HTMLElementTagNameMap>(name: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Clicks on links go to the host, which shows the real target before opening anything. */
function interceptLinks(root: Node): void {
  root.addEventListener('click', (event) => {
    const a = (event.target as Element | null)?.closest?.('a');
    if (!a) return;
    event.preventDefault();
    const href = a.getAttribute('href');
    if (href && !href.startsWith('#')) post({ type: 'openLink', url: (a as HTMLAnchorElement).href });
  });
}

function render(message: MessageView, remoteAllowed: boolean): void {
  const app = document.getElementById('app')!;
  app.replaceChildren();
  document.title = message.subject || '(no subject)';

  const headers = el('dl', { class: 'headers' });
  const row = (label: string, value: string, id: string) => {
    if (!value) return;
    headers.append(el('dt', {}, label), el('dd', { id }, value));
  };
  row('From', message.from, 'from');
  row('To', message.to, 'to');
  row('Cc', message.cc, 'cc');
  row('Date', message.date ? new Date(message.date).toLocaleString() : '', 'date');

  const actions = el('div', { class: 'actions' });
  actions.append(button('Reply', () => post({ type: 'reply' }), { primary: true, id: 'reply' }));
  actions.append(button('Open Source', () => post({ type: 'openSource' }), { id: 'open-source' }));
  if (message.partial) actions.append(button('Download Full Message', () => post({ type: 'downloadFull' }), { id: 'download-full' }));

  app.append(el('h1', { id: 'subject' }, message.subject || '(no subject)'), headers, actions);

  if (message.partial) {
    app.append(el('p', { class: 'banner', id: 'partial-banner' }, 'Only the headers of this message were downloaded because it is larger than the size limit.'));
  }

  const body = el('section', { id: 'body', class: 'body' });
  if (message.body.kind === 'html') {
    const { fragment, blockedCount } = sanitizeMail(message.body.html, remoteAllowed);
    if (!remoteAllowed && (message.hasRemoteContent || blockedCount > 0)) {
      const banner = el('div', { class: 'banner', id: 'remote-banner' }, 'Remote content in this message is blocked to protect your privacy. ');
      banner.append(button('Load remote content', () => post({ type: 'loadRemote' }), { id: 'load-remote' }));
      app.append(banner);
    }
    // A shadow root keeps the mail's CSS away from ours, and ours from the mail.
    const shadow = body.attachShadow({ mode: 'open' });
    const frame = el('div', { class: 'mail-html', id: 'mail-html' });
    frame.append(fragment);
    shadow.append(el('style', {}, ':host{display:block;overflow:auto} .mail-html{overflow-wrap:anywhere} img{max-width:100%;height:auto} a{color:var(--vscode-textLink-foreground)}'), frame);
    interceptLinks(shadow);
  } else {
    const pre = el('pre', { class: 'text', id: 'mail-text' });
    pre.append(linkifyText(message.body.text));
    body.append(pre);
    interceptLinks(body);
  }
  app.append(divider(), body);

  if (message.attachments.length > 0) {
    const list = el('ul', { class: 'attachments', id: 'attachments' });
    for (const a of message.attachments) {
      const item = el('li', {}, el('span', { class: 'name' }, a.filename), ' ', tag(formatSize(a.size)), ' ');
      if (a.executable) item.append(el('span', { class: 'warning', title: 'This type of file can run programs' }, '⚠ '));
      item.append(button('Save…', () => post({ type: 'saveAttachment', index: a.index }), { title: `Save ${a.filename}` }));
      list.append(item);
    }
    app.append(divider(), el('h2', {}, `Attachments (${message.attachments.length})`), list);
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message?.type === 'show') render(message.message, message.remoteAllowed);
});

post({ type: 'ready' });
