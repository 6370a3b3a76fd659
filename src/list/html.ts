/**
 * The message list panel's HTML shell and its Content-Security-Policy, for the real panel and the
 * browser tests alike. The list shows no mail HTML (subjects and snippets are text), so its policy
 * allows our script, our styles and the codicon font, and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { webviewShell } from '../shared/webviewShell';

export interface ListPageOptions {
  cspSource: string;
  scriptUri: string;
  codiconsUri: string;
  nonce?: string;
}

export function listHtml(options: ListPageOptions): string {
  const nonce = options.nonce ?? randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `style-src ${options.cspSource} 'unsafe-inline'`,
    `font-src ${options.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
  return webviewShell({ csp, nonce, scriptUri: options.scriptUri, title: 'Messages', head: `<link rel="stylesheet" href="${options.codiconsUri}">\n` });
}
