/** Formatting shared by descriptions and error messages, so both read the same way. */

export function formatCount(n: number): string {
  // Not toLocaleString: its first call loads ICU data, ~20 ms of every probe process's start.
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(1)} GiB`;
}

export function formatHex32(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

/** '60,000 train / 10,000 test, 28×28' */
export function splitSummary(trainCount: number, testCount: number, rows: number, cols: number, testWord = 'test'): string {
  return `${formatCount(trainCount)} train / ${formatCount(testCount)} ${testWord}, ${rows}×${cols}`;
}
