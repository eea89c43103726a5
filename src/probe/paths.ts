import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** First existing candidate, looked up from a bundle in dist/ or from the sources (tests). */
function locate(rel: string[], candidates: string[]): string {
  const found = candidates.map((base) => join(base, ...rel)).find((p) => existsSync(p));
  return found ?? join(candidates[0], ...rel);
}

const roots = (): string[] => [join(__dirname, '..'), join(__dirname, '..', '..'), join(__dirname, '..', '..', '..')];

/** media/data/mnist-10k.bin.gz, produced by the build from the `mnist` package. */
export function bundledDataPath(): string {
  return locate(['media', 'data', 'mnist-10k.bin.gz'], roots());
}

/** dist/probeWorker.js: the probe process entry. */
export function probeWorkerPath(): string {
  const beside = join(__dirname, 'probeWorker.js');
  if (existsSync(beside)) return beside;
  return locate(['dist', 'probeWorker.js'], roots());
}

/** python/: the initlens_probe package (PyTorch runner and watch()), put on PYTHONPATH. */
export function pythonHelperDir(): string {
  return locate(['python'], roots());
}
