// Builds the two bundles (extension host, webview) and, with --tests, transpiles src/, test/, bench/
// and webview/ to out/ for Node's test runner. Type checking is `npm run typecheck` (tsc), not esbuild.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const bundles = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['webview/reader/main.ts'], outfile: 'dist/reader.js', platform: 'browser', format: 'iife', target: 'es2022' },
  { ...common, entryPoints: ['webview/list/main.ts'], outfile: 'dist/list.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The search index's thread (src/search/searchService.ts starts it from dist/).
  { ...common, entryPoints: ['src/search/searchWorker.ts'], outfile: 'dist/searchWorker.js', platform: 'node', format: 'cjs', target: 'node20' },
];

function tsFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

if (watch) {
  for (const options of bundles) await (await esbuild.context(options)).watch();
  console.log('watching for changes…');
} else {
  await Promise.all(bundles.map((options) => esbuild.build(options)));
  // VS Code's icon font for the list webview (webviews cannot use the workbench's own).
  mkdirSync('dist/codicons', { recursive: true });
  // Resolved as Node resolves modules: mutation testing builds in a sandbox whose node_modules is a parent's.
  const codicons = dirname(createRequire(import.meta.url).resolve('@vscode/codicons/dist/codicon.css'));
  for (const file of ['codicon.css', 'codicon.ttf']) cpSync(join(codicons, file), join('dist/codicons', file));
  // SQLite's WebAssembly, which the search worker's bundle loads from its own folder.
  cpSync(join(dirname(createRequire(import.meta.url).resolve('node-sqlite3-wasm')), 'node-sqlite3-wasm.wasm'), 'dist/node-sqlite3-wasm.wasm');
  if (args.has('--demo')) {
    await esbuild.build({ ...common, entryPoints: ['src/demo/main.ts'], outfile: 'dist/demo.js', platform: 'node', format: 'cjs', target: 'node20' });
  }
  if (args.has('--tests')) {
    rmSync('out', { recursive: true, force: true });
    await esbuild.build({
      // webview/ too: the unit tier tests the sanitizer's browser-free parts under plain Node.
      entryPoints: [...tsFiles('src'), ...tsFiles('test'), ...tsFiles('bench'), ...tsFiles('webview')],
      outdir: 'out',
      outbase: '.',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'warning',
    });
  }
}
