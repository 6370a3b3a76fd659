/**
 * A test tier that needs a system tool: skipped with the install command when run by hand,
 * a failure under CI=true (CI never skips).
 */
import { existsSync } from 'node:fs';
import { test } from 'node:test';

export const inCI = process.env.CI === 'true';

/** Returns false when `path` exists; otherwise the skip reason (or, under CI, registers a failing test). */
export function needTool(tier: string, path: string, install: string): false | string {
  if (existsSync(path)) return false;
  const reason = `skipped: install ${install} (${path} not found)`;
  if (inCI) {
    test(`${tier}: required tool is present`, () => {
      throw new Error(`${tier} tier cannot run under CI=true: ${reason}`);
    });
  } else {
    console.log(`# ${tier} tier ${reason}`);
  }
  return reason;
}
