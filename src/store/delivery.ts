/**
 * One message being written into Maildir/tmp. A POP3 body sink: small messages are gathered
 * and written with one call when complete; a large one goes to the file every SPILL_BYTES as it
 * arrives, so it never sits in memory whole. The message's summary (for the index) is taken
 * from its first bytes when it is complete.
 *
 * Writes are synchronous, in chunks of at most SPILL_BYTES: a write into the page cache takes
 * microseconds, while each asynchronous file call is a round trip through libuv's four-thread
 * pool that cost more than the write itself (1,000 small messages: 150 ms async, 20 ms sync).
 * Only fsync, which waits on the disk, stays asynchronous (see sync()).
 */
import * as fs from 'node:fs';
import type { BodySink } from '../pop3';
import { summarize, type MessageSummary } from '../mime/summary';

/** Gathered bytes above which the delivery writes them to disk. */
const SPILL_BYTES = 256 * 1024;

export class Delivery implements BodySink {
  size = 0;
  private headChunks: Buffer[] = [];
  private headBytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private fd: number | undefined;
  private failed: Error | undefined;
  private summaryOfHead: MessageSummary | undefined;

  constructor(
    readonly tempPath: string,
    readonly id: string,
    readonly uidl: string,
    private readonly headLimit: number,
    readonly partialOf?: number,
  ) {}

  /** The index summary, once finish() has run. */
  get summary(): MessageSummary {
    if (!this.summaryOfHead) throw new Error('The delivery is not finished.');
    return this.summaryOfHead;
  }

  write(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.headBytes < this.headLimit) {
      const take = chunk.subarray(0, this.headLimit - this.headBytes);
      this.headChunks.push(take);
      this.headBytes += take.length;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= SPILL_BYTES) this.spill();
    return true;
  }

  /** All bytes received: writes what is gathered and takes the summary. Not yet durable (see sync). */
  finish(): void {
    this.spill();
    if (this.failed) throw this.failed;
    this.summaryOfHead ??= summarize(Buffer.concat(this.headChunks));
    this.headChunks = []; // the head may pin whole socket buffers: let them go
  }

  /** Makes the file's bytes durable and closes it. */
  async sync(): Promise<void> {
    this.finish();
    const fd = this.open();
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
    this.close();
  }

  /** Gives up: closes and removes the temp file. */
  discard(): void {
    this.close();
    fs.rmSync(this.tempPath, { force: true });
  }

  private open(): number {
    this.fd ??= fs.openSync(this.tempPath, 'wx', 0o600);
    return this.fd;
  }

  private close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  private spill(): void {
    if (this.failed) return;
    const chunks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      const fd = this.open(); // also for an empty message: the file must exist
      writeAll(fd, chunks);
    } catch (err) {
      this.failed = err as Error; // reported by finish(); the connection goes on undisturbed
    }
  }
}

function writeAll(fd: number, chunks: Buffer[]): void {
  let rest = chunks;
  while (rest.length > 0) {
    let written = fs.writevSync(fd, rest);
    // A short write (rare on local files) leaves the remainder to write again.
    const next: Buffer[] = [];
    for (const chunk of rest) {
      if (written >= chunk.length) written -= chunk.length;
      else {
        next.push(chunk.subarray(written));
        written = 0;
      }
    }
    rest = next;
  }
}
