/** The sidebar form's checks: the engine's validators, mapped to fields and one-line reasons. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkField, displayValue, effectiveValue, FIELDS, problemKey, SETTING_KEYS, trustNotice } from '../../src/view/settingsForm';
import type { SettingKey } from '../../src/view/settingsForm';
import { DEFAULT_CONFIG } from '../../src/probe/config';

const current = { ...DEFAULT_CONFIG };

const ok = (key: SettingKey, raw: string): string | number => {
  const r = checkField(key, raw, current);
  assert.ok(r.ok, `${key}=${raw} refused: ${r.ok ? '' : r.problem}`);
  return r.value;
};
const refused = (key: SettingKey, raw: string, config = current): string => {
  const r = checkField(key, raw, config);
  assert.ok(!r.ok, `${key}=${raw} accepted`);
  return r.problem;
};

test('every setting the form edits is a field, in the manifest order', () => {
  assert.deepEqual(
    FIELDS.map((f) => f.key),
    [...SETTING_KEYS],
  );
  for (const f of FIELDS) if (f.kind === 'select') assert.ok((f.options ?? []).length > 1, f.key);
});

test('hidden layers: the parser’s forms, written as the settings editor accepts them', () => {
  assert.equal(ok('hiddenLayers', '128'), '128');
  assert.equal(ok('hiddenLayers', ' 256x8 '), '256x8');
  assert.equal(ok('hiddenLayers', '512, 256, 128'), '512, 256, 128');
  // parseHidden reads `*`, the manifest's pattern does not: written in its canonical form.
  assert.equal(ok('hiddenLayers', '256*8'), '256x8');
  assert.equal(ok('hiddenLayers', '64,64,32'), '64,64,32');
  assert.match(refused('hiddenLayers', '64x'), /^hidden layers: cannot read '64x'; write e\.g\. 128, 256x8 or 512,256,128$/);
  assert.match(refused('hiddenLayers', ''), /hidden layers: empty/);
  assert.match(refused('hiddenLayers', '0'), /layer width must be at least 1, got 0/);
  assert.match(refused('hiddenLayers', '64x0'), /layer count must be at least 1/);
  assert.match(refused('hiddenLayers', '10000'), /layer width must be at most 8192/);
  assert.match(refused('hiddenLayers', '8192x200'), /^network too large: about \d+ MiB/);
});

test('numbers: plain decimals only, then the engine’s ranges', () => {
  assert.equal(ok('learningRate', '0.01'), 0.01);
  assert.equal(ok('learningRate', '1e-3'), 0.001);
  assert.equal(ok('steps', '300'), 300);
  assert.equal(ok('seed', '0'), 0);
  assert.equal(ok('parallelJobs', '0'), 0);
  assert.match(refused('learningRate', ''), /^learning rate: empty; enter a number$/);
  assert.match(refused('learningRate', 'abc'), /^learning rate: 'abc' is not a number$/);
  assert.match(refused('steps', '0x10'), /is not a number/);
  assert.match(refused('learningRate', '0'), /learning rate must be greater than 0, got 0/);
  assert.match(refused('learningRate', '11'), /learning rate must be at most 10/);
  assert.match(refused('batchSize', '3.5'), /batch size must be a whole number, got 3\.5/);
  assert.match(refused('batchSize', '9000'), /batch size must be at most 8192/);
  assert.match(refused('steps', '-1'), /steps must be at least 1/);
  assert.match(refused('statsInterval', '0'), /stats interval must be at least 1/);
  assert.match(refused('seed', '2147483648'), /seed must be at most 2147483647/);
  assert.match(refused('parallelJobs', '65'), /^parallel jobs: 65 is not valid; use 0 \(= cores\) to 64$/);
  assert.match(refused('parallelJobs', '1.5'), /parallel jobs/);
  assert.equal(ok('seeds', '3'), 3);
  assert.equal(ok('seeds', '1'), 1);
  assert.equal(refused('seeds', '0'), 'seeds: 0 is not valid; use a whole number from 1 to 20');
  assert.equal(refused('seeds', '21'), 'seeds: 21 is not valid; use a whole number from 1 to 20');
  assert.equal(refused('seeds', '2.5'), 'seeds: 2.5 is not valid; use a whole number from 1 to 20');
  assert.equal(refused('seeds', 'three'), "seeds: 'three' is not a number");
  assert.equal(effectiveValue('seeds', current, 0, 3), '3');
});

test('a batch size that makes the current network too large is refused under the batch field', () => {
  const wide = { ...current, hidden: Array(40).fill(4096) as number[] };
  assert.equal(checkField('batchSize', '32', wide).ok, true);
  assert.match(refused('batchSize', '8192', wide), /network too large/);
});

test('a problem the config already had is not blamed on the edited field', () => {
  const tooLarge = { ...current, hidden: Array(200).fill(8192) as number[] };
  assert.deepEqual(checkField('steps', '50', tooLarge), { ok: true, value: 50 });
});

test('choices and the data source', () => {
  assert.equal(ok('activation', 'tanh'), 'tanh');
  assert.equal(ok('backend', 'wasm'), 'wasm');
  assert.match(refused('activation', 'swish'), /^activation: unknown 'swish'; use relu, tanh/);
  assert.match(refused('optimizer', 'rmsprop'), /use adam, sgd/);
  assert.equal(ok('dataSource', ' ~/data/mnist.npz '), '~/data/mnist.npz');
  assert.match(refused('dataSource', '  '), /^data source: empty/);
});

test('whatever is typed, the answer is a value or one line, never an exception', () => {
  fc.assert(
    fc.property(fc.constantFrom(...SETTING_KEYS), fc.string({ maxLength: 60 }), (key, raw) => {
      const r = checkField(key, raw, current);
      if (!r.ok) {
        assert.ok(r.problem.length > 0 && !r.problem.includes('\n'), r.problem);
        assert.doesNotMatch(r.problem, /at .*\.ts:\d+/);
      }
    }),
    { numRuns: 2000 },
  );
});

test('settings problems map to the fields they belong to', () => {
  assert.equal(problemKey('hiddenLayers'), 'hiddenLayers');
  assert.equal(problemKey('hidden'), 'hiddenLayers');
  assert.equal(problemKey('lr'), 'learningRate');
  assert.equal(problemKey('batch'), 'batchSize');
  assert.equal(problemKey('every'), 'statsInterval');
  assert.equal(problemKey('data'), 'dataSource');
  assert.equal(problemKey('parallelJobs'), 'parallelJobs');
  assert.equal(problemKey('momentum'), undefined);
  assert.equal(problemKey('__proto__'), undefined);
  assert.equal(problemKey('diagnostics.deepStackDepth'), undefined);
});

test('values as the form shows them, and the fallbacks the probe uses', () => {
  assert.equal(displayValue(undefined), '');
  assert.equal(displayValue(0.001), '0.001');
  assert.equal(displayValue('256x8'), '256x8');
  assert.equal(displayValue([128, 64]), '[128,64]');
  assert.equal(effectiveValue('hiddenLayers', { ...current, hidden: [256, 256, 128] }, 0), '256x2,128');
  assert.equal(effectiveValue('learningRate', current, 0), '0.001');
  assert.equal(effectiveValue('parallelJobs', current, 4), '4');
});

test('the Workspace Trust notice names the ignored settings', () => {
  assert.equal(trustNotice([]), undefined);
  assert.equal(trustNotice(['nope']), undefined);
  assert.equal(trustNotice(['dataSource']), 'This workspace is not trusted: its data source setting is ignored; your user settings or the defaults apply.');
  assert.match(trustNotice(['dataSource', 'backend', 'parallelJobs']) ?? '', /its data source, backend and parallel jobs settings are ignored/);
});
