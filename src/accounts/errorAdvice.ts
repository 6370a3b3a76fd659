/**
 * Every failure reaches the user as a sentence and a next step, never a stack trace.
 * Pure mapping (no vscode import); src/ui/errors.ts shows it.
 */
import { CertificateError, Pop3Error, formatFingerprint } from '../pop3';
import { LockBusyError } from '../store/lock';

export type ErrorAction = 'retry' | 're-enter-password' | 'trust-certificate' | 'edit-account' | 'show-log' | 'allow-insecure';

export interface ErrorAdvice {
  message: string;
  actions: Array<{ title: string; action: ErrorAction }>;
}

export function adviseOn(err: unknown, accountLabel: string): ErrorAdvice {
  const prefix = `${accountLabel}: `;
  if (err instanceof CertificateError) {
    const fp = err.fingerprint256 ? ` Its SHA-256 fingerprint is ${formatFingerprint(err.fingerprint256)}.` : '';
    return { message: `${prefix}${err.message}${fp}`, actions: err.fingerprint256 ? [{ title: 'Show Certificate', action: 'trust-certificate' }] : [{ title: 'Show Log', action: 'show-log' }] };
  }
  if (err instanceof LockBusyError) return { message: `${prefix}${err.message}`, actions: [] };
  if (err instanceof Pop3Error) {
    switch (err.kind) {
      case 'auth':
        return { message: `${prefix}${err.message}`, actions: [{ title: 'Re-enter Password', action: 're-enter-password' }] };
      case 'insecure':
        return { message: `${prefix}${err.message}`, actions: [{ title: 'Edit Account', action: 'edit-account' }, { title: 'Allow Unencrypted Login', action: 'allow-insecure' }] };
      case 'in-use':
      case 'login-delay':
      case 'temporary':
      case 'timeout':
      case 'connection':
        return { message: `${prefix}${err.message}`, actions: [{ title: 'Retry', action: 'retry' }, { title: 'Show Log', action: 'show-log' }] };
      case 'cancelled':
        return { message: `${prefix}Cancelled.`, actions: [] };
      default:
        return { message: `${prefix}${err.message}`, actions: [{ title: 'Show Log', action: 'show-log' }] };
    }
  }
  const text = err instanceof Error ? err.message : String(err);
  return { message: `${prefix}${text}`, actions: [{ title: 'Show Log', action: 'show-log' }] };
}
