/**
 * Typed POP3 errors. Each carries a `kind` the UI can branch on (to offer "Re-enter password",
 * "Show certificate", "Retry later") and a message a person understands, never a stack trace.
 */

export type Pop3ErrorKind =
  | 'connection' // TCP/DNS level: refused, reset, dropped
  | 'timeout' // no answer within the configured time
  | 'cancelled' // the caller aborted
  | 'protocol' // the server broke the protocol (garbage, overlong line)
  | 'tls' // TLS handshake failed or the certificate was rejected
  | 'auth' // the server rejected the credentials
  | 'insecure' // we refused to send credentials in clear, or STLS was required but missing
  | 'unsupported' // the server lacks a capability we need
  | 'oversized' // one answer was longer than its listing allows (the session goes on)
  | 'in-use' // [IN-USE]: mailbox locked by another client
  | 'login-delay' // [LOGIN-DELAY]: logged in too recently
  | 'temporary' // [SYS/TEMP]: try again later
  | 'permanent' // [SYS/PERM]: server-side failure that will not go away by itself
  | 'server'; // any other -ERR

export class Pop3Error extends Error {
  override readonly name: string = 'Pop3Error';
  constructor(
    readonly kind: Pop3ErrorKind,
    message: string,
    /** The server's own words (text after -ERR), when there were any. */
    readonly serverText?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class CertificateError extends Pop3Error {
  override readonly name = 'CertificateError';
  constructor(
    message: string,
    /** SHA-256 fingerprint of the presented certificate, "AB:CD:..." as Node prints it. */
    readonly fingerprint256: string | undefined,
    /** OpenSSL's reason, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, or 'PIN_MISMATCH'. */
    readonly reason: string,
  ) {
    super('tls', message);
  }
}

/** RFC 2449 / RFC 3206 extended response codes, mapped to what they mean for a person. */
const RESPONSE_CODES: Record<string, { kind: Pop3ErrorKind; text: string }> = {
  'IN-USE': { kind: 'in-use', text: 'The mailbox is locked by another mail client. Close it or try again in a few minutes.' },
  'LOGIN-DELAY': { kind: 'login-delay', text: 'The server allows logging in only every few minutes. Try again later.' },
  'SYS/TEMP': { kind: 'temporary', text: 'The server has a temporary problem. Try again later.' },
  'SYS/PERM': { kind: 'permanent', text: 'The server reports a permanent problem with this mailbox. Contact the mail provider.' },
  AUTH: { kind: 'auth', text: 'Wrong user name or password.' },
};

/** Reads "[CODE/SUB] text" (RFC 2449 section 8) off an -ERR line's text. */
export function parseResponseCode(text: string): { code?: string; rest: string } {
  const match = /^\[([^\]\s]{1,64})\]\s*(.*)$/s.exec(text);
  return match ? { code: match[1].toUpperCase(), rest: match[2] } : { rest: text };
}

/** Turns an -ERR line into a typed error; `during` names the step for the message ("RETR 4"). */
export function serverError(text: string, during: string, fallbackKind: Pop3ErrorKind = 'server'): Pop3Error {
  const { code } = parseResponseCode(text);
  const known = code ? RESPONSE_CODES[code] : undefined;
  if (known) return new Pop3Error(known.kind, known.text, text);
  if (fallbackKind === 'auth') return new Pop3Error('auth', 'Wrong user name or password.', text);
  const shown = text ? `: ${printable(text)}` : '';
  return new Pop3Error(fallbackKind, `The server refused ${during}${shown}`, text);
}

/** Keeps server text safe to show: printable ASCII only, bounded. */
export function printable(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
