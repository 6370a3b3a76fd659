// Entry point of the extension host bundle. Everything VS Code-specific lives in src/ui/.
import type * as vscode from 'vscode';
import { activateMailPanel, type MailPanelApi } from './ui/activate';

export function activate(context: vscode.ExtensionContext): MailPanelApi {
  return activateMailPanel(context);
}

export function deactivate(): void {}
