/**
 * Input rows without their all-zero columns.
 *
 * An MNIST digit lights about 150 of its 784 pixels, and pixels near the border are black in
 * every image: a batch of 32 digits uses about 455 columns, the 500 held-out digits about 590.
 * A zero input contributes nothing to the first layer's pre-activation (x·W sums x_i·W_i) and
 * receives a zero gradient row (∂L/∂W = xᵀδ), so the first layer can multiply only the used
 * columns by the matching kernel rows: the same numbers (up to float summation order) with
 * 25–40% fewer multiply-adds in the layer that holds almost all of them.
 */
import { tf } from './tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';

export interface CompactRows {
  /** Rows × width values, x / 255, only the used columns. */
  pixels: Float32Array;
  rows: number;
  width: number;
  /** The input features the columns are, ascending; undefined when every column is used. */
  cols: Int32Array | undefined;
}

/** v / 255 for every byte value: the scaling Keras' notebook applies to pixels, looked up. */
export const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);
const SCALE = PIXEL_SCALE;

/** Reusable buffers for compacting batch after batch without allocating. */
export interface CompactScratch {
  /** Per column: nonzero when some row uses it (a byte view of `usedWords`). */
  used: Uint8Array;
  usedWords: Uint32Array;
  out: Float32Array;
}

export function compactScratch(size: number, maxRows: number): CompactScratch {
  const usedWords = new Uint32Array(Math.ceil(size / 4));
  return { used: new Uint8Array(usedWords.buffer, 0, size), usedWords, out: new Float32Array(maxRows * size) };
}

/**
 * The given rows of `images` (uint8, `size` values per row), scaled to [0, 1], keeping the
 * columns at least one of them uses. With `scratch`, no allocation but the column list.
 */
export function compactRows(images: Uint8Array, size: number, rows: ArrayLike<number>, scratch = compactScratch(size, rows.length)): CompactRows {
  const { used, usedWords } = scratch;
  usedWords.fill(0);
  if (size % 4 === 0 && images.byteOffset % 4 === 0) {
    // Four pixels at a time: OR the rows' words together.
    const words = new Uint32Array(images.buffer, images.byteOffset, Math.floor(images.length / 4));
    const perRow = size / 4;
    for (let r = 0; r < rows.length; r++) {
      const src = rows[r] * perRow;
      for (let k = 0; k < perRow; k++) usedWords[k] |= words[src + k];
    }
  } else {
    for (let r = 0; r < rows.length; r++) {
      const src = rows[r] * size;
      for (let k = 0; k < size; k++) used[k] |= images[src + k];
    }
  }
  let width = 0;
  for (let k = 0; k < size; k++) if (used[k] !== 0) width++;
  // Every column used: nothing to leave out. None used (all-black images): keep one, so shapes stay valid.
  if (width === 0) used[0] = 1;
  let cols: Int32Array | undefined;
  if (width !== size) {
    cols = new Int32Array(Math.max(width, 1));
    let c = 0;
    for (let k = 0; k < size; k++) if (used[k] !== 0) cols[c++] = k;
  }
  width = cols ? cols.length : size;
  const pixels = scratch.out.length >= rows.length * width ? scratch.out.subarray(0, rows.length * width) : new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r] * size;
    const dst = r * width;
    if (cols) for (let c = 0; c < width; c++) pixels[dst + c] = SCALE[images[src + cols[c]]];
    else for (let c = 0; c < width; c++) pixels[dst + c] = SCALE[images[src + c]];
  }
  return { pixels, rows: rows.length, width, cols };
}

/**
 * Calls `copy(from, to, count)` for each run of consecutive columns: a digit's used pixels come
 * in runs along its image rows, so rows of a [columns, units] matrix move a run at a time.
 */
export function forRuns(cols: Int32Array, copy: (column: number, index: number, count: number) => void): void {
  let c = 0;
  while (c < cols.length) {
    let e = c + 1;
    while (e < cols.length && cols[e] === cols[e - 1] + 1) e++;
    copy(cols[c], c, e - c);
    c = e;
  }
}

/** A compact set as a tensor x [rows, width] and the input columns it holds (undefined: all). */
export interface InputTensors {
  x: Tensor2D;
  cols: Int32Array | undefined;
}

export function inputTensors(c: CompactRows): InputTensors {
  return { x: tf.tensor2d(c.pixels, [c.rows, c.width]), cols: c.cols };
}

/** Host copies of tensors' values, by the tensor data they equal (a variable's changes on assign). */
const hostCopies = new WeakMap<object, Float32Array>();

/**
 * Records that `tensor` currently holds `values` (the optimizer's master copy of a kernel), so
 * gathering its rows needs no read-back from the backend. Assigning the variable anew gives it
 * new data, which has no host copy until recorded again.
 */
export function noteHostCopy(tensor: Tensor, values: Float32Array): void {
  hostCopies.set(tensor.dataId, values);
}

/**
 * The first layer's kernel rows [fanIn, units] that meet the used columns (the whole kernel when
 * all are used). Gathered in JS: tf.gather on the wasm backend costs more than the multiply saves.
 */
export function firstKernel(kernel: Tensor, cols: Int32Array | undefined): Tensor2D {
  if (!cols) return kernel as Tensor2D;
  const units = kernel.shape[1] ?? 1;
  const all = hostCopies.get(kernel.dataId) ?? (kernel.dataSync() as Float32Array);
  const rows = new Float32Array(cols.length * units);
  forRuns(cols, (column, index, count) => rows.set(all.subarray(column * units, (column + count) * units), index * units));
  return tf.tensor2d(rows, [cols.length, units]);
}

/** Writes a compact first-layer gradient [cols, units] into the full one [size, units]; other rows are zero. */
export function scatterRows(compact: Float32Array, cols: Int32Array | undefined, units: number, full: Float32Array): Float32Array {
  if (!cols) {
    full.set(compact);
    return full;
  }
  full.fill(0);
  forRuns(cols, (column, index, count) => full.set(compact.subarray(index * units, (index + count) * units), column * units));
  return full;
}

export function rowRange(from: number, count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => from + i);
}
