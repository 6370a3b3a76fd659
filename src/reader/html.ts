/**
 * The reader panel's HTML shell and its Content-Security-Policy. One builder for the real panel
 * and the browser tests, so the tests exercise the policy users get. Remote content (images,
 * fonts, style sheets over http/https) is allowed by the policy only after the user asked for
 * it for this message; until then the browser itself refuses to make any such request. Audio and
 * video are never loaded from the network. The HTML body's frame (about:blank) inherits this policy.
 */
import { randomBytes } from 'node:crypto';
import { webviewShell } from '../shared/webviewShell';

export interface ReaderPageOptions {
  /** The webview's own origin for our script and style (webview.cspSource). */
  cspSource: string;
  scriptUri: string;
  remoteAllowed: boolean;
  nonce?: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string, remoteAllowed: boolean): string {
  const remote = remoteAllowed ? ' https: http:' : '';
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:${remote}`,
    // Audio and video never load from the network, even after "Load remote content".
    `media-src ${cspSource} data:`,
    // Mail's own inline styles are allowed (they cannot run code); loads stay gated by `remote`.
    `style-src ${cspSource} 'unsafe-inline'${remote}`,
    `font-src ${cspSource} data:${remote}`,
    `script-src 'nonce-${nonce}'`,
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function readerHtml(options: ReaderPageOptions): string {
  const nonce = options.nonce ?? randomBytes(16).toString('base64');
  return webviewShell({
    csp: contentSecurityPolicy(options.cspSource, nonce, options.remoteAllowed),
    nonce,
    scriptUri: options.scriptUri,
    title: 'Message',
    body: '<main id="app" aria-live="polite"><p class="loading">Loading message…</p></main>\n',
  });
}
