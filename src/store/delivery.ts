/**
 * One message being written into Maildir/tmp. A POP3 body sink: small messages are gathered
 * and written with one call; a large one is streamed to the file as it arrives, with
 * backpressure (write() returns false and 'drain' follows), so it never sits in memory whole.
 * The first bytes are kept for the index summary.
 */
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import type { BodySink } from '../pop3';

/** Gathered bytes above which the delivery starts writing to disk. */
const SPILL_BYTES = 256 * 1024;

export class Delivery extends EventEmitter implements BodySink {
  size = 0;
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private handle: fs.FileHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failed: Error | undefined;
  private flushing = false;

  constructor(
    readonly tempPath: string,
    readonly id: string,
    readonly uidl: string,
    private readonly headLimit: number,
    readonly partialOf?: number,
  ) {
    super();
  }

  /** The first bytes of the message (up to the summary limit). */
  get head(): Buffer {
    return Buffer.concat(this.headChunks);
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
    if (this.pendingBytes < SPILL_BYTES) return true;
    this.spill();
    return false; // the connection waits for 'drain'
  }

  /** All bytes received: writes what is gathered. The file is not yet durable (see syncAndClose). */
  async finish(): Promise<void> {
    this.spill();
    await this.writing;
    if (this.failed) throw this.failed;
  }

  async syncAndClose(): Promise<void> {
    await this.finish();
    const handle = await this.open();
    await handle.sync();
    await handle.close();
    this.handle = undefined;
  }

  /** Gives up: closes and removes the temp file. */
  async discard(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await fs.rm(this.tempPath, { force: true });
  }

  private async open(): Promise<fs.FileHandle> {
    this.handle ??= await fs.open(this.tempPath, 'wx', 0o600);
    return this.handle;
  }

  private spill(): void {
    if (this.flushing || this.pendingBytes === 0) return;
    this.flushing = true;
    this.writing = this.writing.then(async () => {
      try {
        const handle = await this.open();
        while (this.pendingBytes > 0) {
          const chunks = this.pending;
          this.pending = [];
          this.pendingBytes = 0;
          await handle.writev(chunks);
        }
      } catch (err) {
        this.failed ??= err as Error;
      } finally {
        this.flushing = false;
        this.emit('drain');
      }
    });
  }
}
