/**
 * A POP3 session (RFC 1939 with CAPA, RFC 2449; STLS, RFC 2595; SASL, RFC 5034; APOP).
 * `Pop3Client.connect` opens the transport, reads the greeting, learns the capabilities,
 * upgrades to TLS when asked and logs in; the methods are then the TRANSACTION-state commands.
 * Message bytes are Buffers end to end.
 */
import { PassThrough, type Readable } from 'node:stream';
import { authenticate, LoginRefused, mechanismsToTry, type AuthMechanism, type Credentials } from './auth';
import { Pop3Connection, type BodySink, type TraceHook } from './connection';
import { Pop3Error, printable } from './errors';
import { connectTcp, connectTls, type TlsOptions } from './transport';

export type Security = 'tls' | 'starttls' | 'none';

export interface Timeouts {
  connectMs: number;
  greetingMs: number;
  /** Longest silence while waiting for a response (reset by every byte received). */
  responseMs: number;
  /**
   * Slowest transfer accepted while waiting on the server, averaged over `rateWindowMs`: a server
   * that sends a line a second for ever fails within two windows instead of never. 0 = off.
   */
  minBytesPerSecond: number;
  rateWindowMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 15_000, greetingMs: 30_000, responseMs: 60_000, minBytesPerSecond: 256, rateWindowMs: 60_000 };
export const DEFAULT_PORTS: Record<Security, number> = { tls: 995, starttls: 110, none: 110 };

export interface Pop3Options {
  host: string;
  port?: number;
  /** 'tls': implicit TLS; 'starttls': STLS is required (never falls back to clear text); 'none': plain. */
  security: Security;
  tls?: TlsOptions;
  credentials: Credentials;
  /** Allow a password to cross an unencrypted connection (USER/PASS, PLAIN, LOGIN). Off by default. */
  allowInsecureAuth?: boolean;
  timeouts?: Partial<Timeouts>;
  /** Longest status line accepted (RFC 2449 says 512 octets; a little slack for real servers). */
  maxLineLength?: number;
  /** Commands in flight when the server advertises PIPELINING. */
  pipelineWindow?: number;
  signal?: AbortSignal;
  trace?: TraceHook;
}

export interface MessageSize {
  msg: number;
  size: number;
}
export interface MessageUid {
  msg: number;
  uid: string;
}

const MAX_LISTING_BYTES = 64 * 1024 * 1024;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;
const MAX_BUFFERED_MESSAGE_BYTES = 256 * 1024 * 1024;

export class Pop3Client {
  private constructor(
    private readonly conn: Pop3Connection,
    /** CAPA's answer after login; null when the server does not know CAPA. */
    readonly capabilities: ReadonlyMap<string, string[]> | null,
    readonly greeting: string,
    readonly mechanism: AuthMechanism,
    readonly encrypted: boolean,
  ) {}

  static async connect(options: Pop3Options): Promise<Pop3Client> {
    let remaining: AuthMechanism[] | undefined;
    for (;;) {
      try {
        return await Pop3Client.open(options, remaining);
      } catch (err) {
        // The server hung up after refusing a login: a new connection for the mechanisms left.
        if (!(err instanceof LoginRefused)) throw err;
        remaining = err.remaining;
      }
    }
  }

  /** One connection: greeting, CAPA, STLS, login with `mechanisms` (default: all allowed). */
  private static async open(options: Pop3Options, mechanisms?: AuthMechanism[]): Promise<Pop3Client> {
    const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    const { host, signal } = options;
    const port = options.port ?? DEFAULT_PORTS[options.security];
    const tlsOptions = options.tls ?? {};
    const socket =
      options.security === 'tls'
        ? await connectTls(host, port, tlsOptions, timeouts.connectMs, signal)
        : await connectTcp(host, port, timeouts.connectMs, signal, options.security === 'none');
    const conn = new Pop3Connection(socket, {
      host,
      port,
      responseTimeoutMs: timeouts.responseMs,
      minBytesPerSecond: timeouts.minBytesPerSecond,
      rateWindowMs: timeouts.rateWindowMs,
      maxLineLength: options.maxLineLength ?? 2048,
      signal,
      trace: options.trace,
    });
    try {
      const greeting = await conn.greeting(timeouts.greetingMs);
      let encrypted = options.security === 'tls';
      let caps = await readCapabilities(conn);
      if (options.security === 'starttls') {
        try {
          await conn.send({ line: 'STLS' });
        } catch (err) {
          if (err instanceof Pop3Error && err.kind === 'server') {
            throw new Pop3Error('insecure', `${host} does not offer STARTTLS, which this account requires. Nothing was sent unencrypted.`, err.serverText);
          }
          throw err;
        }
        const secure = await connectTls(host, port, tlsOptions, timeouts.connectMs, signal, conn.detachSocket());
        conn.attachSocket(secure);
        encrypted = true;
        caps = await readCapabilities(conn); // RFC 2595: forget what was learned before TLS
      }
      const apopTimestamp = /<[^<>\s]+@[^<>\s]+>/.exec(greeting)?.[0];
      const offered = new Set<AuthMechanism>();
      for (const m of caps?.get('SASL') ?? []) offered.add(m.toUpperCase() as AuthMechanism);
      if (!caps || caps.has('USER')) offered.add('USER');
      if (apopTimestamp) offered.add('APOP');
      const ctx = { offered, apopTimestamp, encrypted, allowInsecureAuth: options.allowInsecureAuth ?? false };
      const allowed = mechanismsToTry(options.credentials, ctx);
      const mechanism = await authenticate(conn, options.credentials, ctx, mechanisms ? allowed.filter((m) => mechanisms.includes(m)) : allowed);
      if (caps) caps = await readCapabilities(conn); // capabilities may change after login (RFC 2449 5)
      if (caps?.has('PIPELINING')) conn.window = Math.max(1, options.pipelineWindow ?? 32);
      return new Pop3Client(conn, caps, greeting, mechanism, encrypted);
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  has(capability: string): boolean {
    return this.capabilities?.has(capability.toUpperCase()) ?? false;
  }

  get pipelining(): boolean {
    return this.has('PIPELINING');
  }

  async stat(): Promise<{ count: number; size: number }> {
    const text = await this.conn.send({ line: 'STAT' });
    const m = /^(\d+)\s+(\d+)/.exec(text);
    if (!m) throw malformed('STAT', text);
    return { count: Number(m[1]), size: Number(m[2]) };
  }

  async list(): Promise<MessageSize[]> {
    return (await this.listing('LIST')).map((line) => parseSize(line));
  }

  async listOne(msg: number): Promise<MessageSize> {
    return parseSize(await this.conn.send({ line: `LIST ${checkMsg(msg)}` }));
  }

  /**
   * The UIDL listing. Lines that name no message are left out; a UIDL with spaces, control bytes or
   * over RFC 1939's 70 characters is kept as sent (the fetch engine hashes it into a key), so one
   * broken line never makes a whole mailbox unreadable.
   */
  async uidl(): Promise<MessageUid[]> {
    return (await this.listing('UIDL', this.unsupportedUnless('UIDL'))).flatMap((line) => parseUidLine(line) ?? []);
  }

  async uidlOne(msg: number): Promise<MessageUid> {
    return parseUid(await this.conn.send({ line: `UIDL ${checkMsg(msg)}`, errorKind: this.unsupportedUnless('UIDL') }));
  }

  /** Headers plus the first `lines` body lines. */
  async top(msg: number, lines: number): Promise<Buffer> {
    if (!Number.isInteger(lines) || lines < 0) throw new RangeError(`bad line count ${lines}`);
    return this.collect({ line: `TOP ${checkMsg(msg)} ${lines}`, errorKind: this.unsupportedUnless('TOP') }, MAX_HEADER_BYTES);
  }

  /**
   * Streams message `msg` into `sink` (dot-unstuffed, byte-exact). Resolves when the whole
   * message was handed to the sink. Several calls may run at once: they are pipelined.
   */
  retrieve(msg: number, sink: BodySink, maxBytes = Number.MAX_SAFE_INTEGER): Promise<void> {
    return this.conn.send({ line: `RETR ${checkMsg(msg)}`, multiline: true, sink, maxBodyBytes: maxBytes }).then(() => undefined);
  }

  /** The message as a Readable stream, with backpressure: a 25 MB message never sits in memory whole. */
  retrieveStream(msg: number, maxBytes?: number): Readable {
    const stream = new PassThrough({ highWaterMark: 256 * 1024 });
    const sink = { write: (chunk: Buffer) => stream.write(Buffer.from(chunk)), once: (event: 'drain', listener: () => void) => stream.once(event, listener) };
    this.retrieve(msg, sink, maxBytes).then(
      () => stream.end(),
      (err: unknown) => stream.destroy(err as Error),
    );
    return stream;
  }

  /** The whole message in memory; for small messages and tests. */
  async retrieveBuffer(msg: number, maxBytes = MAX_BUFFERED_MESSAGE_BYTES): Promise<Buffer> {
    return this.collect({ line: `RETR ${checkMsg(msg)}` }, maxBytes); // async: a bad number rejects, as every command does
  }

  async dele(msg: number): Promise<void> {
    await this.conn.send({ line: `DELE ${checkMsg(msg)}` });
  }

  async rset(): Promise<void> {
    await this.conn.send({ line: 'RSET' });
  }

  async noop(): Promise<void> {
    await this.conn.send({ line: 'NOOP' });
  }

  /** Ends the session; the server applies DELEs only now (UPDATE state). */
  async quit(): Promise<void> {
    try {
      await this.conn.send({ line: 'QUIT' });
    } finally {
      this.conn.destroy();
    }
  }

  /** Drops the connection without QUIT: the server deletes nothing. */
  close(): void {
    this.conn.destroy();
  }

  private unsupportedUnless(capability: string): Pop3Error['kind'] {
    return this.has(capability) ? 'server' : 'unsupported';
  }

  private async listing(command: string, errorKind?: Pop3Error['kind']): Promise<string[]> {
    const body = await this.collect({ line: command, errorKind }, MAX_LISTING_BYTES);
    return splitLines(body);
  }

  private collect(spec: { line: string; errorKind?: Pop3Error['kind'] }, maxBytes: number): Promise<Buffer> {
    return collectBody(this.conn, spec, maxBytes);
  }
}

/** A multi-line response gathered in memory, bounded by `maxBytes`. */
async function collectBody(conn: Pop3Connection, spec: { line: string; errorKind?: Pop3Error['kind'] }, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await conn.send({ ...spec, multiline: true, maxBodyBytes: maxBytes, sink: { write: (c) => void chunks.push(Buffer.from(c)) } });
  return Buffer.concat(chunks);
}

async function readCapabilities(conn: Pop3Connection): Promise<Map<string, string[]> | null> {
  let body: Buffer;
  try {
    body = await collectBody(conn, { line: 'CAPA' }, 64 * 1024);
  } catch (err) {
    if (err instanceof Pop3Error && err.kind === 'server') return null; // an RFC 1939-only server
    throw err;
  }
  const caps = new Map<string, string[]>();
  for (const line of splitLines(body)) {
    const [name, ...args] = line.trim().split(/\s+/);
    if (name) caps.set(name.toUpperCase(), args);
  }
  return caps;
}

function splitLines(body: Buffer): string[] {
  return body
    .toString('latin1')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
}

function parseSize(line: string): MessageSize {
  const m = /^[ \t]*(\d+)[ \t]+(\d+)/.exec(line); // blanks before the number too, as UIDL lines
  if (!m) throw malformed('LIST', line);
  return { msg: Number(m[1]), size: Number(m[2]) };
}

function parseUid(line: string): MessageUid {
  const parsed = parseUidLine(line);
  if (!parsed) throw malformed('UIDL', line);
  return parsed;
}

/** "n uid": RFC 1939 says 1-70 printable characters; broken servers send anything, kept as it is. */
function parseUidLine(line: string): MessageUid | undefined {
  const m = /^[ \t]*(\d{1,15})[ \t]+(.*?)[ \t]*$/s.exec(line);
  return m && m[2].length > 0 ? { msg: Number(m[1]), uid: m[2] } : undefined;
}

function malformed(command: string, line: string): Pop3Error {
  return new Pop3Error('protocol', `The server sent a malformed ${command} answer: "${printable(line, 80)}"`);
}

function checkMsg(msg: number): number {
  if (!Number.isSafeInteger(msg) || msg < 1) throw new RangeError(`bad message number ${msg}`);
  return msg;
}
