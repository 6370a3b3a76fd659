/**
 * Two windows on one store: each window that changes a store (a fetch, flags, Trash) rewrites a
 * small stamp file in the store's folder naming itself; the others watch for it and read the store
 * again. A window ignores its own stamps, so a refresh never sets off another.
 */
import { watch, type FSWatcher } from 'node:fs';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { replaceWhole } from './fsutil';

const STAMP = 'changed';

/** Says that `writer` changed the store at `root`. */
export async function stampChange(root: string, writer: string): Promise<void> {
  await replaceWhole(join(root, STAMP), `${writer} ${Date.now()}\n`);
}

/**
 * Calls `onChange` (at most once per `quietMs`) when another writer stamps the store at `root`.
 * Returns undefined when the folder cannot be watched (it does not exist yet).
 */
export function watchChanges(root: string, writer: string, onChange: () => void, quietMs = 200): { close(): void } | undefined {
  let watcher: FSWatcher;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = async () => {
    timer = undefined;
    const text = await fs.readFile(join(root, STAMP), 'utf8').catch(() => '');
    if (text && !text.startsWith(`${writer} `)) onChange();
  };
  try {
    watcher = watch(root, (_event, name) => {
      if (name === STAMP && !timer) timer = setTimeout(() => void check(), quietMs);
    });
  } catch {
    return undefined;
  }
  watcher.on('error', () => watcher.close());
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
