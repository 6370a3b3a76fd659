/**
 * A socket the test plays by hand for one Pop3Connection: it records what the connection writes,
 * and `serve` (or an `answer` hook, called for each line written) plays the server's bytes.
 */
import { EventEmitter } from 'node:events';
import type * as net from 'node:net';
import { Pop3Connection, type BodySink, type ConnectionOptions } from '../../src/pop3/connection';

/** Lets queued microtasks run: commands issued in one tick are written together at its end. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What a scripted server does with one line (empty lines included): nothing (the test serves by
 * hand), answer it, hang up, or several of those at once ("-ERR no" and then hang up).
 */
export const HANG_UP: unique symbol = Symbol('hang up');
export type Step = string | typeof HANG_UP;
export type Answer = (line: string) => Step | Step[] | undefined;

/** The socket's side the connection uses; `serve` plays the server's bytes. */
export class ScriptedSocket extends EventEmitter {
  readonly writes: string[] = [];
  paused = false;
  destroyed = false;
  constructor(private readonly answer?: Answer) {
    super();
  }
  write(data: string): boolean {
    this.writes.push(data);
    for (const line of data.split('\r\n').slice(0, -1)) {
      const reply = this.answer?.(line);
      if (reply !== undefined) void this.play(Array.isArray(reply) ? reply : [reply]);
    }
    return true;
  }
  private async play(steps: Step[]): Promise<void> {
    await tick();
    for (const step of steps) {
      if (step === HANG_UP) this.emit('close');
      else this.emit('data', Buffer.from(step, 'latin1'));
    }
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  /** As a real socket: 'close' follows a destroy, once, on a later tick. */
  destroy(): this {
    if (!this.destroyed) process.nextTick(() => this.emit('close'));
    this.destroyed = true;
    return this;
  }
  /** Sends the server's bytes once the commands issued so far are written (a server answers only then). */
  async serve(text: string | Buffer): Promise<void> {
    await tick();
    this.emit('data', typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }
  /** Every command line written so far, in order. */
  get lines(): string[] {
    return this.writes.join('').split('\r\n').filter(Boolean);
  }
}

/** A command channel over a scripted socket, its trace kept as "direction line" strings. */
export function scriptedConnection(answer?: Answer, extra: Partial<ConnectionOptions> = {}): { conn: Pop3Connection; socket: ScriptedSocket; trace: string[] } {
  const socket = new ScriptedSocket(answer);
  const trace: string[] = [];
  const conn = new Pop3Connection(socket as unknown as net.Socket, {
    host: 'pop.example.org',
    port: 110,
    responseTimeoutMs: 10_000,
    maxLineLength: 512,
    trace: (direction, line) => trace.push(`${direction} ${line}`),
    ...extra,
  });
  return { conn, socket, trace };
}

/** A sink that keeps what it gets and can hold back (write returns false until `release`). */
export function holdingSink(): BodySink & { bytes: Buffer[]; hold: boolean; release(): void } {
  const drains: (() => void)[] = [];
  const sink = {
    bytes: [] as Buffer[],
    hold: false,
    write(chunk: Buffer) {
      sink.bytes.push(Buffer.from(chunk));
      return !sink.hold;
    },
    once(_event: 'drain', listener: () => void) {
      drains.push(listener);
    },
    release() {
      sink.hold = false;
      for (const listener of drains.splice(0)) listener();
    },
  };
  return sink;
}

/** A promise's outcome as a value, to assert on a rejection's kind and text. */
export const settled = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));
