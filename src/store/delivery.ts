/**
 * One message being written into Maildir/tmp. A POP3 body sink: a small message is gathered
 * (copied: the socket reuses its read buffer) and written with one call when complete; a large
 * one (by its LIST size, or once it outgrows SPILL_BYTES) goes to the file chunk by chunk as it
 * arrives, so it never sits in memory whole. The message's summary (for the index) is taken
 * from its first bytes when it is complete.
 *
 * Writes are synchronous, in chunks of at most SPILL_BYTES: a write into the page cache takes
 * microseconds, while each asynchronous file call is a round trip through libuv's four-thread
 * pool that cost more than the write itself (1,000 small messages: 150 ms async, 20 ms sync).
 * Creating the file is not: it took the main thread 0.2 ms a message (a third of its busy time
 * in a fetch of 1,000 realistic messages), so the file is created on the pool as the delivery
 * starts (when its RETR is sent, well before its bytes come), and fsync, which waits on the
 * disk, runs there too (see sync()). Bytes that come before the file is there wait in copies.
 */
import * as fs from 'node:fs';
import { headerFingerprint } from '../mime/fingerprint';
import { summarize, type MessageSummary } from '../mime/summary';

/** Messages larger than this are streamed to disk instead of gathered. */
const SPILL_BYTES = 256 * 1024;

/** Satisfies the POP3 client's body sink by its shape: the store knows no wire protocol. */
export class Delivery {
  size = 0;
  /** The server's LIST size: the full size for a headers-only copy, else what LIST said. */
  readonly listSize: number | undefined;
  /** Copies of the bytes so far, while the message is small enough to write in one go. */
  private gathered: Buffer[] = [];
  /** Once streaming: copies of the first bytes, for the summary. */
  private headChunks: Buffer[] = [];
  private headBytes = 0;
  private streaming = false;
  private fd: number | undefined;
  /** Settles when the temp file is created, or could not be (finish then says why): never rejects. */
  readonly created: Promise<void>;
  /** Copies of bytes to write once the file is there. */
  private waiting: Buffer[] = [];
  private failed: Error | undefined;
  private finished: Promise<void> | undefined;
  private summaryOfHead: MessageSummary | undefined;
  /** The identifying headers' fingerprint, once finished: vouches for the message before a later DELE. */
  headerHash: string | undefined;

  /** `expectedSize` (from LIST) lets a large message stream from its first byte. */
  constructor(
    readonly tempPath: string,
    readonly id: string,
    readonly uidl: string,
    private readonly headLimit: number,
    readonly partialOf?: number,
    expectedSize = 0,
  ) {
    this.streaming = expectedSize > SPILL_BYTES;
    this.listSize = partialOf ?? (expectedSize > 0 ? expectedSize : undefined);
    this.created = new Promise((resolve) =>
      fs.open(tempPath, 'wx', 0o600, (err, fd) => {
        if (err) this.failed ??= err;
        else {
          this.fd = fd;
          const waiting = this.waiting;
          this.waiting = [];
          this.writeOut(waiting);
        }
        resolve();
      }),
    );
  }

  /** The index summary, once finish() has run. */
  get summary(): MessageSummary {
    if (!this.summaryOfHead) throw new Error('The delivery is not finished.');
    return this.summaryOfHead;
  }

  /** Takes `chunk` (valid during this call only: the socket may reuse its buffer). */
  write(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (!this.streaming && this.size <= SPILL_BYTES) {
      this.gathered.push(Buffer.from(chunk));
      return true;
    }
    if (!this.streaming) {
      // Grew past the gathering limit: what was gathered becomes the head and goes to disk.
      this.streaming = true;
      const gathered = this.gathered;
      this.gathered = [];
      for (const g of gathered) this.keepHead(g);
      this.writeOut(gathered);
    }
    this.keepHead(chunk);
    this.writeOut([chunk]);
    return true;
  }

  /**
   * All bytes received: takes the summary and writes what is gathered once the file is there.
   * Resolves when every byte is in the file (not yet durable: see sync); rejects with the disk's
   * error, if writing failed. Called again, it answers the same.
   */
  finish(): Promise<void> {
    if (this.finished) return this.finished;
    const gathered = this.gathered;
    this.gathered = [];
    // Only the first headLimit bytes are copied out of a gathered message for the summary.
    const head = this.streaming ? Buffer.concat(this.headChunks) : Buffer.concat(gathered, Math.min(this.size, this.headLimit));
    this.headChunks = [];
    this.summaryOfHead = summarize(head);
    this.headerHash = headerFingerprint(head);
    this.finished = this.created.then(() => {
      this.writeOut(gathered);
      if (this.failed) throw this.failed;
    });
    return this.finished;
  }

  /** Makes the file's bytes durable and closes it. */
  async sync(): Promise<void> {
    await this.finish();
    const fd = this.fd!;
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
    this.close();
  }

  /** Gives up: closes and removes the temp file (once it is created, if it is still being made). */
  async discard(): Promise<void> {
    this.failed ??= new Error('The delivery was discarded.'); // nothing more is written
    await this.created;
    this.close();
    fs.rmSync(this.tempPath, { force: true });
  }

  private keepHead(chunk: Buffer): void {
    if (this.headBytes >= this.headLimit) return;
    const take = Buffer.from(chunk.subarray(0, this.headLimit - this.headBytes));
    this.headChunks.push(take);
    this.headBytes += take.length;
  }

  private close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd);
  }

  /** Writes `chunks` (which may be the socket's buffer: valid during this call only), or copies them to write once the file is there. */
  private writeOut(chunks: Buffer[]): void {
    if (this.failed) return;
    if (this.fd === undefined) {
      for (const chunk of chunks) this.waiting.push(Buffer.from(chunk));
      return;
    }
    try {
      writeAll(this.fd, chunks);
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
