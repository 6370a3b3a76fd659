// Entry point of the extension host bundle. Everything VS Code-specific lives in src/ui/.
import type * as vscode from 'vscode';
import { activateMailPanel } from './ui/activate';

export function activate(context: vscode.ExtensionContext): void {
  activateMailPanel(context);
}

export function deactivate(): void {}
