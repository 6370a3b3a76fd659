import * as vscode from 'vscode';
import type { ErrorAction, ErrorAdvice } from '../accounts/errorAdvice';
import { formatFingerprint, type CertificateError } from '../pop3';

/** Shows the advice; resolves with the action the user picked, if any. */
export async function showError(advice: ErrorAdvice): Promise<ErrorAction | undefined> {
  const picked = await vscode.window.showErrorMessage(advice.message, ...advice.actions.map((a) => a.title));
  return advice.actions.find((a) => a.title === picked)?.action;
}

/**
 * Shows an untrusted certificate's fingerprint and asks whether to trust it; resolves with the
 * fingerprint to pin (the server is then trusted with exactly that certificate), or undefined.
 */
export async function askTrust(host: string, err: CertificateError, forWhat: string): Promise<string | undefined> {
  if (!err.fingerprint256) return undefined;
  const fingerprint = formatFingerprint(err.fingerprint256);
  const pick = await vscode.window.showWarningMessage(
    `The certificate of ${host} is not trusted (${err.reason}).`,
    { modal: true, detail: `SHA-256 fingerprint:\n${fingerprint}\n\nTrust it only if it matches what your mail provider publishes. Mail Panel will then accept this certificate, and only this one, for ${forWhat}.` },
    'Trust This Certificate',
  );
  return pick === 'Trust This Certificate' ? fingerprint : undefined;
}
