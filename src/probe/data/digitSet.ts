/** Checks every loader applies to what it decoded, so all formats refuse the same things. */
import { DataError } from './dataError';
import type { DigitSet } from './types';
import { formatCount } from './format';
import { MAX_PIXELS_PER_IMAGE } from './limits';

export const NUM_CLASSES = 10;

/** Dimensions straight from a header: check them before they size anything. */
export function checkImageShape(file: string, count: number, rows: number, cols: number, member?: string): void {
  const at = member ? `${member}: ` : '';
  const ok = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
  if (!ok(rows) || !ok(cols) || rows * cols > MAX_PIXELS_PER_IMAGE) {
    throw new DataError(
      file,
      'bad-shape',
      `${at}images of ${rows}×${cols} pixels are not supported (each side at least 1, at most ${formatCount(MAX_PIXELS_PER_IMAGE)} pixels per image)`,
    );
  }
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new DataError(file, 'bad-shape', `${at}holds ${count} images; at least one is needed`);
  }
}

/** Class labels must index the 10 outputs; anything else would train on garbage. */
export function checkLabels(file: string, labels: Uint8Array, member?: string): void {
  const at = member ? `${member}: ` : '';
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= NUM_CLASSES) {
      throw new DataError(file, 'corrupt', `${at}label ${labels[i]} at index ${formatCount(i)} is outside 0..${NUM_CLASSES - 1}`);
    }
  }
}

/** `what` names the array or file in the message, e.g. 'x_train.npy' or a file name. */
export function checkSameCount(
  file: string,
  images: { what: string; count: number },
  labels: { what: string; count: number },
): void {
  if (images.count !== labels.count) {
    throw new DataError(
      file,
      'count-mismatch',
      `${images.what} holds ${formatCount(images.count)} images but ${labels.what} holds ${formatCount(labels.count)} labels`,
    );
  }
}

/** Train and test must share an image size: one network sees both. */
export function checkSameShape(
  testFile: string,
  train: Pick<DigitSet, 'rows' | 'cols'>,
  test: Pick<DigitSet, 'rows' | 'cols'>,
): void {
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DataError(
      testFile,
      'bad-shape',
      `test images are ${test.rows}×${test.cols} but train images are ${train.rows}×${train.cols}`,
    );
  }
}

export function digitSet(images: Uint8Array, labels: Uint8Array, rows: number, cols: number): DigitSet {
  return { images, labels, count: labels.length, rows, cols };
}
