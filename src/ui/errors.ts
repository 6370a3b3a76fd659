import * as vscode from 'vscode';
import type { ErrorAction, ErrorAdvice } from '../accounts/errorAdvice';

/** Shows the advice; resolves with the action the user picked, if any. */
export async function showError(advice: ErrorAdvice): Promise<ErrorAction | undefined> {
  const picked = await vscode.window.showErrorMessage(advice.message, ...advice.actions.map((a) => a.title));
  return advice.actions.find((a) => a.title === picked)?.action;
}
