/** What package.json promises users is there: walkthrough pages and the commands and keys they name. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string }>;
    keybindings: Array<{ command: string; key: string }>;
    walkthroughs: Array<{ steps: Array<{ id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }> }>;
  };
};
const commands = new Set(manifest.contributes.commands.map((c) => c.command));

describe('the Getting Started walkthrough', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;

  test('covers adding an account, fetching, reading, the keys and where mail is kept', () => {
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['addAccount', 'fetch', 'read', 'keys', 'storage']);
  });

  test('every page exists and ships in the package, and every command it names is contributed', () => {
    const shipped = readFileSync(join(ROOT, '.vscodeignore'), 'utf8');
    assert.match(shipped, /^!media\/walkthrough\/\*\.md$/m);
    for (const step of walkthrough.steps) {
      assert.ok(step.media.markdown && existsSync(join(ROOT, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
      const named = [...step.description.matchAll(/command:([\w.]+)/g), ...(step.completionEvents ?? []).map((e) => /^onCommand:([\w.]+)$/.exec(e))].map((m) => m![1]);
      for (const command of named) assert.ok(commands.has(command), `${step.id} names ${command}, which is not contributed`);
    }
  });

  test('the keys page tells only keys that are bound', () => {
    const keys = readFileSync(join(ROOT, 'media', 'walkthrough', 'keys.md'), 'utf8');
    const bound = new Set(manifest.contributes.keybindings.map((k) => k.key));
    if (keys.includes('Alt+↓')) assert.ok(bound.has('alt+down'));
    if (keys.includes('Delete')) assert.ok(bound.has('delete'));
  });
});
