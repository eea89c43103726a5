/**
 * Writers for the data-loader tests: .npy/.npz the way numpy writes them, IDX files, and the
 * bundled format, plus two archives numpy 2.4 itself wrote. Not a test file (no `.test.`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';

export interface Digits {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Deterministic pseudo-digits: every byte value and every label shows up for non-tiny sets. */
export function makeDigits(count: number, rows: number, cols: number, seed = 1): Digits {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = next() & 0xff;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = i < 10 ? i : next() % 10;
  return { images, labels, count, rows, cols };
}

// ---------------------------------------------------------------- .npy / .npz

export interface NpyInput {
  descr: string;
  shape: readonly number[];
  data: Uint8Array;
  fortranOrder?: boolean;
}

function pyTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * Byte-for-byte what numpy.lib.format.write_array writes (checked against numpy 2.4): a
 * sorted-key dict, 21 − len(repr(shape[0])) spaces of growth room, then spaces and '\n' up to
 * a multiple of 64 bytes (a full extra 64 when already aligned, as numpy does).
 */
export function npyBytes(input: NpyInput, version: 1 | 2 | 3 = 1): Uint8Array {
  let header = `{'descr': '${input.descr}', 'fortran_order': ${input.fortranOrder ? 'True' : 'False'}, 'shape': ${pyTuple(input.shape)}, }`;
  if (input.shape.length > 0) header += ' '.repeat(21 - String(input.shape[0]).length);
  const lenBytes = version === 1 ? 2 : 4;
  const hlen = header.length + 1;
  const padlen = 64 - ((8 + lenBytes + hlen) % 64);
  header += `${' '.repeat(padlen)}\n`;
  const text = Buffer.from(header, version === 3 ? 'utf8' : 'latin1');
  const out = new Uint8Array(8 + lenBytes + text.length + input.data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + lenBytes);
  out.set(input.data, 8 + lenBytes + text.length);
  return out;
}

/** A v1.0 .npy with any header text (padded like numpy's), for headers numpy would not write. */
export function npyWithHeader(dict: string, data: Uint8Array): Uint8Array {
  const padlen = 64 - ((10 + dict.length + 1) % 64);
  const text = Buffer.from(`${dict}${' '.repeat(padlen)}\n`, 'latin1');
  const out = new Uint8Array(10 + text.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(text, 10);
  out.set(data, 10 + text.length);
  return out;
}

/** numbers → bytes of a numpy dtype such as '<i8', '>f4', '|u1'. */
export function typedBytes(descr: string, values: ArrayLike<number>): Uint8Array {
  const m = /^([<>|])([uif])(\d)$/.exec(descr);
  if (!m) throw new Error(`typedBytes: unsupported ${descr}`);
  const size = Number(m[3]);
  const le = m[1] !== '>';
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const at = i * size;
    if (m[2] === 'f') {
      if (size === 4) v.setFloat32(at, x, le);
      else v.setFloat64(at, x, le);
    } else if (size === 1) {
      if (m[2] === 'u') v.setUint8(at, x);
      else v.setInt8(at, x);
    } else if (size === 2) {
      if (m[2] === 'u') v.setUint16(at, x, le);
      else v.setInt16(at, x, le);
    } else if (size === 4) {
      if (m[2] === 'u') v.setUint32(at, x, le);
      else v.setInt32(at, x, le);
    } else if (m[2] === 'u') v.setBigUint64(at, BigInt(x), le);
    else v.setBigInt64(at, BigInt(x), le);
  }
  return out;
}

export type ZipMethod = 'stored' | 'deflate';

/** savez stores entries, savez_compressed deflates them; fflate level 0 means stored. */
export function zipBytes(entries: Record<string, Uint8Array>, method: ZipMethod): Uint8Array {
  return zipSync(entries, { level: method === 'stored' ? 0 : 6 });
}

export interface NpzParts {
  train: Digits;
  test: Digits;
  imagesDescr?: string;
  labelsDescr?: string;
  /** 'square' writes (N, rows, cols); 'flat' writes (N, rows·cols). */
  layout?: 'square' | 'flat';
}

export function npzMembers(p: NpzParts): Record<string, Uint8Array> {
  const imagesDescr = p.imagesDescr ?? '|u1';
  const labelsDescr = p.labelsDescr ?? '<i8';
  const images = (d: Digits): Uint8Array =>
    npyBytes({
      descr: imagesDescr,
      shape: p.layout === 'flat' ? [d.count, d.rows * d.cols] : [d.count, d.rows, d.cols],
      data: imagesDescr === '|u1' ? d.images : typedBytes(imagesDescr, d.images),
    });
  const labels = (d: Digits): Uint8Array => npyBytes({ descr: labelsDescr, shape: [d.count], data: typedBytes(labelsDescr, d.labels) });
  return {
    'x_train.npy': images(p.train),
    'y_train.npy': labels(p.train),
    'x_test.npy': images(p.test),
    'y_test.npy': labels(p.test),
  };
}

export function npzBytes(p: NpzParts, method: ZipMethod): Uint8Array {
  return zipBytes(npzMembers(p), method);
}

/**
 * Written by numpy 2.4.6 itself (np.savez / np.savez_compressed), so the loader meets numpy's
 * real zip layout (zip64 extras in every local header) and not just fflate's:
 *   x_train = (np.arange(60) * 37 % 256).astype(np.uint8).reshape(3, 4, 5)
 *   x_test  = ((np.arange(40) * 91 + 5) % 256).astype(np.uint8).reshape(2, 4, 5)
 *   y_train = np.array([7, 0, 9], dtype=np.int64); y_test = np.array([3, 5], dtype=np.int64)
 */
export const NUMPY_SAVEZ = Buffer.from(
  [
  'UEsDBC0AAAAAAAAAIQBMd0Mf//////////8LABQAeF90cmFpbi5ucHkBABAAvAAAAAAAAAC8AAAAAAAAAJNOVU1QWQEAdgB7',
  'J2Rlc2NyJzogJ3x1MScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCA0LCA1KSwgfSAgICAgICAgICAg',
  'ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKACVKb5S53gMoTXKXvOEGK1B1mr/kCS5TeJ3C',
  '5wwxVnugxeoPNFl+o8jtEjdcgabL8BU6X4SpzvMYPWKHUEsDBC0AAAAAAAAAIQBH+ggo//////////8LABQAeV90cmFpbi5u',
  'cHkBABAAmAAAAAAAAACYAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpOCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2Us',
  'ICdzaGFwZSc6ICgzLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg',
  'ICAgICAKBwAAAAAAAAAAAAAAAAAAAAkAAAAAAAAAUEsDBC0AAAAAAAAAIQB+jO+9//////////8KABQAeF90ZXN0Lm5weQEA',
  'EACoAAAAAAAAAKgAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3No',
  'YXBlJzogKDIsIDQsIDUpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg',
  'IAoFYLsWccwngt04k+5JpP9atRBrxiF81zKN6EOe+VSvCmXAG3bRLIfiUEsDBC0AAAAAAAAAIQB20Hlk//////////8KABQA',
  'eV90ZXN0Lm5weQEAEACQAAAAAAAAAJAAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXIn',
  'OiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg',
  'ICAgICAgICAgICAgIAoDAAAAAAAAAAUAAAAAAAAAUEsBAi0DLQAAAAAAAAAhAEx3Qx+8AAAAvAAAAAsAAAAAAAAAAAAAAIAB',
  'AAAAAHhfdHJhaW4ubnB5UEsBAi0DLQAAAAAAAAAhAEf6CCiYAAAAmAAAAAsAAAAAAAAAAAAAAIAB+QAAAHlfdHJhaW4ubnB5',
  'UEsBAi0DLQAAAAAAAAAhAH6M772oAAAAqAAAAAoAAAAAAAAAAAAAAIABzgEAAHhfdGVzdC5ucHlQSwECLQMtAAAAAAAAACEA',
  'dtB5ZJAAAACQAAAACgAAAAAAAAAAAAAAgAGyAgAAeV90ZXN0Lm5weVBLBQYAAAAABAAEAOIAAAB+AwAAAAA=',
  ].join(''),
  'base64',
);

export const NUMPY_SAVEZ_COMPRESSED = Buffer.from(
  [
  'UEsDBC0AAAAIAAAAIQBMd0Mf//////////8LABQAeF90cmFpbi5ucHkBABAAvAAAAAAAAACIAAAAAAAAAJvsF+obEMnIUMZQ',
  'rZ6SWpxcpG6loF5Taqiuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6CiY6CqaaOgq1CuQBLgZVr/wpO+8xa/gW',
  'Td/zkE07oHTW/iecesEVcw895zEMq15w9BW/SWTd4hNvhcxjGped/iBqFd+y8txnCdukdgBQSwMELQAAAAgAAAAhAEf6CCj/',
  '/////////wsAFAB5X3RyYWluLm5weQEAEACYAAAAAAAAAEoAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNpoa6joJ6W',
  'X1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaxjqaOgq1ChQALnYGVMAJpQFQSwMELQAAAAgAAAAhAH6M773//////////woA',
  'FAB4X3Rlc3QubnB5AQAQAKgAAAAAAAAAcwAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBeU2qorqOgnpZfVFKUmBefX5SS',
  'ChJ3S8wpTgWKF2ckFqQC+RpGOgomOgqmmjoKtQrkAS7WhN1ihWfUm+5aTH7nueR/1FaB7GOKNdeNel84z/sZsp4r9YB02UWd',
  '9kcAUEsDBC0AAAAIAAAAIQB20Hlk//////////8KABQAeV90ZXN0Lm5weQEAEACQAAAAAAAAAEoAAAAAAAAAm+wX6hsQychQ',
  'xlCtnpJanFykbqWgbpNpoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjqaOgq1ChQALmYGCGCF0gBQSwECLQMt',
  'AAAACAAAACEATHdDH4gAAAC8AAAACwAAAAAAAAAAAAAAgAEAAAAAeF90cmFpbi5ucHlQSwECLQMtAAAACAAAACEAR/oIKEoA',
  'AACYAAAACwAAAAAAAAAAAAAAgAHFAAAAeV90cmFpbi5ucHlQSwECLQMtAAAACAAAACEAfozvvXMAAACoAAAACgAAAAAAAAAA',
  'AAAAgAFMAQAAeF90ZXN0Lm5weVBLAQItAy0AAAAIAAAAIQB20HlkSgAAAJAAAAAKAAAAAAAAAAAAAACAAfsBAAB5X3Rlc3Qu',
  'bnB5UEsFBgAAAAAEAAQA4gAAAIECAAAAAA==',
  ].join(''),
  'base64',
);

/** The arrays inside NUMPY_SAVEZ and NUMPY_SAVEZ_COMPRESSED. */
export function numpyFixtureDigits(): { train: Digits; test: Digits } {
  const fill = (n: number, f: (i: number) => number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => f(i));
  return {
    train: { images: fill(60, (i) => (i * 37) % 256), labels: Uint8Array.from([7, 0, 9]), count: 3, rows: 4, cols: 5 },
    test: { images: fill(40, (i) => (i * 91 + 5) % 256), labels: Uint8Array.from([3, 5]), count: 2, rows: 4, cols: 5 },
  };
}

// ---------------------------------------------------------------- IDX

export function idxImagesBytes(d: Digits, magic = 0x00000803): Uint8Array {
  const out = new Uint8Array(16 + d.images.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic, false);
  v.setUint32(4, d.count, false);
  v.setUint32(8, d.rows, false);
  v.setUint32(12, d.cols, false);
  out.set(d.images, 16);
  return out;
}

export function idxLabelsBytes(labels: Uint8Array, magic = 0x00000801): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic, false);
  v.setUint32(4, labels.length, false);
  out.set(labels, 8);
  return out;
}

export const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** The four members of an IDX folder, as (file name → bytes); `gz` names them .gz and gzips. */
export function idxFolderFiles(train: Digits, test: Digits, opts: { gz?: boolean; dotted?: boolean } = {}): Record<string, Uint8Array> {
  const name = (n: string): string => {
    const base = opts.dotted ? n.replace(/-(idx\d)-ubyte$/, '.$1-ubyte') : n;
    return opts.gz ? `${base}.gz` : base;
  };
  const body = (b: Uint8Array): Uint8Array => (opts.gz ? gzipSync(b) : b);
  return {
    [name(IDX_NAMES.trainImages)]: body(idxImagesBytes(train)),
    [name(IDX_NAMES.trainLabels)]: body(idxLabelsBytes(train.labels)),
    [name(IDX_NAMES.testImages)]: body(idxImagesBytes(test)),
    [name(IDX_NAMES.testLabels)]: body(idxLabelsBytes(test.labels)),
  };
}

// ---------------------------------------------------------------- bundled

/** The uncompressed layout scripts/buildMnist.mjs writes. */
export function bundledPayload(train: Digits, test: Digits, version = 1): Uint8Array {
  const pixels = train.rows * train.cols;
  const out = new Uint8Array(24 + train.count + test.count + (train.count + test.count) * pixels);
  out.set(Buffer.from('ILMN', 'ascii'));
  const v = new DataView(out.buffer);
  [version, train.count, test.count, train.rows, train.cols].forEach((x, i) => v.setUint32(4 + 4 * i, x, true));
  let at = 24;
  for (const part of [train.labels, test.labels, train.images, test.images]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// ---------------------------------------------------------------- files

/** A fresh temp folder; call the returned cleanup in `after`. */
export function tempDir(prefix = 'initlens-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
