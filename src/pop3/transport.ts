/**
 * Opening the byte stream to a POP3 server: plain TCP, implicit TLS (pop3s) or a TLS upgrade of
 * an open socket (STLS, RFC 2595). Certificates are verified with SNI against the host name;
 * a self-signed certificate is accepted only when its SHA-256 fingerprint is pinned.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CertificateError, Pop3Error } from './errors';

export interface TlsOptions {
  /** Pinned SHA-256 fingerprint ("AB:CD:..." or plain hex, any case). Replaces CA verification. */
  pinnedSha256?: string;
  /** Extra trusted CA certificates (PEM), for private CAs. */
  ca?: string | string[];
}

/** Normalises a fingerprint to upper-case hex without separators, for comparison. */
export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-f]/gi, '').toUpperCase();
}

/** "AB:CD:…" as people compare fingerprints. */
export function formatFingerprint(fp: string): string {
  return normalizeFingerprint(fp).replace(/(..)(?!$)/g, '$1:');
}

/** Bytes read from a plain socket per call into the one reused buffer (see connectTcp). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * A plain TCP connection. With `reuseReadBuffer`, every read lands in one buffer of the
 * socket's own and 'data' hands out views of it, valid only during the listener call
 * (listeners copy what they keep). A download then allocates nothing per read: with a fresh
 * 64 KB buffer per read, 200 MB of mail left up to 64 MB of garbage between collections.
 * Not for a socket that STLS will upgrade (TLS reads the socket itself).
 */
export function connectTcp(host: string, port: number, timeoutMs: number, signal?: AbortSignal, reuseReadBuffer = false): Promise<net.Socket> {
  const options: net.NetConnectOpts = { host, port };
  if (reuseReadBuffer) {
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    options.onread = {
      buffer,
      callback: (bytes: number) => {
        socket.emit('data', buffer.subarray(0, bytes));
        return true; // pausing is the listener's call (socket.pause())
      },
    };
  }
  const socket = net.connect(options);
  return settleSocket(socket, 'connect', host, port, timeoutMs, signal);
}

/** Implicit TLS from the first byte, or (with `socket`) an upgrade of an open connection after STLS. */
export function connectTls(
  host: string,
  port: number,
  options: TlsOptions,
  timeoutMs: number,
  signal?: AbortSignal,
  socket?: net.Socket,
): Promise<tls.TLSSocket> {
  const secure = tls.connect({
    host,
    port,
    socket,
    servername: net.isIP(host) ? undefined : host,
    minVersion: 'TLSv1.2',
    ca: options.ca,
    // We decide ourselves after the handshake, so that a rejected certificate can be shown
    // to the user with its fingerprint; nothing is sent before that decision.
    rejectUnauthorized: false,
  });
  return settleSocket(secure, 'secureConnect', host, port, timeoutMs, signal).then((s) => {
    checkPeerCertificate(s, host, options);
    return s;
  });
}

/**
 * After a handshake made with rejectUnauthorized off: the certificate must match the pin, or verify
 * against the CAs. Otherwise the socket is closed and the error carries the fingerprint to show.
 */
export function checkPeerCertificate(socket: tls.TLSSocket, host: string, options: TlsOptions): void {
  const cert = socket.getPeerCertificate();
  const fingerprint = cert?.fingerprint256;
  if (options.pinnedSha256) {
    if (fingerprint && normalizeFingerprint(fingerprint) === normalizeFingerprint(options.pinnedSha256)) return;
    socket.destroy();
    throw new CertificateError(
      `The certificate of ${host} does not match the pinned fingerprint. It may have been renewed, or someone may be intercepting the connection.`,
      fingerprint,
      'PIN_MISMATCH',
    );
  }
  if (socket.authorized) return;
  socket.destroy();
  const reason = String(socket.authorizationError ?? 'UNKNOWN');
  throw new CertificateError(`The certificate of ${host} could not be verified (${reason}).`, fingerprint, reason);
}

/** Waits for `readyEvent` with a timeout and abort support; on failure the socket is destroyed. */
function settleSocket<S extends net.Socket>(
  socket: S,
  readyEvent: 'connect' | 'secureConnect',
  host: string,
  port: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const fail = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: NodeJS.ErrnoException) => fail(describeSocketError(err, host, port));
    const onClose = () => fail(new Pop3Error('connection', `The connection to ${host}:${port} closed during set-up.`));
    const onAbort = () => fail(new Pop3Error('cancelled', 'Cancelled.'));
    const timer = setTimeout(
      () => fail(new Pop3Error('timeout', `No answer from ${host}:${port} within ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
    const onReady = () => {
      cleanup();
      resolve(socket);
    };
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(readyEvent, onReady);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(readyEvent, onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function describeSocketError(err: NodeJS.ErrnoException, host: string, port: number): Pop3Error {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new Pop3Error('connection', `Nothing is listening at ${where}. Check the server name and port.`, undefined, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new Pop3Error('connection', `The server name ${host} could not be found.`, undefined, { cause: err });
    case 'ECONNRESET':
    case 'EPIPE':
      return new Pop3Error('connection', `The connection to ${where} was cut.`, undefined, { cause: err });
    case 'ETIMEDOUT':
      return new Pop3Error('timeout', `The connection to ${where} timed out.`, undefined, { cause: err });
    default:
      if (err.code?.startsWith('ERR_SSL') || /SSL|TLS/i.test(err.message)) {
        return new Pop3Error('tls', `A secure connection to ${where} could not be set up (${err.code ?? err.message}).`, undefined, { cause: err });
      }
      return new Pop3Error('connection', `Connection to ${where} failed: ${err.message}`, undefined, { cause: err });
  }
}
