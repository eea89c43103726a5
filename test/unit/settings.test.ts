/** Settings are validated one by one: a bad value is reported and replaced by its default. */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDataSetting, restrictedKeysIn, settingsFrom } from '../../src/host/settingsCore';
import type { Reader } from '../../src/host/settingsCore';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { LIMITS } from '../../src/protocol/vocabulary';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const reader =
  (values: Record<string, unknown>): Reader =>
  <T>(key: string, fallback: T): T =>
    (key in values ? values[key] : fallback) as T;

test('defaults when nothing is set', () => {
  const s = settingsFrom(reader({}));
  assert.deepEqual(s.problems, []);
  assert.deepEqual(s.config, DEFAULT_CONFIG);
  assert.equal(s.jobs, 0);
  assert.equal(s.diagnostics.deepStackDepth, 8);
});

test('good values are taken', () => {
  const s = settingsFrom(reader({ hiddenLayers: '256x3,64', activation: 'tanh', optimizer: 'sgd', learningRate: 0.01, batchSize: 64, steps: 50, statsInterval: 5, seed: 7, dataSource: ' mnist ', backend: 'cpu', parallelJobs: 1 }));
  assert.deepEqual(s.problems, []);
  assert.deepEqual(s.config.hidden, [256, 256, 256, 64]);
  assert.equal(s.config.activation, 'tanh');
  assert.equal(s.config.data, 'mnist');
  assert.equal(s.jobs, 1);
});

test('each bad value is reported with a one-line reason and falls back to its default', () => {
  const s = settingsFrom(reader({ hiddenLayers: '128,-4', activation: 'swish', optimizer: 'rmsprop', learningRate: -1, batchSize: 0.5, steps: 0, statsInterval: 'often', seed: -2, dataSource: '', backend: 'gpu', parallelJobs: 1000 }));
  const keys = s.problems.map((p) => p.key).sort();
  assert.deepEqual(keys, ['activation', 'backend', 'batchSize', 'dataSource', 'hiddenLayers', 'learningRate', 'optimizer', 'parallelJobs', 'seed', 'statsInterval', 'steps']);
  for (const p of s.problems) assert.ok(!p.message.includes('\n') && p.message.length > 5, p.message);
  assert.deepEqual(s.config, DEFAULT_CONFIG);
});

test('initlens.seeds: a whole number from 1 to 20, else a one-line reason and one seed', () => {
  assert.equal(settingsFrom(reader({})).seeds, 1);
  assert.equal(settingsFrom(reader({ seeds: 3 })).seeds, 3);
  assert.equal(settingsFrom(reader({ seeds: 20 })).seeds, 20);
  for (const bad of [0, 21, 2.5, -1, 'three']) {
    const s = settingsFrom(reader({ seeds: bad }));
    assert.equal(s.seeds, 1, `seeds ${JSON.stringify(bad)}`);
    assert.deepEqual(s.problems.map((p) => p.key), ['seeds']);
    assert.equal(s.problems[0].message, `seeds: ${JSON.stringify(bad)} is not valid; use a whole number from 1 to 20`);
  }
  // The manifest's range is the vocabulary's (the settings editor checks it, the form and the CLI too).
  const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { minimum: number; maximum: number; default: number }> } } };
  const property = manifest.contributes.configuration.properties['initlens.seeds'];
  assert.deepEqual([property.minimum, property.maximum, property.default], [1, LIMITS.maxSeeds, 1]);
});

test('a network over the memory budget is reported', () => {
  const s = settingsFrom(reader({ hiddenLayers: '8192x40' }));
  assert.equal(s.problems.length, 1);
  assert.match(s.problems[0].message, /network too large/);
});

test('relative data paths resolve against the workspace; keywords, ~ and absolute paths stay', () => {
  assert.equal(resolveDataSetting('data/mnist.npz', '/ws'), '/ws/data/mnist.npz');
  assert.equal(resolveDataSetting('auto', '/ws'), 'auto');
  assert.equal(resolveDataSetting('mnist', '/ws'), 'mnist');
  assert.equal(resolveDataSetting('~/.keras/datasets/mnist.npz', '/ws'), '~/.keras/datasets/mnist.npz');
  assert.equal(resolveDataSetting('/abs/idx', '/ws'), '/abs/idx');
  assert.equal(resolveDataSetting('rel', undefined), 'rel');
});

describe('restricted workspace settings (Workspace Trust)', () => {
  it('finds the restricted keys a settings.json sets, comments and trailing commas included', () => {
    const text = `{
      // the project's data
      "initlens.dataSource": "./data/mnist.npz",
      "initlens.steps": 30, /* not restricted */
      "initlens.parallelJobs": 1,
    }`;
    assert.deepEqual(restrictedKeysIn(text), ['dataSource', 'parallelJobs']);
  });

  it('reads a .code-workspace file under its settings key, and the nested form', () => {
    const workspace = '{ "folders": [{ "path": "." }], "settings": { "initlens": { "backend": "cpu" } } }';
    assert.deepEqual(restrictedKeysIn(workspace, 'settings'), ['backend']);
    assert.deepEqual(restrictedKeysIn(workspace), [], 'top-level keys of a workspace file are not settings');
  });

  it('sets nothing from empty, malformed or non-object text', () => {
    for (const text of ['', 'not json', '[1, 2]', '"initlens.backend"', '{ "initlens.backend": ']) {
      const keys = restrictedKeysIn(text);
      assert.ok(keys.every((k) => k === 'backend'), `${text}: ${keys.join()}`);
    }
    assert.deepEqual(restrictedKeysIn('{ "other.backend": "cpu", "initlens.activation": "tanh" }'), []);
  });
});
