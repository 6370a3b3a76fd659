/** Durable file-system steps shared by the store: atomic replace and directory fsync. */
import { isAscii } from 'node:buffer';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Makes renames and creations in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a new file (mode 600) and flushes it to the disk; `flag` 'wx' refuses an existing one. */
export async function writeSynced(path: string, data: string | Buffer, flag: 'w' | 'wx' = 'w'): Promise<void> {
  const handle = await fs.open(path, flag, 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` with `data` so that a crash leaves either the old or the new file, never a mix. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  await writeSynced(temp, data);
  await fs.rename(temp, path);
  await fsyncDir(dirname(path));
}

/**
 * Replaces a small file whole, unflushed: a reader in another window sees the old text or the new, never
 * half of it; a crash may lose it (for stamps, whose loss costs only an early refresh or check).
 */
export async function replaceWhole(path: string, data: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}`);
  await fs.writeFile(temp, data);
  await fs.rename(temp, path);
}

/** Reads and parses a JSON file; undefined when it is missing or unreadable (the caller rebuilds). */
export async function readJson<T>(path: string): Promise<T | undefined> {
  return parseJson<T>(await readJsonText(path));
}

/** A JSON file's text; undefined when it is missing or unreadable. */
export async function readJsonText(path: string): Promise<string | undefined> {
  try {
    const bytes = await fs.readFile(path);
    // ASCII (as asciiJson writes) read as Latin-1: no UTF-8 decoding, and a string of one byte per
    // character, half the memory a single character beyond it makes V8 spend on the whole text.
    return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch {
    return undefined;
  }
}

/** The first bytes of a file, as Latin-1 text; '' when it is missing or unreadable. */
export async function readStart(path: string, bytes: number): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, 'r');
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.toString('latin1', 0, bytesRead);
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** The value of a JSON text; undefined when there is none or it is not JSON. */
export function parseJson<T>(text: string | undefined): T | undefined {
  try {
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/** JSON in ASCII alone, every other character escaped (\u00fc): readJson reads it the cheap way. */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
