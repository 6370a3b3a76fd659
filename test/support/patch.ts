/**
 * Replaces `target[key]` while `run` runs and puts the original back however `run` ends. Module objects
 * (`fs`, `fs.promises`, `process`) are shared, so the code under test meets the replacement: a refusal, a
 * race staged at the right moment, a short write.
 */
export async function withPatched<T extends object, K extends keyof T, R>(target: T, key: K, replace: (original: T[K]) => T[K], run: () => Promise<R>): Promise<R> {
  const original = target[key];
  target[key] = replace(original);
  try {
    return await run();
  } finally {
    target[key] = original;
  }
}
