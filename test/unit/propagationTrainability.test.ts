/** The trainability map: real probe processes over a σ_w² × depth grid, cached, cancellable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { cellRequest, runTrainabilityMap, TrainabilityCache, validateGrid } from '../../src/probe/propagation/trainability';
import type { TrainabilityGrid, TrainabilityHandle } from '../../src/probe/propagation/trainability';
import { parseInitializer } from '../../src/probe/initializers/parse';
import { weightVariance } from '../../src/probe/initializers/theory';

const grid = (sigmaW2: number[], depths: number[], steps = 10): TrainabilityGrid => ({
  sigmaW2,
  depths,
  width: 16,
  config: { ...DEFAULT_CONFIG, data: 'mnist', activation: 'tanh', steps, probeBatch: 64, validationSubset: 100 },
});

test('a cell is a tanh stack of that depth whose weights have Var(w) = σ_w²/fan_in in every layer', () => {
  const r = cellRequest(grid([1.5], [4]), 1.5, 4);
  assert.deepEqual(r.config.hidden, [16, 16, 16, 16]);
  const spec = parseInitializer(r.initializer).spec;
  assert.ok(Math.abs(784 * weightVariance(spec, 784, 16) - 1.5) < 1e-12);
  assert.ok(Math.abs(16 * weightVariance(spec, 16, 16) - 1.5) < 1e-12);
  assert.throws(() => validateGrid(grid([], [2])), /at least one/);
  assert.throws(() => validateGrid(grid([1], [0])), /depths must be whole numbers/);
});

test('a 2 × 2 map trains every cell once, reports progress, and a second run comes from the cache', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'initlens-map-')), 'cache.json');
  const progress: number[] = [];
  const first = await runTrainabilityMap(grid([0.5, 2], [1, 3]), { jobs: 2, cache: new TrainabilityCache(file), onCell: (_c, done) => progress.push(done) }).done;
  assert.equal(first.length, 4);
  assert.deepEqual(progress, [1, 2, 3, 4]);
  for (const cell of first) {
    assert.equal(cell.cached, false);
    assert.ok(cell.accuracy !== null && cell.accuracy >= 0 && cell.accuracy <= 1, JSON.stringify(cell));
  }
  assert.equal(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object).length, 4);
  const second = await runTrainabilityMap(grid([0.5, 2], [1, 3]), { jobs: 2, cache: new TrainabilityCache(file) }).done;
  assert.ok(second.every((c) => c.cached));
  const key = (c: { sigmaW2: number; depth: number }): string => `${c.sigmaW2}/${c.depth}`;
  assert.deepEqual(new Map(second.map((c) => [key(c), c.accuracy])), new Map(first.map((c) => [key(c), c.accuracy])));
  // Another step count is another experiment: nothing cached applies.
  const other = await runTrainabilityMap(grid([0.5], [1], 5), { jobs: 1, cache: new TrainabilityCache(file) }).done;
  assert.equal(other[0].cached, false);
});

test('cancel stops the map: the promise resolves with the cells done so far', async () => {
  const box: { handle?: TrainabilityHandle } = {};
  // Cancel after the first finished cell, or after 8 s if none has finished by then.
  const handle = runTrainabilityMap(grid([0.5, 1, 1.5, 2], [2, 4, 6], 2000), { jobs: 1, onCell: () => void box.handle?.cancel() });
  box.handle = handle;
  setTimeout(() => void handle.cancel(), 8000);
  const cells = await handle.done;
  assert.ok(cells.length < 12, `${cells.length} cells`);
});
