// Reader webview entry (browser). Talks to the host only through src/shared/protocol.ts.
import type { HostMessage, WebviewMessage } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message.type === 'showMessage') {
    const title = document.getElementById('subject');
    if (title) title.textContent = message.subject;
  }
});

vscode.postMessage({ type: 'ready' });
