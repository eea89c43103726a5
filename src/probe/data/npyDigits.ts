/** Turning decoded .npy arrays into pixel bytes and class labels. */
import { DataError } from './dataError';
import { checkImageShape, checkLabels } from './digitSet';
import { dtypeName, elementReader } from './npy';
import type { NpyArray } from './npy';

export interface DecodedImages {
  images: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Accepts (N, rows, cols), (N, rows, cols, 1) and flattened square images (N, rows·cols). */
function imageShape(file: string, member: string, shape: readonly number[]): [number, number, number] {
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 4 && shape[3] === 1) return [shape[0], shape[1], shape[2]];
  if (shape.length === 2) {
    const side = Math.round(Math.sqrt(shape[1]));
    if (side * side === shape[1]) return [shape[0], side, side];
    throw new DataError(file, 'bad-shape', `${member}: shape ${shapeText(shape)} has ${shape[1]} pixels per image, not a square; save it as (N, rows, cols)`);
  }
  throw new DataError(file, 'bad-shape', `${member}: shape ${shapeText(shape)} is not (N, rows, cols) or (N, rows·cols)`);
}

/** [count, rows, cols] from an images array's shape, checked against the limits. */
export function imageDims(file: string, member: string, shape: readonly number[]): [number, number, number] {
  const dims = imageShape(file, member, shape);
  checkImageShape(file, dims[0], dims[1], dims[2], member);
  return dims;
}

export function npyToImages(file: string, member: string, arr: NpyArray): DecodedImages {
  const [count, rows, cols] = imageDims(file, member, arr.shape);
  const n = count * rows * cols;
  const { kind, size } = arr.dtype;
  if (kind === 'u' && size === 1) return { images: arr.data.slice(), count, rows, cols };
  const read = elementReader(arr);
  const images = new Uint8Array(n);
  if (kind === 'f') {
    // Floats come scaled to [0, 1] (Keras tutorials divide by 255) or left in [0, 255].
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (!(v >= 0 && v <= 255)) {
        throw new DataError(file, 'corrupt', `${member}: pixel value ${v} at index ${i} is outside [0, 255] (expected ${dtypeName(arr.dtype)} in [0, 1] or [0, 255])`);
      }
      if (v > max) max = v;
    }
    const scale = max <= 1 ? 255 : 1;
    for (let i = 0; i < n; i++) images[i] = Math.round(read(i) * scale);
    return { images, count, rows, cols };
  }
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (v < 0 || v > 255) {
      throw new DataError(file, 'corrupt', `${member}: pixel value ${v} at index ${i} is outside 0..255`);
    }
    images[i] = v;
  }
  return { images, count, rows, cols };
}

/** Accepts (N,) and (N, 1) integer arrays; one-hot (N, 10) is refused by name. */
export function npyToLabels(file: string, member: string, arr: NpyArray): Uint8Array {
  const { shape } = arr;
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) {
    const hint = shape.length === 2 && shape[1] === 10 ? ' (one-hot labels are not supported; save np.argmax(y, axis=1))' : '';
    throw new DataError(file, 'bad-shape', `${member}: labels must have shape (N,), got ${shapeText(shape)}${hint}`);
  }
  if (arr.dtype.kind === 'f') {
    throw new DataError(file, 'bad-dtype', `${member}: labels must be integers, got ${dtypeName(arr.dtype)} ('${arr.dtype.descr}')`);
  }
  const count = shape[0];
  const read = elementReader(arr);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = read(i);
    // Range-check before narrowing to a byte, so 266 is not read as 10 and -1 not as 255.
    if (v < 0 || v > 9) throw new DataError(file, 'corrupt', `${member}: label ${v} at index ${i} is outside 0..9`);
    labels[i] = v;
  }
  checkLabels(file, labels, member);
  return labels;
}
