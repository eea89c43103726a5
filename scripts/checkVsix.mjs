// After `vsce package`: the .vsix must hold the wasm binaries and the bundled data, and nothing
// it doesn't need (sources, tests, node_modules, maps). Exits non-zero with one line per problem.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { unzipSync } from 'fflate';

const vsix = readdirSync('.').filter((f) => f.endsWith('.vsix')).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (!vsix) {
  console.error('checkVsix: no .vsix found; run vsce package first');
  process.exit(1);
}
const entries = Object.keys(unzipSync(readFileSync(vsix)));
const inExt = entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length));
const required = [
  'package.json',
  'dist/extension.js',
  'dist/probeWorker.js',
  'dist/kernelThread.js',
  'dist/wasm/tfjs-backend-wasm.wasm',
  'dist/wasm/tfjs-backend-wasm-simd.wasm',
  'media/data/mnist-10k.bin.gz',
  'media/notes/he.md',
  'media/icons/initlens.svg',
  'python/initlens_probe/__main__.py',
];
const problems = [];
for (const f of required) if (!inExt.includes(f)) problems.push(`missing ${f}`);
for (const f of inExt) {
  if (/^(src|test|scripts|bench|node_modules|scratch|\.vscode-test|test-results)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts')) {
    problems.push(`should not ship ${f}`);
  }
}
const size = statSync(vsix).size;
if (problems.length) {
  for (const p of problems) console.error(`checkVsix: ${p}`);
  process.exit(1);
}
console.log(`checkVsix: ${vsix} ok — ${inExt.length} files, ${(size / 2 ** 20).toFixed(1)} MiB`);
