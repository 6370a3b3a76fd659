/**
 * One measured job, in a process of its own so that wall time and peak RSS are the whole
 * process's. argv[2] is the job, argv[3] its JSON arguments; prints one JSON line of results.
 */
import * as net from 'node:net';
import Module from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AccountStore } from '../src/store/accountStore';
import { fetchMail } from '../src/sync/fetch';
import { SearchService, storedMessages } from '../src/search/searchService';
import { Arrivals } from '../src/search/indexer';
import { buildMessageView } from '../src/reader/viewModel';
import { mkdirSync, readFileSync } from 'node:fs';

interface Args {
  port: number;
  user: string;
  password: string;
  storeRoot: string;
  count?: number;
  file?: string;
  root?: string;
}

const started = performance.now();
const baselineRss = process.memoryUsage().rss;
const done = (extra: Record<string, unknown>) => {
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ wallMs: performance.now() - started, maxRssMB: usage.maxRSS / 1024, baselineRssMB: baselineRss / 1024 / 1024, ...extra }));
};

const server = (a: Args) => ({
  host: '127.0.0.1',
  port: a.port,
  security: 'none' as const,
  allowInsecureAuth: true,
  credentials: { user: a.user, password: a.password, mechanism: 'USER' as const },
});

async function ours(a: Args) {
  let commands = 0;
  const result = await fetchMail({ storeRoot: a.storeRoot, server: { ...server(a), trace: (dir) => void (dir === 'send' && commands++) } });
  done({ downloaded: result.downloaded, bytes: result.bytes, commands });
}

/**
 * A fetch with search on, as the product runs it: what the fetch stores is indexed by the search
 * worker (a thread of this process) once the fetch ends, and every few seconds of a long one
 * (src/search/indexer.ts, Arrivals). The worker is running and has
 * opened the account's index, as in a window 5 s after it opened (src/ui/mailSearch.ts); that
 * start is not timed. Timed until the fetch itself is done, and until all of it can be found;
 * then checked.
 */
async function oursSearchable(a: Args) {
  const service = new SearchService(join(__dirname, '..', 'src', 'search', 'searchWorker.js'));
  mkdirSync(a.storeRoot, { recursive: true }); // the account's store, as in a window
  await service.update(a.storeRoot, []);
  await quiet(); // V8 compiles the index's WebAssembly further in the background after its first use
  const warmMs = performance.now() - started;
  // As MailSearch does.
  let indexing = Promise.resolve();
  const arrivals = new Arrivals((files) => (indexing = indexing.then(() => service.add(a.storeRoot, files))));
  const result = await fetchMail({ storeRoot: a.storeRoot, server: server(a), onStored: (files) => arrivals.stored(files) });
  const fetchedMs = performance.now() - started;
  arrivals.fetchEnded();
  await indexing;
  const searchableMs = performance.now() - started;
  const store = await AccountStore.open(a.storeRoot);
  const { added } = await service.update(a.storeRoot, storedMessages(store));
  await store.close();
  await service.dispose();
  if (added !== 0) throw new Error(`${added} messages were left for the update after the fetch`);
  done({ downloaded: result.downloaded, warmMs, fetchedMs, searchableMs });
}

/** Until this process has used under 10 % of a CPU for 100 ms (at most 5 s). */
async function quiet(): Promise<void> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1000 < 10 || performance.now() > deadline) return;
  }
}

/** The ceiling: log in, pipeline every RETR, count terminators; store nothing. */
async function bare(a: Args) {
  const count = a.count!;
  const socket = net.connect(a.port, '127.0.0.1');
  let bytes = 0;
  let seen = 0;
  let tail = '';
  let phase = 0;
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (phase < 3) {
        // greeting, USER, PASS: one line each
        const text = chunk.toString('latin1');
        phase += (text.match(/\r\n/g) ?? []).length;
        if (phase === 1) socket.write(`USER ${a.user}\r\n`);
        else if (phase === 2) socket.write(`PASS ${a.password}\r\n`);
        if (phase === 3) {
          let all = '';
          for (let i = 1; i <= count; i++) all += `RETR ${i}\r\n`;
          socket.write(all);
        }
        return;
      }
      const text = tail + chunk.toString('latin1', 0, Math.min(chunk.length, chunk.length));
      let from = 0;
      for (;;) {
        const at = text.indexOf('\r\n.\r\n', from);
        if (at === -1) break;
        seen++;
        from = at + 5;
      }
      tail = text.slice(Math.max(from, text.length - 4));
      if (seen >= count) {
        socket.end('QUIT\r\n');
        resolve();
      }
    });
  });
  done({ downloaded: seen, bytes });
}

async function openIndex(a: Args) {
  const t0 = performance.now();
  const store = await AccountStore.open(a.storeRoot);
  const ms = performance.now() - t0;
  done({ openMs: ms, messages: store.list().length });
}

async function viewModel(a: Args) {
  const raw = readFileSync(a.file!);
  const t0 = performance.now();
  await buildMessageView('bench', raw, false); // includes loading mailparser (cold)
  const cold = performance.now() - t0;
  const runs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await buildMessageView('bench', raw, false);
    runs.push(performance.now() - t);
  }
  runs.sort((x, y) => x - y);
  done({ coldMs: cold, warmMs: runs[5] });
}

/**
 * Module load plus activate() of the shipped bundle. VS Code is not running here: `vscode` is
 * answered by a minimal host object, so this measures our own start-up work only.
 */
async function activation(a: Args) {
  const disposable = { dispose() {} };
  const emitter = () => ({ event: () => disposable, fire() {}, dispose() {} });
  // Whatever else activate() calls (register a provider, listen to an event) gets a no-op that returns one more.
  const anything: unknown = new Proxy(() => anything, { get: (_t, key) => (key === 'then' || typeof key === 'symbol' ? undefined : key === 'dispose' ? () => undefined : anything) });
  const orAnything = <T extends object>(target: T): T => new Proxy(target, { get: (t, key) => (key in t ? t[key as keyof T] : anything) });
  const host = new Proxy(
    {
      EventEmitter: function () {
        return emitter();
      },
      Uri: { file: (p: string) => ({ fsPath: p }), joinPath: () => ({}) },
      workspace: orAnything({ getConfiguration: () => ({ inspect: () => ({}), get: (_: string, d: unknown) => d }), onDidChangeConfiguration: () => disposable, onDidGrantWorkspaceTrust: () => disposable, isTrusted: true, registerTextDocumentContentProvider: () => disposable }),
      window: orAnything({
        createOutputChannel: () => ({ info() {}, warn() {}, trace() {}, error() {}, dispose() {} }),
        createTreeView: () => ({ onDidChangeSelection: () => disposable, dispose() {} }),
        createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
        showWarningMessage: async () => undefined,
      }),
      commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
      languages: orAnything({}),
      env: orAnything({}),
      Disposable: { from: () => disposable },
      ...Object.fromEntries(['FileSystemError', 'ProgressLocation', 'DiagnosticSeverity', 'ViewColumn', 'TreeItemCollapsibleState', 'QuickInputButtons', 'ConfigurationTarget', 'FileType', 'FileChangeType', 'CompletionItemKind'].map((name) => [name, orAnything({})])),
      StatusBarAlignment: { Left: 1 },
    },
    { get: (target, key) => (key in target ? target[key as keyof typeof target] : {}) },
  );
  const resolve = (Module as unknown as { _resolveFilename: (r: string, ...rest: unknown[]) => string })._resolveFilename;
  (Module as unknown as { _resolveFilename: unknown })._resolveFilename = (request: string, ...rest: unknown[]) => (request === 'vscode' ? 'vscode' : resolve(request, ...rest));
  require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: host } as unknown as NodeJS.Module;
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const extension = require(join(a.root!, 'dist', 'extension.js')) as { activate(ctx: unknown): unknown };
  const loaded = performance.now();
  extension.activate({ subscriptions: [], storageUri: { fsPath: a.storeRoot }, globalStorageUri: { fsPath: a.storeRoot }, secrets: {}, extensionUri: {} });
  const activated = performance.now();
  done({ loadMs: loaded - t0, activateMs: activated - loaded, totalMs: activated - t0 });
}

const jobs: Record<string, (a: Args) => Promise<void>> = { ours, oursSearchable, bare, index: openIndex, view: viewModel, activation };
jobs[process.argv[2]](JSON.parse(process.argv[3]) as Args).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
