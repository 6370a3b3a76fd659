/**
 * Byte-level POP3 response parser. Fed raw socket chunks; splits them into status lines and
 * multi-line bodies, undoes dot-stuffing and finds the terminating "CRLF.CRLF" — all on Buffers,
 * so message bytes are never decoded on the way (8-bit mail comes out as the server holds it).
 *
 * Body data is handed out as zero-copy views of the socket's chunks, valid during the call only
 * (the socket may reuse its buffer); what the parser itself keeps across chunks, it copies. A
 * response handler may ask for a pause (its consumer is slower than the network); the parser
 * keeps parsing the chunk in hand and the connection stops reading the socket until the
 * consumer catches up.
 */
import { Pop3Error, printable } from './errors';

export type StatusKind = 'ok' | 'err' | 'continue';

export interface ResponseHandler {
  /** Whether a +OK answer is followed by a multi-line body. */
  readonly multiline: boolean;
  /** Called once with the status line (CRLF removed). */
  onStatus(kind: StatusKind, text: string): void;
  /** Body bytes, dot-unstuffed. Return false to ask the connection to stop reading for now. */
  onData?(chunk: Buffer): boolean;
  /** The body's terminator was read. */
  onEnd?(): void;
}

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const LF_DOT = Buffer.from('\n.');

/** Where the body scanner stands relative to a line start. */
const enum BodyState {
  MidLine,
  LineStart,
  LineStartDot, // read "." at a line start
  LineStartDotCr, // read ".\r" at a line start
}

export class ResponseParser {
  private readonly queue: ResponseHandler[] = [];
  private inBody = false;
  private bodyState = BodyState.LineStart;
  private partialLine: Buffer[] = [];
  private partialLength = 0;
  /** Set while a handler's onData returned false; cleared by the connection when it resumes. */
  wantsPause = false;

  constructor(private readonly maxLineLength: number) {}

  /** Registers the handler for the next response the server will send (FIFO, as pipelined). */
  expect(handler: ResponseHandler): void {
    this.queue.push(handler);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Handlers still waiting; the connection fails them when the link dies. */
  drain(): ResponseHandler[] {
    return this.queue.splice(0);
  }

  /** Consumes one socket chunk. Throws Pop3Error('protocol') on a broken stream. */
  feed(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      pos = this.inBody ? this.feedBody(chunk, pos) : this.feedStatus(chunk, pos);
    }
  }

  private feedStatus(chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const end = lf === -1 ? chunk.length : lf;
    if (this.partialLength + (end - pos) > this.maxLineLength) {
      throw new Pop3Error('protocol', `The server sent a line longer than ${this.maxLineLength} bytes; this is not a POP3 server or it is broken.`);
    }
    if (lf === -1) {
      this.partialLine.push(Buffer.from(chunk.subarray(pos)));
      this.partialLength += chunk.length - pos;
      return chunk.length;
    }
    let line = chunk.subarray(pos, lf);
    if (this.partialLength > 0) {
      line = Buffer.concat([...this.partialLine, line]);
      this.partialLine = [];
      this.partialLength = 0;
    }
    this.onStatusLine(line);
    return lf + 1;
  }

  private onStatusLine(raw: Buffer): void {
    const text = raw.toString('latin1').replace(/\r$/, '');
    const handler = this.queue[0];
    if (!handler) throw new Pop3Error('protocol', `The server sent an unexpected line: "${printable(text, 80)}"`);
    let kind: StatusKind;
    let rest: string;
    if (text.startsWith('+OK')) {
      kind = 'ok';
      rest = text.slice(3).trimStart();
    } else if (text.startsWith('-ERR')) {
      kind = 'err';
      rest = text.slice(4).trimStart();
    } else if (text === '+' || text.startsWith('+ ')) {
      kind = 'continue';
      rest = text.slice(2);
    } else {
      throw new Pop3Error('protocol', `The server sent something that is not a POP3 response: "${printable(text, 80)}"`);
    }
    if (kind === 'ok' && handler.multiline) {
      this.inBody = true;
      this.bodyState = BodyState.LineStart;
    } else if (kind !== 'continue') {
      this.queue.shift();
    }
    handler.onStatus(kind, rest);
  }

  /**
   * Scans a body from `pos`, emitting data up to the terminator. Lines end in LF (CRLF in
   * practice); only a "." at a line start matters: ".\r\n" (or ".\n") ends the body, any other
   * leading dot is stuffing and is dropped (RFC 1939 section 3).
   */
  private feedBody(chunk: Buffer, pos: number): number {
    const handler = this.queue[0];
    const emit = (from: number, to: number) => {
      if (to > from && handler.onData && handler.onData(chunk.subarray(from, to)) === false) this.wantsPause = true;
    };
    while (pos < chunk.length) {
      switch (this.bodyState) {
        case BodyState.MidLine: {
          const hit = chunk.indexOf(LF_DOT, pos);
          if (hit === -1) {
            emit(pos, chunk.length);
            this.bodyState = chunk[chunk.length - 1] === LF ? BodyState.LineStart : BodyState.MidLine;
            return chunk.length;
          }
          emit(pos, hit + 1);
          pos = hit + 1;
          this.bodyState = BodyState.LineStart;
          break;
        }
        case BodyState.LineStart:
          if (chunk[pos] === DOT) {
            this.bodyState = BodyState.LineStartDot;
            pos++;
          } else {
            this.bodyState = BodyState.MidLine;
          }
          break;
        case BodyState.LineStartDot:
          if (chunk[pos] === CR) {
            this.bodyState = BodyState.LineStartDotCr;
            pos++;
          } else if (chunk[pos] === LF) {
            return this.endBody(handler, pos + 1);
          } else {
            this.bodyState = BodyState.MidLine; // a stuffed dot: dropped
          }
          break;
        case BodyState.LineStartDotCr:
          if (chunk[pos] === LF) return this.endBody(handler, pos + 1);
          // ".\r" then not LF: the dot was stuffing; the CR is data.
          handler.onData?.(Buffer.from([CR]));
          this.bodyState = BodyState.MidLine;
          break;
      }
    }
    return pos;
  }

  private endBody(handler: ResponseHandler, pos: number): number {
    this.inBody = false;
    this.queue.shift();
    handler.onEnd?.();
    return pos;
  }
}
