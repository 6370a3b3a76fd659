/** Helpers that check a store against what a server held: exactly once, byte for byte. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFileName } from '../../src/store/maildir';

/** Every message file visible in new/ and cur/, with its parsed name. */
export function storedFiles(storeRoot: string): Array<{ uidl?: string; data: Buffer; size: number; partialOf?: number }> {
  const maildir = join(storeRoot, 'Maildir');
  return (['new', 'cur'] as const).flatMap((dir) => {
    let names: string[];
    try {
      names = readdirSync(join(maildir, dir));
    } catch {
      return []; // no store yet
    }
    return names.map((name) => {
      const parsed = parseFileName(name, dir);
      assert.ok(parsed, `unparseable name ${name}`);
      return { uidl: parsed.uidl, size: parsed.size, partialOf: parsed.partialOf, data: readFileSync(join(maildir, dir, name)) };
    });
  });
}

/** Asserts that no file is half-written: each file's bytes are exactly the server message of its UIDL. */
export function assertNoPartialFiles(storeRoot: string, original: Map<string, Buffer>): void {
  for (const f of storedFiles(storeRoot)) {
    assert.equal(f.data.length, f.size, 'S= matches the file');
    if (f.partialOf === undefined) assert.deepEqual(f.data, original.get(f.uidl!), `content of ${f.uidl}`);
  }
}

/** Asserts each UIDL in `expected` is stored exactly once, byte-identical, and nothing else is. */
export function assertStoredExactlyOnce(storeRoot: string, expected: Map<string, Buffer>): void {
  const files = storedFiles(storeRoot);
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.uidl!, (counts.get(f.uidl!) ?? 0) + 1);
  for (const [uidl, n] of counts) assert.equal(n, 1, `${uidl} stored ${n} times`);
  assert.deepEqual([...counts.keys()].sort(), [...expected.keys()].sort());
  for (const f of files) assert.deepEqual(f.data, expected.get(f.uidl!), `content of ${f.uidl}`);
}

/** Deterministic pseudo-random numbers (so a failing trial can be replayed from its seed). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A message with tricky bytes: dot lines, 8-bit, sometimes empty. */
export function randomMessage(random: () => number, n: number): Buffer {
  if (random() < 0.05) return Buffer.alloc(0);
  const lines = [`From: sender${n}@example.org`, `Subject: message ${n} =?utf-8?q?caf=C3=A9?=`, `Message-ID: <${n}.${Math.floor(random() * 1e9)}@example.org>`, ''];
  const count = Math.floor(random() * 200);
  for (let i = 0; i < count; i++) {
    const r = random();
    lines.push(r < 0.1 ? '.' : r < 0.2 ? `.dot ${i}` : r < 0.3 ? '\xe9t\xe9 \xff' : `line ${i} ${'x'.repeat(Math.floor(random() * 120))}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
}
