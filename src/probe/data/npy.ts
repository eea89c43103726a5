/**
 * numpy's .npy format (versions 1.0, 2.0, 3.0), read without numpy:
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 * `file` names the archive holding the array and `member` the array, so errors read
 * `/x/mnist.npz: x_train.npy: …`.
 */
import { DataError } from './dataError';
import type { DataErrorCode } from './dataError';
import { formatBytes, formatCount } from './format';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyDtype {
  /** numpy kind letter: unsigned, signed, float. */
  kind: 'u' | 'i' | 'f';
  size: 1 | 2 | 4 | 8;
  littleEndian: boolean;
  /** As written, e.g. '<i8', for messages. */
  descr: string;
}

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Where the array bytes start. */
  dataOffset: number;
}

export interface NpyArray extends NpyHeader {
  /** Exactly product(shape) × itemsize bytes, a view into the source. */
  data: Uint8Array;
}

const DTYPE_NAMES: Record<string, string> = {
  u1: 'uint8', u2: 'uint16', u4: 'uint32', u8: 'uint64',
  i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
  f4: 'float32', f8: 'float64',
};

export function dtypeName(dtype: NpyDtype): string {
  return DTYPE_NAMES[`${dtype.kind}${dtype.size}`] ?? dtype.descr;
}

/** Header text comes from the file: keep what a message quotes from it short. */
function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function fail(file: string, member: string, code: DataErrorCode, problem: string): never {
  throw new DataError(file, code, `${member}: ${problem}`);
}

function parseDtype(file: string, member: string, descr: string): NpyDtype {
  const m = /^([<>|=])([uif])(\d+)$/.exec(descr);
  const size = m ? Number(m[3]) : 0;
  if (!m || !(m[2] === 'f' ? size === 4 || size === 8 : [1, 2, 4, 8].includes(size))) {
    fail(file, member, 'bad-dtype', `unsupported dtype '${clip(descr)}' (expected unsigned or signed integers, float32 or float64)`);
  }
  // '=' is native order, little-endian on every platform VS Code runs on.
  return { kind: m[2] as NpyDtype['kind'], size: size as NpyDtype['size'], littleEndian: m[1] !== '>', descr };
}

/**
 * The header is a Python dict literal, e.g.
 * `{'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }`. numpy writes exactly
 * these three keys; matching each one is enough, a general Python parser is not needed.
 */
function parseHeaderDict(file: string, member: string, text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) fail(file, member, 'corrupt', 'header is not a Python dict');
  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(trimmed);
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(trimmed)) fail(file, member, 'bad-dtype', 'structured (record) dtypes are not supported');
    fail(file, member, 'corrupt', "header lacks 'descr'");
  }
  const orderMatch = /['"]fortran_order['"]\s*:\s*(True|False)\b/.exec(trimmed);
  if (!orderMatch) fail(file, member, 'corrupt', "header lacks 'fortran_order'");
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(trimmed);
  if (!shapeMatch) fail(file, member, 'corrupt', "header lacks 'shape'");
  const inner = shapeMatch[1].trim();
  const parts = inner === '' ? [] : inner.split(',').map((s) => s.trim());
  // '(3,)' ends in an empty part; Python 2 wrote longs as '3L'.
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const shape = parts.map((p) => (/^\d+L?$/.test(p) ? Number.parseInt(p, 10) : Number.NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) fail(file, member, 'corrupt', `header has an unreadable shape (${clip(inner)})`);
  return { descr: descrMatch[2], fortranOrder: orderMatch[1] === 'True', shape };
}

export function parseNpyHeader(file: string, member: string, bytes: Uint8Array): NpyHeader {
  const prefix = Math.min(bytes.length, MAGIC.length);
  for (let i = 0; i < prefix; i++) {
    if (bytes[i] !== MAGIC[i]) fail(file, member, 'bad-magic', 'not a .npy array (missing the \\x93NUMPY magic)');
  }
  if (bytes.length < 10) fail(file, member, 'truncated', 'ends inside the .npy header');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(file, member, 'bad-magic', `unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerStart = 10;
  let headerLen = view.getUint16(8, true);
  if (major >= 2) {
    if (bytes.length < 12) fail(file, member, 'truncated', 'ends inside the .npy header');
    headerStart = 12;
    headerLen = view.getUint32(8, true);
  }
  const dataOffset = headerStart + headerLen;
  if (dataOffset > bytes.length) fail(file, member, 'truncated', 'ends inside the .npy header');
  const headerBytes = bytes.subarray(headerStart, dataOffset);
  // Version 3.0 exists only to allow utf-8 in the header; 1.0 and 2.0 are latin-1.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const { descr, fortranOrder, shape } = parseHeaderDict(file, member, text);
  const dtype = parseDtype(file, member, descr);
  if (fortranOrder) {
    // Column-major pixels would be silently transposed.
    fail(file, member, 'bad-shape', 'array is stored in Fortran (column-major) order; save it with np.ascontiguousarray first');
  }
  return { dtype, shape, dataOffset };
}

export function parseNpy(file: string, member: string, bytes: Uint8Array): NpyArray {
  const header = parseNpyHeader(file, member, bytes);
  // Computed in doubles from header values: compared with the real length before anything is allocated.
  const expected = header.shape.reduce((a, n) => a * n, 1) * header.dtype.size;
  const available = bytes.length - header.dataOffset;
  if (available < expected) {
    fail(file, member, 'truncated', `shape (${header.shape.join(', ')}) of ${header.dtype.descr} needs ${formatBytes(expected)}, only ${formatBytes(available)} present`);
  }
  if (available > expected) {
    fail(file, member, 'corrupt', `${formatCount(available - expected)} unexpected bytes after the array data`);
  }
  return { ...header, data: bytes.subarray(header.dataOffset) };
}

/** Reads element i of any supported dtype as a double. */
export function elementReader(arr: NpyArray): (i: number) => number {
  const { kind, size, littleEndian } = arr.dtype;
  const v = new DataView(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  const le = littleEndian;
  if (kind === 'f') return size === 4 ? (i) => v.getFloat32(4 * i, le) : (i) => v.getFloat64(8 * i, le);
  if (kind === 'u') {
    if (size === 1) return (i) => arr.data[i];
    if (size === 2) return (i) => v.getUint16(2 * i, le);
    if (size === 4) return (i) => v.getUint32(4 * i, le);
    return (i) => Number(v.getBigUint64(8 * i, le));
  }
  if (size === 1) return (i) => v.getInt8(i);
  if (size === 2) return (i) => v.getInt16(2 * i, le);
  if (size === 4) return (i) => v.getInt32(4 * i, le);
  return (i) => Number(v.getBigInt64(8 * i, le));
}
