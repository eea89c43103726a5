/** What the next comparison runs: the checked catalog entries, written initializers, requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCustom, buildRequests, comparisonTitle, defaultSelection, normalizeSelection, orderedSelection, removeCustom, SelectionError, setChecked } from '../../src/sidebar/selection';
import { ConfigError, DEFAULT_CONFIG } from '../../src/probe/config';
import { runRequestSchema } from '../../src/protocol';

test('the seed notebook’s four are checked by default', () => {
  assert.deepEqual(defaultSelection(), { selected: ['zeros', 'random_normal', 'glorot_normal', 'he_normal'], custom: [] });
  assert.deepEqual(normalizeSelection(undefined), defaultSelection());
  assert.deepEqual(normalizeSelection('he_normal'), defaultSelection());
});

test('a stored selection is cleaned, not trusted', () => {
  const stored = { selected: ['he_normal', 'he_normal', 'gone_from_catalog', 42, 'HeNormal(seed=1)', ''], custom: ['HeNormal(seed=1)', 7, '  ', 'x'.repeat(500)] };
  assert.deepEqual(normalizeSelection(stored), { selected: ['he_normal', 'HeNormal(seed=1)'], custom: ['HeNormal(seed=1)'] });
  assert.deepEqual(normalizeSelection({ selected: [] }), { selected: [], custom: [] });
});

test('checking and unchecking; unknown texts are ignored', () => {
  let s = defaultSelection();
  s = setChecked(s, 'zeros', false);
  s = setChecked(s, 'lsuv', true);
  s = setChecked(s, 'not_an_initializer', true);
  assert.deepEqual(s.selected, ['random_normal', 'glorot_normal', 'he_normal', 'lsuv']);
});

test('written initializers go through the one parser', () => {
  const start = { selected: [], custom: [] };
  const typo = addCustom(start, 'he_norml');
  assert.equal(typo.kind, 'error');
  assert.ok(typo.kind === 'error');
  assert.equal(typo.message, "unknown initializer 'he_norml' — did you mean he_normal, HeNormal, heNormal?");
  assert.deepEqual(typo.suggestions, ['he_normal', 'HeNormal', 'heNormal']);
  assert.equal(typo.selection, start);

  const sameAsCatalog = addCustom(start, ' HeNormal() ');
  assert.ok(sameAsCatalog.kind === 'catalog');
  assert.equal(sameAsCatalog.id, 'he_normal');
  assert.deepEqual(sameAsCatalog.selection, { selected: ['he_normal'], custom: [] });

  // tfjs' heNormal skips Keras' truncation correction: a different initializer, kept as written.
  const tfjs = addCustom(start, 'heNormal');
  assert.ok(tfjs.kind === 'added');
  assert.equal(tfjs.canonical, 'tf.initializers.heNormal()');

  const torch = addCustom(tfjs.selection, 'nn.init.kaiming_normal_(w)');
  assert.ok(torch.kind === 'added');
  assert.deepEqual(torch.selection, { selected: ['heNormal', 'nn.init.kaiming_normal_(w)'], custom: ['heNormal', 'nn.init.kaiming_normal_(w)'] });
  assert.equal(addCustom(torch.selection, 'heNormal').kind, 'duplicate');
  assert.equal(addCustom(start, '').kind, 'error');
  assert.deepEqual(removeCustom(torch.selection, 'heNormal'), { selected: ['nn.init.kaiming_normal_(w)'], custom: ['nn.init.kaiming_normal_(w)'] });
});

test('compare order: the catalog’s, then written ones as added', () => {
  const s = { selected: ['Orthogonal(gain=2.0)', 'he_normal', 'zeros'], custom: ['Orthogonal(gain=2.0)'] };
  assert.deepEqual(orderedSelection(s), ['zeros', 'he_normal', 'Orthogonal(gain=2.0)']);
});

test('requests: one per initializer on the settings’ config, valid protocol, unique ids', () => {
  let n = 0;
  const config = { ...DEFAULT_CONFIG, hidden: [64, 32], steps: 40 };
  const requests = buildRequests(['zeros', 'he_normal', 'HeNormal(seed=7)'], config, () => `id${++n}`);
  assert.deepEqual(
    requests.map((r) => [r.runId, r.label, r.initializer]),
    [
      ['id1', 'Zeros', 'zeros'],
      ['id2', 'HeNormal', 'he_normal'],
      ['id3', 'HeNormal(seed=7)', 'HeNormal(seed=7)'],
    ],
  );
  for (const r of requests) {
    assert.deepEqual(r.config, config);
    assert.ok(runRequestSchema.safeParse(r).success);
  }
  assert.equal(comparisonTitle(requests), 'From settings: 784→64,32→10, relu, 40 steps');
  const again = buildRequests(['zeros'], config);
  const other = buildRequests(['zeros'], config);
  assert.notEqual(again[0].runId, other[0].runId, 'ids never collide with a queued comparison');
});

test('requests are refused with one line: nothing chosen, a bad config, an unreadable text', () => {
  assert.throws(() => buildRequests([], DEFAULT_CONFIG), (e: Error) => e instanceof SelectionError && /choose at least one initializer/.test(e.message));
  assert.throws(() => buildRequests(['zeros'], { ...DEFAULT_CONFIG, hidden: Array(200).fill(8192) as number[] }), (e: Error) => e instanceof ConfigError && /network too large/.test(e.message));
  assert.throws(
    () => buildRequests(['zeros', 'RandomNormal(stdev=1)'], DEFAULT_CONFIG),
    (e: Error) => e instanceof SelectionError && /^RandomNormal\(stdev=1\): .*unknown argument 'stdev'/.test(e.message) && !e.message.includes('\n'),
  );
});
