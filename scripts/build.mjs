// Builds every bundle with esbuild, copies the tfjs wasm binaries next to the probe process,
// and converts the bundled MNIST digits into media/data (once; skipped when up to date).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { assembleAll } from './assembleWat.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// --only=cli,probeWorker builds just those bundles (handy while other bundles are mid-change).
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (e) => !only || only.includes(e.out);

const nodeCommon = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // tfjs-node is optional (it downloads libtensorflow at install); it is required at run time
  // when present. vscode is provided by the extension host.
  // node-fetch (with whatwg-url and tr46's Unicode tables, ~400 KB) is what tfjs-core's Node
  // platform falls back to where there is no global fetch; Node 20 has one, and InitLens never
  // fetches. Left out, every process parses 400 KB less at start-up.
  external: ['vscode', '@tensorflow/tfjs-node', 'node-fetch'],
  // jsonc-parser's main entry is UMD, whose inner require()s esbuild cannot follow (the bundle
  // would fail at run time with "Cannot find module './impl/format'"); its ES build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
};

const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension' },
  { in: 'src/probe/worker.ts', out: 'probeWorker' },
  // The kernels' worker threads (src/probe/kernels/threads.ts starts it from next to its bundle).
  { in: 'src/probe/kernels/kernelThread.ts', out: 'kernelThread' },
  { in: 'src/cli.ts', out: 'cli' },
  { in: 'bench/bench.ts', out: 'bench' },
  { in: 'bench/editorBench.ts', out: 'editorBench' },
].filter((e) => existsSync(join(root, e.in)) && wanted(e));

const webEntries = [
  { in: 'webview/panel.ts', out: 'panel' },
  { in: 'webview/propagation.ts', out: 'propagation' },
  { in: 'webview/sidebar.ts', out: 'sidebar' },
].filter((e) => existsSync(join(root, e.in)) && wanted(e));

function copyWasm() {
  const from = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const to = join(root, 'dist/wasm');
  mkdirSync(to, { recursive: true });
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    cpSync(join(from, f), join(to, f));
  }
}

function buildData() {
  const script = join(root, 'scripts/buildMnist.mjs');
  if (!existsSync(script)) return;
  const r = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

buildData();
copyWasm();
// The hand-written WebAssembly kernels (src/probe/*.wat) into the TS modules that carry them.
await assembleAll();
const contexts = [];
if (nodeEntries.length) {
  contexts.push(
    await esbuild.context({
      ...nodeCommon,
      entryPoints: nodeEntries,
      outdir: join(root, 'dist'),
    }),
  );
}
if (webEntries.length) {
  contexts.push(
    await esbuild.context({
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
      entryPoints: webEntries,
      outdir: join(root, 'dist/webview'),
      loader: { '.css': 'css', '.ttf': 'file' },
    }),
  );
}
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[initlens] watching for changes');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
