/**
 * The VS Code adapter: registers the contributed commands and the log channel. The core
 * (src/pop3 and later the store and sync) knows nothing of VS Code; this layer wires it in.
 */
import * as vscode from 'vscode';

export function activateMailPanel(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Mail Panel', { log: true });
  context.subscriptions.push(log);

  const notYet = (what: string) => () =>
    vscode.window.showInformationMessage(`Mail Panel: ${what} is not available in this preview build yet.`);

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'mailPanel.addAccount': notYet('adding an account'),
    'mailPanel.fetchMail': notYet('fetching mail'),
    'mailPanel.fetchAll': notYet('fetching mail'),
    'mailPanel.showLog': () => log.show(true),
  };
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
  log.info('Mail Panel activated');
}
