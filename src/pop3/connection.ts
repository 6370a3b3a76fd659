/**
 * One POP3 command channel over a socket: writes commands, matches responses in order, keeps a
 * bounded window of commands in flight (pipelining, RFC 2449) and applies the robustness rules:
 * a response timeout that counts only while we wait on the server, cancellation, and a single
 * clean teardown on every error path (all waiting commands fail with the same typed error).
 */
import type * as net from 'node:net';
import { Pop3Error, serverError } from './errors';
import { ResponseParser, type ResponseHandler, type StatusKind } from './responseParser';
import { describeSocketError } from './transport';

export type TraceDirection = 'send' | 'receive' | 'info';
export type TraceHook = (direction: TraceDirection, line: string) => void;

/**
 * Where body bytes go. `write` returning false pauses the socket until 'drain'. A chunk is valid
 * only during the call (the socket may reuse its buffer): a sink that keeps bytes copies them.
 */
export interface BodySink {
  write(chunk: Buffer): boolean | void;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  responseTimeoutMs: number;
  /**
   * Slowest transfer accepted while an answer is awaited, in bytes per second over each window of
   * `rateWindowMs`: a server that trickles one line a second for ever fails within a window,
   * where the silence timeout (reset by every byte) would never fire. 0 = no minimum.
   */
  minBytesPerSecond?: number;
  rateWindowMs?: number;
  maxLineLength: number;
  signal?: AbortSignal;
  trace?: TraceHook;
}

export interface CommandSpec {
  /** The command as sent, without CRLF. */
  line: string;
  /** What the trace shows instead of `line` (for secrets). */
  traced?: string;
  multiline?: boolean;
  sink?: BodySink;
  /**
   * Upper bound on body bytes. Past it the rest of the body is read and thrown away (up to as much
   * again or DISCARD_BYTES, after which the connection is dropped) and the command fails alone with an 'oversized'
   * error, so one lying message does not end the session.
   */
  maxBodyBytes?: number;
  /** Answers a SASL "+ challenge" with the next client line; the returned line is never traced. */
  onContinue?: (challenge: string) => string;
  /** Error kind for an -ERR without a response code (e.g. 'auth' for PASS). */
  errorKind?: Pop3Error['kind'];
}

/** How much of an overlong answer is read and dropped to keep the session (a fraction of a second locally). */
const DISCARD_BYTES = 64 * 1024 * 1024;

interface Queued {
  spec: CommandSpec;
  handler: ResponseHandler & { onFail(err: Error): void };
}

export class Pop3Connection {
  private socket: net.Socket;
  private readonly parser: ResponseParser;
  private readonly waiting: Queued[] = []; // not yet written (window full)
  private inFlight = 0;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private flushQueued = false;
  private rateTimer: NodeJS.Timeout | undefined;
  private bytesThisWindow = 0;
  /** Whether the whole window so far was spent waiting on the server (not paused, not idle). */
  private windowAwaited = false;
  /** How many commands may be written before their answers arrive (1 = lock-step). */
  window = 1;

  constructor(
    socket: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.parser = new ResponseParser(options.maxLineLength);
    this.socket = socket;
    this.attach(socket);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.onAbort();
    this.startRateCheck();
  }

  get isOpen(): boolean {
    return !this.failure;
  }

  /** The raw socket, for the TLS upgrade after STLS. Detaches it from this connection. */
  detachSocket(): net.Socket {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    return this.socket;
  }

  /** Continues over a new socket (the TLS one after STLS). */
  attachSocket(socket: net.Socket): void {
    this.socket = socket;
    this.attach(socket);
  }

  /** Waits for the greeting: a response the server sends without a command. */
  greeting(timeoutMs: number): Promise<string> {
    return this.enqueue({ line: '', errorKind: 'server' }, false, timeoutMs);
  }

  /** Sends one command; resolves with the +OK text once the whole response (and body) is in. */
  send(spec: CommandSpec): Promise<string> {
    return this.enqueue(spec, true);
  }

  /** Destroys the connection without QUIT (the server then deletes nothing). */
  destroy(reason?: Error): void {
    this.fail(reason ?? new Pop3Error('cancelled', 'The connection was closed.'));
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  private enqueue(spec: CommandSpec, write: boolean, firstTimeoutMs?: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      let okText = '';
      let bodyBytes = 0;
      const handler: Queued['handler'] = {
        multiline: spec.multiline ?? false,
        onStatus: (kind: StatusKind, text: string) => {
          this.trace('receive', kind === 'continue' ? `+ ${text}` : `${kind === 'ok' ? '+OK' : '-ERR'} ${text}`.trimEnd());
          if (kind === 'continue') {
            if (!spec.onContinue) throw new Pop3Error('protocol', 'The server asked for more input where none was expected.');
            this.writeRaw(spec.onContinue(text), '[client response]');
            return;
          }
          if (kind === 'err') {
            this.completed();
            reject(serverError(text, spec.line ? spec.line.split(' ')[0] : 'the connection', spec.errorKind));
            return;
          }
          okText = text;
          if (!handler.multiline) {
            this.completed();
            resolve(okText);
          }
        },
        onData: (chunk: Buffer) => {
          bodyBytes += chunk.length;
          if (spec.maxBodyBytes !== undefined && bodyBytes > spec.maxBodyBytes) {
            const hardLimit = spec.maxBodyBytes + Math.max(spec.maxBodyBytes, DISCARD_BYTES);
            if (bodyBytes > hardLimit) {
              throw new Pop3Error('protocol', `The server sent more than ${hardLimit} bytes in answer to ${spec.line.split(' ')[0]}.`);
            }
            return true; // read to the end and drop it: the sink has what it may hold
          }
          const sink = spec.sink;
          if (!sink || sink.write(chunk) !== false) return true;
          sink.once?.('drain', () => this.resumeReading());
          return false;
        },
        onEnd: () => {
          this.trace('receive', `[${bodyBytes} bytes]`);
          this.completed();
          if (spec.maxBodyBytes !== undefined && bodyBytes > spec.maxBodyBytes) {
            const what = spec.line.split(' ').slice(0, 2).join(' ');
            reject(new Pop3Error('oversized', `The server sent ${bodyBytes} bytes in answer to ${what}, more than the ${spec.maxBodyBytes} its listing allows.`));
          } else {
            resolve(okText);
          }
        },
        onFail: reject,
      };
      const queued: Queued = { spec, handler };
      if (!write) {
        this.parser.expect(handler);
        this.inFlight++;
        this.armTimer(firstTimeoutMs);
        return;
      }
      this.waiting.push(queued);
      this.scheduleFlush();
    });
  }

  /** Writes as many waiting commands as the window allows, in one socket write. */
  private flush(): void {
    if (this.failure || this.waiting.length === 0 || this.inFlight >= this.window) return;
    const lines: string[] = [];
    while (this.waiting.length > 0 && this.inFlight < this.window) {
      const { spec, handler } = this.waiting.shift()!;
      this.parser.expect(handler);
      this.inFlight++;
      lines.push(`${spec.line}\r\n`);
      this.trace('send', spec.traced ?? spec.line);
    }
    // UTF-8: a user name or password beyond ASCII goes out as the server most likely stored it
    // (Dovecot and web sign-ups keep UTF-8); every other command is ASCII either way.
    this.socket.write(lines.join(''), 'utf8');
    this.armTimer();
  }

  private writeRaw(line: string, traced: string): void {
    this.trace('send', traced);
    this.socket.write(`${line}\r\n`, 'utf8');
  }

  private completed(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.disarmTimer();
    this.scheduleFlush();
  }

  /**
   * One socket write for all the commands whose turn comes in this tick: those a caller issued
   * together (a batch of RETRs) and those released while one chunk was parsed (a 64 KB chunk ends
   * several small messages), not one write, and one packet, per command.
   */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.failure) return;
    this.timer?.refresh();
    this.bytesThisWindow += chunk.length;
    try {
      this.parser.feed(chunk);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (this.parser.wantsPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
      this.disarmTimer(); // waiting on our consumer, not on the server
    }
  };

  private resumeReading(): void {
    if (!this.paused || this.failure) return;
    this.paused = false;
    this.parser.wantsPause = false;
    this.socket.resume();
    if (this.inFlight > 0) this.armTimer();
  }

  private readonly onError = (err: NodeJS.ErrnoException): void => {
    this.fail(describeSocketError(err, this.options.host, this.options.port));
  };

  private readonly onClose = (): void => {
    this.fail(new Pop3Error('connection', `The server at ${this.options.host}:${this.options.port} closed the connection.`));
  };

  private readonly onAbort = (): void => {
    this.fail(new Pop3Error('cancelled', 'Cancelled.'));
  };

  /** Arms the response timer (no-op while paused: then we wait on our consumer, not the server). */
  private armTimer(ms = this.options.responseTimeoutMs): void {
    if (this.paused || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fail(new Pop3Error('timeout', `The server did not answer within ${Math.round(ms / 1000)} s.`));
    }, ms);
  }

  private disarmTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.windowAwaited = false; // a window counts only if we waited on the server all through it
  }

  /** Checks the transfer rate once per window, counting only windows spent waiting on the server. */
  private startRateCheck(): void {
    const rate = this.options.minBytesPerSecond ?? 0;
    const windowMs = this.options.rateWindowMs ?? 60_000;
    if (rate <= 0 || this.rateTimer) return;
    this.rateTimer = setInterval(() => {
      const awaited = this.windowAwaited && this.timer !== undefined && !this.paused;
      const bytes = this.bytesThisWindow;
      this.bytesThisWindow = 0;
      this.windowAwaited = this.timer !== undefined && !this.paused;
      if (awaited && bytes < (rate * windowMs) / 1000) {
        this.fail(
          new Pop3Error(
            'timeout',
            `The server sent only ${bytes} bytes in ${Math.round(windowMs / 1000)} s, slower than the ${rate} bytes/s a fetch needs; it is stalling or the link is too slow.`,
          ),
        );
      }
    }, windowMs);
    this.rateTimer.unref();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.disarmTimer();
    clearInterval(this.rateTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.trace('info', `connection closed: ${err.message}`);
    this.socket.destroy();
    const pending = [...this.parser.drain(), ...this.waiting.splice(0).map((q) => q.handler)];
    for (const handler of pending) (handler as Queued['handler']).onFail(err);
  }

  private trace(direction: TraceDirection, line: string): void {
    this.options.trace?.(direction, line);
  }
}
