/**
 * The panel's role cards (webview/panel/flags.ts groupRoles): a layer's role comes from the
 * model's structure, so runs where the same layers have the same role share one card, each run's
 * evidence on it; runs where the layers differ keep their own. Documents built as the session
 * builds them (started events through applyEvent, the host's snapshot).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeltaTracker } from '../../src/compare/delta';
import type { LayerInfo, LayerScaleRole } from '../../src/protocol';
import { applyEvent, newDocument } from '../../src/results';
import { groupRoles } from '../../webview/panel/flags';
import { layerInfo, requests } from './panelFixtures';

const normalized = (layer: string, variance: number): LayerScaleRole => ({
  kind: 'normalized',
  by: `${layer}_bn`,
  forward: true,
  backward: false,
  evidence: `${layer}'s output is normalized by ${layer}_bn: its variance ${variance} before, 1 after`,
  note: 'normalization',
});

function runs(roles: Record<string, LayerScaleRole | undefined>[]) {
  const labels = roles.map((_, i) => ['HeNormal', 'GlorotUniform', 'RandomNormal'][i]);
  const doc = newDocument(requests(labels, 10));
  const data = { source: 'mnist', kind: 'bundled' as const, description: 'bundled digits', train: 8000, test: 2000 };
  roles.forEach((byLayer, i) => {
    const layers: LayerInfo[] = ['dense_1', 'dense_2', 'dense_3'].map((name, j) => ({ ...layerInfo(name, null, j === 2), ...(byLayer[name] ? { scaleRole: byLayer[name] } : {}) }));
    applyEvent(doc, { type: 'started', runId: `run${i + 1}`, backend: 'wasm', backendReason: 'test', data, layers, inputSecondMoment: 0.1 });
  });
  return new DeltaTracker(() => undefined, () => 10).snapshot(doc, { title: 'test', skipped: [], running: false }).runs;
}

test('runs whose layers have the same roles share one role card, with every run and its evidence', () => {
  const panelRuns = runs([
    { dense_1: normalized('dense_1', 1290), dense_2: normalized('dense_2', 3.1) },
    { dense_1: normalized('dense_1', 0.4), dense_2: normalized('dense_2', 0.9) },
  ]);
  const groups = groupRoles(panelRuns, (id) => id);
  assert.equal(groups.length, 1, 'one card, not one per run');
  const [g] = groups;
  assert.equal(g.kind, 'normalized');
  assert.deepEqual(g.layerNames, ['dense_1', 'dense_2']);
  assert.deepEqual(g.members.map((m) => m.run.initializer), ['HeNormal', 'GlorotUniform']);
  assert.deepEqual(g.members.map((m) => m.layers.map((l) => l.evidence.match(/variance (\S+)/)?.[1])), [['1290', '3.1'], ['0.4', '0.9']]);
});

test('a run whose role falls on other layers gets its own card', () => {
  const panelRuns = runs([
    { dense_1: normalized('dense_1', 1290), dense_2: normalized('dense_2', 3.1) },
    { dense_1: normalized('dense_1', 0.4) },
    { dense_1: normalized('dense_1', 2), dense_2: normalized('dense_2', 5) },
  ]);
  const groups = groupRoles(panelRuns, (id) => id);
  assert.deepEqual(groups.map((g) => [g.layerNames.join('+'), g.members.map((m) => m.run.runId).join(' ')]), [['dense_1+dense_2', 'run1 run3'], ['dense_1', 'run2']]);
});
