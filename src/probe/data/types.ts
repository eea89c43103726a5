/** One split of a digit data set: `count` images of rows×cols bytes (0..255), row-major. */
export interface DigitSet {
  images: Uint8Array;
  /** One class index 0..9 per image. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export type DataKind = 'bundled' | 'npz' | 'idx';

export interface LoadedData {
  /** File or folder path the data came from, or 'bundled'. */
  source: string;
  kind: DataKind;
  /** One line for people, e.g. 'bundled MNIST sample (10,000 real digits: 8,000 train / 2,000 held out)'. */
  description: string;
  train: DigitSet;
  test: DigitSet;
}

/** What a data source holds, known from its headers alone (nothing but labels is decoded). */
export interface DataSourceInfo {
  kind: DataKind;
  /** Absolute file or folder path actually read (for bundled: the bundled file). */
  path: string;
  description: string;
  /** Bytes on disk, summed over the files that make up the source. */
  bytesOnDisk: number;
  trainCount: number;
  testCount: number;
  rows: number;
  cols: number;
}
