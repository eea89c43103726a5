/**
 * The data InitLens ships: media/data/mnist-10k.bin.gz, written by scripts/buildMnist.mjs
 * (which documents the layout; keep the two in step).
 */
import { DataError } from './dataError';
import { checkImageShape, checkLabels, digitSet } from './digitSet';
import { gunzipBounded, gunzipHead, readFileBounded, readFileHead } from './fileBytes';
import { formatBytes, formatCount } from './format';
import type { LoadedData } from './types';

export const BUNDLED_MAGIC = 'ILMN';
export const BUNDLED_VERSION = 1;
export const BUNDLED_HEADER_BYTES = 24;

export interface BundledHeader {
  trainCount: number;
  testCount: number;
  rows: number;
  cols: number;
}

/** Validates the fixed 24-byte header; `bytes` may be the whole payload or just its start. */
export function parseBundledHeader(file: string, bytes: Uint8Array): BundledHeader {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length >= 4 && magic !== BUNDLED_MAGIC) {
    throw new DataError(file, 'bad-magic', `not an InitLens data file (starts with ${JSON.stringify(magic)}, expected "${BUNDLED_MAGIC}")`);
  }
  if (bytes.length < BUNDLED_HEADER_BYTES) {
    throw new DataError(file, 'truncated', `header needs ${BUNDLED_HEADER_BYTES} bytes, the data holds ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, BUNDLED_HEADER_BYTES);
  const version = view.getUint32(4, true);
  if (version !== BUNDLED_VERSION) {
    throw new DataError(file, 'bad-magic', `format version ${version}; this InitLens reads version ${BUNDLED_VERSION} (rebuild with npm run build)`);
  }
  const header = {
    trainCount: view.getUint32(8, true),
    testCount: view.getUint32(12, true),
    rows: view.getUint32(16, true),
    cols: view.getUint32(20, true),
  };
  checkImageShape(file, header.trainCount, header.rows, header.cols);
  checkImageShape(file, header.testCount, header.rows, header.cols);
  return header;
}

export function parseBundled(file: string, bytes: Uint8Array): Pick<LoadedData, 'train' | 'test'> {
  const { trainCount, testCount, rows, cols } = parseBundledHeader(file, bytes);
  const pixels = rows * cols;
  const total = trainCount + testCount;
  const expected = BUNDLED_HEADER_BYTES + total + total * pixels;
  if (bytes.length < expected) {
    throw new DataError(
      file,
      'truncated',
      `header promises ${formatCount(total)} digits of ${rows}×${cols} (${formatBytes(expected)}), the data holds ${formatBytes(bytes.length)}`,
    );
  }
  if (bytes.length > expected) {
    throw new DataError(file, 'corrupt', `${formatCount(bytes.length - expected)} unexpected bytes after the last image`);
  }
  let at = BUNDLED_HEADER_BYTES;
  // Views, not copies: the decompressed buffer is this data's alone.
  const take = (n: number): Uint8Array => bytes.subarray(at, (at += n));
  const trainLabels = take(trainCount);
  const testLabels = take(testCount);
  const trainImages = take(trainCount * pixels);
  const testImages = take(testCount * pixels);
  checkLabels(file, trainLabels);
  checkLabels(file, testLabels);
  return {
    train: digitSet(trainImages, trainLabels, rows, cols),
    test: digitSet(testImages, testLabels, rows, cols),
  };
}

export function bundledDescription(trainCount: number, testCount: number): string {
  const total = formatCount(trainCount + testCount);
  return `bundled MNIST sample (${total} real digits: ${formatCount(trainCount)} train / ${formatCount(testCount)} held out)`;
}

function notBuilt(file: string, e: unknown): unknown {
  if (e instanceof DataError && e.code === 'not-found') {
    return new DataError(file, 'not-found', 'bundled data file is missing; run `npm run build` to create it');
  }
  return e;
}

export function loadBundled(file: string): LoadedData {
  let gz: Uint8Array;
  try {
    gz = readFileBounded(file);
  } catch (e) {
    throw notBuilt(file, e);
  }
  const { train, test } = parseBundled(file, gunzipBounded(file, gz));
  return { source: 'bundled', kind: 'bundled', description: bundledDescription(train.count, test.count), train, test };
}

/** Header only: decompresses the first few KiB, not the 8 MiB of pixels. */
export function peekBundled(file: string): BundledHeader {
  let head: Uint8Array;
  try {
    head = readFileHead(file, 4096);
  } catch (e) {
    throw notBuilt(file, e);
  }
  return parseBundledHeader(file, gunzipHead(file, head, BUNDLED_HEADER_BYTES));
}
