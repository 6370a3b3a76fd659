/**
 * What went wrong while sending, in words a person understands, and whether trying again later can
 * help (the Outbox retries only what can). Reads nodemailer's errors: a code for the stage, the
 * server's reply code and text.
 */
import { printable } from '../pop3/errors';

export type SmtpErrorKind =
  | 'auth' // the server refused the user name or password
  | 'relay' // the server will not pass mail on for us (not logged in, or not allowed)
  | 'recipient' // the server does not take mail for a recipient
  | 'size' // the message is larger than the server accepts
  | 'insecure' // the server wants TLS, or we refused to log in without it
  | 'tls' // the secure connection failed or its certificate was refused
  | 'connection' // could not reach the server, or the connection broke
  | 'timeout'
  | 'temporary' // a 4xx reply: try again later
  | 'server'; // any other refusal

export class SmtpError extends Error {
  override readonly name = 'SmtpError';
  constructor(
    readonly kind: SmtpErrorKind,
    message: string,
    /** The server's own words, when it gave any. */
    readonly serverText?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Whether the same message, sent again unchanged, may go through later. */
  get retryable(): boolean {
    return this.kind === 'connection' || this.kind === 'timeout' || this.kind === 'temporary';
  }
}

interface MailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  rejected?: string[];
  rejectedErrors?: MailerError[];
}

const said = (text: string | undefined) => (text ? ` The server said: ${printable(text)}` : '');

/** Turns a nodemailer error (or a rejected recipient's) into an SmtpError. */
export function smtpError(err: unknown, where: string, maxSizeBytes?: number): SmtpError {
  if (err instanceof SmtpError) return err;
  const e = (err ?? {}) as MailerError;
  const rejected = e.rejectedErrors?.[0];
  if (rejected && e.code === 'EENVELOPE') return smtpError(rejected, where, maxSizeBytes);
  const code = e.responseCode ?? 0;
  const text = e.response ?? '';
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? '';
  const recipient = /<([^>]*)>/.exec(text)?.[1] ?? e.rejected?.[0] ?? '';
  const opts = { cause: err };
  if (e.code === 'EAUTH' || code === 535 || enhanced === '5.7.8') {
    if (/not supported|no .*mechanism|authentication .*not/i.test(e.message ?? '') && code !== 535) {
      return new SmtpError('auth', `${where} offers no login method this account can use.${said(text || e.message)}`, text, opts);
    }
    return new SmtpError('auth', `Wrong user name or password for sending through ${where}.${said(text)}`, text, opts);
  }
  if (code === 552 || enhanced === '5.3.4' || e.code === 'EMESSAGE' && /size/i.test(e.message ?? '')) {
    const limit = maxSizeBytes ? ` (it takes at most ${(maxSizeBytes / 1048576).toFixed(1)} MB)` : '';
    return new SmtpError('size', `The message is too large for ${where}${limit}. Remove or shrink attachments.${said(text)}`, text, opts);
  }
  if (/relay/i.test(text) || (enhanced === '5.7.1' && /recipient|rcpt/i.test(e.command ?? ''))) {
    return new SmtpError('relay', `${where} refused to pass the message on${recipient ? ` to ${recipient}` : ''}: it does not relay mail for this account. Check the outgoing server and its login.${said(text)}`, text, opts);
  }
  if (code === 530 || enhanced === '5.7.0' || /STARTTLS/i.test(text)) {
    return new SmtpError('insecure', `${where} requires a secure connection before logging in. Choose STARTTLS or TLS for the outgoing server.${said(text)}`, text, opts);
  }
  if (code === 550 || code === 551 || code === 553 || enhanced.startsWith('5.1.')) {
    return new SmtpError('recipient', `${where} does not take mail for ${recipient || 'a recipient'}. Check the address.${said(text)}`, text, opts);
  }
  if (code >= 400 && code < 500) return new SmtpError('temporary', `${where} cannot take the message now; it will be tried again.${said(text)}`, text, opts);
  if (code >= 500) return new SmtpError('server', `${where} refused the message.${said(text)}`, text, opts);
  if (e.code === 'ETIMEDOUT') return new SmtpError('timeout', `${where} did not answer in time; it will be tried again.`, undefined, opts);
  if (e.code === 'ETLS' || /SSL|TLS|certificate/i.test(e.message ?? '')) {
    return new SmtpError('tls', `A secure connection to ${where} could not be set up (${printable(e.message ?? '')}).`, undefined, opts);
  }
  const reason = /ECONNREFUSED/.test(e.message ?? '')
    ? 'nothing is listening there; check the server name and port'
    : /ENOTFOUND|EAI_AGAIN/.test(e.message ?? '')
      ? 'the server name could not be found'
      : printable(e.message ?? 'the connection failed');
  return new SmtpError('connection', `Could not reach ${where}: ${reason}. It will be tried again.`, undefined, opts);
}
