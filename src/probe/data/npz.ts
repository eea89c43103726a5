/**
 * Keras' mnist.npz layout: a zip (numpy savez = stored, savez_compressed = deflate) holding
 * x_train.npy, y_train.npy, x_test.npy, y_test.npy. Any image size up to the limits works,
 * and any dtype numpy users plausibly save (see npyDigits.ts).
 */
import { basename } from 'node:path';
import { DataError } from './dataError';
import { checkSameCount, checkSameShape, digitSet } from './digitSet';
import { readFileBounded } from './fileBytes';
import { splitSummary } from './format';
import { parseNpy, parseNpyHeader } from './npy';
import { imageDims, npyToImages, npyToLabels } from './npyDigits';
import { readZipEntries } from './zipEntries';
import type { DigitSet, LoadedData } from './types';

export const NPZ_MEMBERS = ['x_train.npy', 'y_train.npy', 'x_test.npy', 'y_test.npy'] as const;
type NpzMember = (typeof NPZ_MEMBERS)[number];

/** Enough for any header numpy writes (they are padded to 64 or 128 bytes in practice). */
const HEADER_PEEK_BYTES = 64 * 1024;

function members(file: string, zip: Uint8Array, keepBytes?: number): Record<NpzMember, Uint8Array> {
  const found = readZipEntries(file, zip, NPZ_MEMBERS, { keepBytes });
  const missing = NPZ_MEMBERS.filter((m) => !found.has(m));
  if (missing.length > 0) {
    throw new DataError(file, 'not-found', `no ${missing.join(', ')} inside (an MNIST-style .npz holds ${NPZ_MEMBERS.join(', ')})`);
  }
  return Object.fromEntries(NPZ_MEMBERS.map((m) => [m, found.get(m)])) as Record<NpzMember, Uint8Array>;
}

function split(file: string, m: Record<NpzMember, Uint8Array>, x: 'x_train.npy' | 'x_test.npy', y: 'y_train.npy' | 'y_test.npy'): DigitSet {
  const images = npyToImages(file, x, parseNpy(file, x, m[x]));
  const labels = npyToLabels(file, y, parseNpy(file, y, m[y]));
  checkSameCount(file, { what: x, count: images.count }, { what: y, count: labels.length });
  return digitSet(images.images, labels, images.rows, images.cols);
}

export function npzDescription(file: string, trainCount: number, testCount: number, rows: number, cols: number): string {
  return `${basename(file)} (npz: ${splitSummary(trainCount, testCount, rows, cols)})`;
}

export function loadNpz(file: string): LoadedData {
  const m = members(file, readFileBounded(file));
  const train = split(file, m, 'x_train.npy', 'y_train.npy');
  const test = split(file, m, 'x_test.npy', 'y_test.npy');
  checkSameShape(file, train, test);
  return {
    source: file,
    kind: 'npz',
    description: npzDescription(file, train.count, test.count, train.rows, train.cols),
    train,
    test,
  };
}

export interface NpzSummary {
  trainCount: number;
  testCount: number;
  rows: number;
  cols: number;
}

/** Counts and image size from the four .npy headers; the arrays are inflated but not kept. */
export function peekNpz(file: string): NpzSummary {
  const m = members(file, readFileBounded(file), HEADER_PEEK_BYTES);
  const shapeOf = (member: NpzMember): number[] => parseNpyHeader(file, member, m[member]).shape;
  const [trainCount, rows, cols] = imageDims(file, 'x_train.npy', shapeOf('x_train.npy'));
  const [testCount, testRows, testCols] = imageDims(file, 'x_test.npy', shapeOf('x_test.npy'));
  checkSameShape(file, { rows, cols }, { rows: testRows, cols: testCols });
  checkSameCount(file, { what: 'x_train.npy', count: trainCount }, { what: 'y_train.npy', count: shapeOf('y_train.npy')[0] ?? 0 });
  checkSameCount(file, { what: 'x_test.npy', count: testCount }, { what: 'y_test.npy', count: shapeOf('y_test.npy')[0] ?? 0 });
  return { trainCount, testCount, rows, cols };
}
