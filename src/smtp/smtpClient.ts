/**
 * Sending over SMTP submission with nodemailer's SMTP connection (the ecosystem's well-kept client):
 * implicit TLS (465) or STARTTLS (587), login, one message, quit. Certificates follow the POP3
 * rules (verified, or pinned by fingerprint), checked before the password is sent; a password never
 * crosses an unencrypted connection unless the account allows it.
 */
import type * as tls from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { checkPeerCertificate, CertificateError, type Security, type TlsOptions } from '../pop3';
import { SmtpError, smtpError } from './smtpErrors';

export type SmtpLoginMethod = 'auto' | 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2';
export const SMTP_LOGIN_METHODS: readonly SmtpLoginMethod[] = ['auto', 'PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'];

export interface SmtpOptions {
  host: string;
  port: number;
  security: Security;
  user: string;
  /** The password, or the OAuth access token with XOAUTH2. */
  password: string;
  method?: SmtpLoginMethod;
  tls?: TlsOptions;
  allowInsecureAuth?: boolean;
  /** Each wait on the server (connect, greeting, a reply); 30 s when not set. */
  timeoutMs?: number;
}

export interface Envelope {
  from: string;
  to: string[];
}

export interface SendReport {
  accepted: string[];
  /** Recipients the server refused while taking the message for the others, with its words. */
  rejected: Array<{ address: string; reason: string }>;
  response: string;
}

export const DEFAULT_SMTP_PORTS: Record<Security, number> = { tls: 465, starttls: 587, none: 25 };

const where = (o: SmtpOptions) => `${o.host}:${o.port}`;

/** Connects and logs in, runs `work`, and says goodbye (or closes on failure). */
async function session<T>(options: SmtpOptions, work: (connection: SMTPConnection) => Promise<T>): Promise<T> {
  const timeout = options.timeoutMs ?? 30_000;
  const connection = new SMTPConnection({
    host: options.host,
    port: options.port,
    secure: options.security === 'tls',
    requireTLS: options.security === 'starttls',
    ignoreTLS: options.security === 'none',
    // We decide on the certificate ourselves (below), as for POP3, so that a refused one can be shown.
    tls: { rejectUnauthorized: false, minVersion: 'TLSv1.2', ca: options.tls?.ca },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
  });
  let failure: unknown;
  connection.on('error', (err) => (failure ??= err));
  try {
    // A failed connection is reported by an 'error' event alone (the callback never comes).
    await new Promise<void>((resolve, reject) => {
      const fail = (err?: unknown) => reject(err ?? Object.assign(new Error('the connection closed during set-up'), { code: 'ECONNECTION' }));
      connection.once('error', fail);
      connection.once('end', fail);
      connection.connect((err) => {
        connection.off('error', fail);
        connection.off('end', fail);
        if (err) reject(err);
        else resolve();
      });
    });
    const socket = connection._socket as tls.TLSSocket | null;
    if (connection.secure && socket) checkPeerCertificate(socket, options.host, options.tls ?? {});
    else if (!options.allowInsecureAuth) {
      throw new SmtpError('insecure', `The connection to ${where(options)} is not encrypted, so the password was not sent. Choose STARTTLS or TLS for the outgoing server.`);
    }
    // Later, a connection that breaks may only say so by an event: every step races it.
    const broken = new Promise<never>((_, reject) => {
      connection.on('error', reject);
      connection.on('end', () => reject(Object.assign(new Error(`the server closed the connection`), { code: 'ECONNECTION' })));
    });
    broken.catch(() => undefined);
    await Promise.race([login(connection, options), broken]);
    const result = await Promise.race([work(connection), broken]);
    connection.quit();
    return result;
  } catch (err) {
    connection.close();
    if (err instanceof CertificateError || err instanceof SmtpError) throw err;
    throw smtpError(failure ?? err, where(options));
  }
}

function login(connection: SMTPConnection, options: SmtpOptions): Promise<void> {
  const method = options.method ?? 'auto';
  const auth: SMTPConnection.AuthenticationType =
    method === 'XOAUTH2'
      ? { type: 'OAuth2', user: options.user, accessToken: options.password } as SMTPConnection.AuthenticationType
      : { credentials: { user: options.user, pass: options.password }, method: method === 'auto' ? undefined : method };
  return new Promise((resolve, reject) => connection.login(auth, (err) => (err ? reject(err) : resolve())));
}

/**
 * Sends one message (its bytes as they are) to the envelope's recipients. `handingOver` runs once
 * the server is reached and has taken the login, before MAIL FROM (see compose/outbox.ts).
 */
export function sendMessage(options: SmtpOptions, raw: Buffer, envelope: Envelope, handingOver?: () => Promise<void>): Promise<SendReport> {
  return session(options, async (connection) => {
    await handingOver?.();
    return new Promise<SendReport>((resolve, reject) =>
      connection.send({ from: envelope.from, to: envelope.to, size: raw.length }, raw, (err, info) => {
        if (err || !info) return reject(err);
        const errors = info.rejectedErrors ?? [];
        resolve({
          accepted: info.accepted,
          rejected: info.rejected.map((address, i) => ({ address, reason: errors[i] ? smtpError(errors[i], where(options)).message : 'refused' })),
          response: info.response,
        });
      }),
    );
  });
}

/** Logs in and out: the account wizard's connection test. */
export function testSmtp(options: SmtpOptions): Promise<void> {
  return session(options, async () => undefined);
}
