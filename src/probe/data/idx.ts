/**
 * Yann LeCun's IDX files, the format MNIST and Fashion-MNIST are distributed in: a folder with
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
 * t10k-labels-idx1-ubyte, each optionally gzipped, with '-idx' or '.idx' before the type.
 * Header: 0x00 0x00 type ndims, then ndims big-endian u32 sizes, then the data.
 */
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from './dataError';
import { checkImageShape, checkLabels, checkSameCount, checkSameShape, digitSet } from './digitSet';
import { gunzipBounded, gunzipHead, isGzip, readFileBounded, readFileHead, regularFileSize, statPath } from './fileBytes';
import { formatBytes, formatCount, formatHex32, splitSummary } from './format';
import type { DigitSet, LoadedData } from './types';

export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
export type IdxRole = keyof typeof IDX_FILES;
export type IdxKind = 'images' | 'labels';

const MAGIC: Record<IdxKind, number> = { images: 0x00000803, labels: 0x00000801 };
const NDIMS: Record<IdxKind, number> = { images: 3, labels: 1 };
const IDX_TYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

export interface IdxHeader {
  count: number;
  /** 1 for labels. */
  rows: number;
  cols: number;
  dataOffset: number;
}

export interface IdxArray extends IdxHeader {
  data: Uint8Array;
}

/** The names a member may go by, most common first. */
export function idxCandidates(name: string): string[] {
  const dotted = name.replace(/-(idx\d)-ubyte$/, '.$1-ubyte');
  return [name, `${name}.gz`, dotted, `${dotted}.gz`];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function locateIdxFiles(folder: string): Record<IdxRole, string> {
  const st = statPath(folder);
  if (!st.isDirectory()) throw new DataError(folder, 'bad-source', 'is not a folder of IDX files');
  const out: Partial<Record<IdxRole, string>> = {};
  for (const role of Object.keys(IDX_FILES) as IdxRole[]) {
    const [name, ...others] = idxCandidates(IDX_FILES[role]);
    const found = [name, ...others].map((n) => join(folder, n)).find(isFile);
    if (found === undefined) {
      throw new DataError(folder, 'not-found', `missing ${name} (also looked for ${others.join(', ')})`);
    }
    out[role] = found;
  }
  return out as Record<IdxRole, string>;
}

export function parseIdxHeader(file: string, bytes: Uint8Array, kind: IdxKind): IdxHeader {
  if (bytes.length < 4) throw new DataError(file, 'truncated', `only ${bytes.length} bytes; an IDX header needs at least 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const ndims = NDIMS[kind];
  if (magic !== MAGIC[kind]) {
    const type = IDX_TYPES[bytes[2]];
    if (bytes[0] === 0 && bytes[1] === 0 && bytes[3] === ndims && type !== undefined) {
      throw new DataError(file, 'bad-dtype', `holds ${type} values; only unsigned bytes (IDX type 0x08) are supported`);
    }
    throw new DataError(file, 'bad-magic', `bad magic number ${formatHex32(magic)}, expected ${formatHex32(MAGIC[kind])} (IDX ${kind})`);
  }
  const dataOffset = 4 + 4 * ndims;
  if (bytes.length < dataOffset) {
    throw new DataError(file, 'truncated', `only ${bytes.length} bytes; the IDX ${kind} header needs ${dataOffset}`);
  }
  const count = view.getUint32(4, false);
  if (kind === 'labels') {
    if (count < 1) throw new DataError(file, 'bad-shape', 'holds no labels');
    return { count, rows: 1, cols: 1, dataOffset };
  }
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  checkImageShape(file, count, rows, cols);
  return { count, rows, cols, dataOffset };
}

export function parseIdx(file: string, bytes: Uint8Array, kind: IdxKind): IdxArray {
  const h = parseIdxHeader(file, bytes, kind);
  // Header values are checked against the real length before anything is allocated.
  const expected = h.dataOffset + h.count * h.rows * h.cols;
  if (bytes.length < expected) {
    const what = kind === 'images' ? `${formatCount(h.count)} images of ${h.rows}×${h.cols}` : `${formatCount(h.count)} labels`;
    throw new DataError(file, 'truncated', `header promises ${what} (${formatBytes(expected)}), the file holds ${formatBytes(bytes.length)}`);
  }
  if (bytes.length > expected) {
    throw new DataError(file, 'corrupt', `${formatCount(bytes.length - expected)} unexpected bytes after the ${kind}`);
  }
  return { ...h, data: bytes.slice(h.dataOffset) };
}

function readIdx(file: string, kind: IdxKind): IdxArray {
  const raw = readFileBounded(file);
  // Decided by content, not name: IDX starts with 00 00, gzip with 1f 8b.
  return parseIdx(file, isGzip(raw) ? gunzipBounded(file, raw) : raw, kind);
}

function split(imagesFile: string, labelsFile: string): DigitSet {
  const images = readIdx(imagesFile, 'images');
  const labels = readIdx(labelsFile, 'labels');
  checkSameCount(
    labelsFile,
    { what: basename(imagesFile), count: images.count },
    { what: basename(labelsFile), count: labels.count },
  );
  checkLabels(labelsFile, labels.data);
  return digitSet(images.data, labels.data, images.rows, images.cols);
}

export function idxDescription(folder: string, trainCount: number, testCount: number, rows: number, cols: number): string {
  return `IDX folder ${basename(folder)} (${splitSummary(trainCount, testCount, rows, cols)})`;
}

export function loadIdx(folder: string): LoadedData {
  const files = locateIdxFiles(folder);
  const train = split(files.trainImages, files.trainLabels);
  const test = split(files.testImages, files.testLabels);
  checkSameShape(files.testImages, train, test);
  return {
    source: folder,
    kind: 'idx',
    description: idxDescription(folder, train.count, test.count, train.rows, train.cols),
    train,
    test,
  };
}

function peekHeader(file: string, kind: IdxKind): IdxHeader {
  const head = readFileHead(file, 4096);
  return parseIdxHeader(file, isGzip(head) ? gunzipHead(file, head, 16) : head, kind);
}

export interface IdxSummary {
  trainCount: number;
  testCount: number;
  rows: number;
  cols: number;
  bytesOnDisk: number;
}

/** Counts and image size from the four headers (a few KiB read per file). */
export function peekIdx(folder: string): IdxSummary {
  const files = locateIdxFiles(folder);
  const trainImages = peekHeader(files.trainImages, 'images');
  const testImages = peekHeader(files.testImages, 'images');
  const labelCount = (role: 'trainLabels' | 'testLabels', images: IdxHeader, imagesFile: string): void =>
    checkSameCount(
      files[role],
      { what: basename(imagesFile), count: images.count },
      { what: basename(files[role]), count: peekHeader(files[role], 'labels').count },
    );
  labelCount('trainLabels', trainImages, files.trainImages);
  labelCount('testLabels', testImages, files.testImages);
  checkSameShape(files.testImages, trainImages, testImages);
  const bytesOnDisk = Object.values(files).reduce((sum, f) => sum + regularFileSize(f), 0);
  return { trainCount: trainImages.count, testCount: testImages.count, rows: trainImages.rows, cols: trainImages.cols, bytesOnDisk };
}
