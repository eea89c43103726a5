/**
 * Several seeds in the panel: requests per seed, the host's summary in the panel's meta, and the
 * charts' mean-with-band reduction (webview/panel/seedBands.ts). Pure, no DOM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandOf, bandPoints, bandRuns, seedGroups, seedsPerInitializer } from '../../webview/panel/seedBands';
import { buildRequests, withSeeds, readCompareArgs } from '../../src/compare/requests';
import { hasRepeatedInitializer, panelMeta } from '../../src/compare/delta';
import { newDocument } from '../../src/results';
import type { RunRecord } from '../../src/results';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { hasSeveralSeeds, meanInterval, studentT975 } from '../../src/view/intervals';
import { intervalText, seedBandCaption, seedFlagsText } from '../../src/view/format';
import type { PanelRun } from '../../src/protocol/panel';
import { panelMetaSchema } from '../../src/protocol/panel';

const panelRun = (runId: string, initializer: string, seed: number, losses: (number | null)[]): PanelRun => ({
  runId,
  initializer,
  spec: null,
  activation: 'relu',
  hidden: [8],
  status: 'finished',
  seed,
  layers: [],
  flags: [],
  steps: losses.map((loss, i) => ({ step: 10 * i, loss, validationAccuracy: null, layers: [] }) as unknown as PanelRun['steps'][number]),
});

test('withSeeds: each initializer N times with seeds seed, seed+1, …, initializer by initializer', () => {
  let n = 0;
  const makeId = (): string => `id${++n}`;
  const base = buildRequests(['HeNormal', 'GlorotNormal'], { ...DEFAULT_CONFIG, seed: 42 }, makeId);
  const seeded = withSeeds(base, 3, makeId);
  assert.deepEqual(
    seeded.map((r) => [r.label, r.config.seed]),
    [
      ['HeNormal', 42],
      ['HeNormal', 43],
      ['HeNormal', 44],
      ['GlorotNormal', 42],
      ['GlorotNormal', 43],
      ['GlorotNormal', 44],
    ],
  );
  assert.equal(new Set(seeded.map((r) => r.runId)).size, 6, 'run ids unique');
  assert.equal(seeded[0].runId, base[0].runId);
  assert.deepEqual(withSeeds(base, 1), base);
  // The command's argument may ask for seeds, within the setting's range.
  assert.equal(readCompareArgs({ initializers: ['HeNormal'], network: 'seed', seeds: 2 }).ok, true);
  const bad = readCompareArgs({ initializers: ['HeNormal'], network: 'seed', seeds: 21 });
  assert.ok(!bad.ok && /seeds/.test(bad.error), JSON.stringify(bad));
});

test('the panel meta carries the engine’s seed summary only when an initializer ran more than once', () => {
  const extras = { title: 't', skipped: [], running: false };
  const requests = withSeeds(buildRequests(['HeNormal', 'Zeros'], DEFAULT_CONFIG), 2);
  const doc = newDocument(requests);
  const finish = (run: RunRecord, acc: number): void => {
    run.status = 'finished';
    run.final = { validationAccuracy: acc, loss: 1 - acc, steps: 10 };
  };
  finish(doc.runs[0], 0.9);
  finish(doc.runs[1], 0.92);
  finish(doc.runs[2], 0.1);
  doc.runs[3].status = 'running';
  doc.runs[2].flags.push({ kind: 'symmetric', layer: 1, step: 0, evidence: 'e', note: 'zero-symmetry' } as RunRecord['flags'][number]);
  assert.ok(hasRepeatedInitializer(doc.runs));
  const meta = panelMeta(doc, extras);
  assert.ok(panelMetaSchema.safeParse(meta).success);
  const he = meta.seeds?.[0];
  assert.equal(he?.initializer, 'HeNormal');
  assert.equal(he?.finished, 2);
  const half = (studentT975(1) * Math.sqrt(((0.9 - 0.91) ** 2 + (0.92 - 0.91) ** 2) / 1)) / Math.sqrt(2);
  assert.ok(Math.abs((he?.validationAccuracy.high ?? 0) - (0.91 + half)) < 1e-12);
  const zeros = meta.seeds?.[1];
  assert.equal(zeros?.finished, 1, 'the running seed is not in the interval');
  assert.deepEqual(zeros?.validationAccuracy, { mean: 0.1, low: null, high: null });
  assert.equal(seedFlagsText(zeros!), 'symmetric 1/2');
  // One seed each: no summary, the table stays one row per run.
  assert.equal(panelMeta(newDocument(buildRequests(['HeNormal', 'Zeros'], DEFAULT_CONFIG)), extras).seeds, undefined);
});

test('interval texts: mean [low, high], the mean alone without spread, and what the band is', () => {
  assert.equal(intervalText({ mean: 0.91, low: 0.8, high: 1.02 }, (x) => `${(100 * (x ?? 0)).toFixed(1)}%`), '91.0% [80.0%, 102.0%]');
  assert.equal(intervalText({ mean: 0.5, low: null, high: null }), '0.5');
  assert.equal(intervalText({ mean: null, low: null, high: null }), '—');
  assert.equal(seedBandCaption(3), 'mean ± 95% CI (Student t) over 3 seeds');
});

test('seed groups and bands: the mean and 95% interval position by position, gaps where seeds have no value', () => {
  const runs = [
    panelRun('a1', 'HeNormal', 42, [2.3, 1.0, 0.5]),
    panelRun('b1', 'Zeros', 42, [2.3, 2.3, 2.3]),
    panelRun('a2', 'HeNormal', 43, [2.31, 1.2, null]),
    panelRun('a3', 'HeNormal', 44, [2.29, 0.8, 0.7]),
  ];
  const groups = seedGroups(runs);
  assert.deepEqual(
    groups.map((g) => [g.initializer, g.runs.map((r) => r.runId)]),
    [
      ['HeNormal', ['a1', 'a2', 'a3']],
      ['Zeros', ['b1']],
    ],
  );
  assert.equal(seedsPerInitializer(groups), 3);
  const series = groups[0].runs.map((r) => r.steps.map((s) => s.loss));
  const band = bandOf(series);
  for (const i of [0, 1, 2]) {
    const expected = meanInterval(series.map((s) => s[i]));
    assert.equal(band.mean[i], expected.mean);
    assert.equal(band.low[i], expected.low);
    assert.equal(band.high[i], expected.high);
  }
  assert.deepEqual(band.count, [3, 3, 2]);
  assert.ok(Math.abs((band.mean[1] ?? 0) - 1) < 1e-12);
  // Spread 0.2 over three seeds: half-width t(2)·s/√3 = 4.303·0.2/√3.
  assert.ok(Math.abs((band.high[1] ?? 0) - (1 + (4.303 * 0.2) / Math.sqrt(3))) < 1e-12);
  assert.ok((band.low[1] ?? 1) < 1 && (band.high[1] ?? 0) > 1);
  // One seed: a mean, no band.
  const single = bandOf(groups[1].runs.map((r) => r.steps.map((s) => s.loss)));
  assert.deepEqual(single.low, [null, null, null]);
  assert.equal(bandPoints([band, single]), 3);
  // Identical values have no width: nothing shaded there.
  assert.equal(bandPoints([bandOf([[1, 2], [1, 3]])]), 1);
});

test('bandRuns: the stretches where a band has both ends, each drawn as one shape', () => {
  assert.deepEqual(bandRuns([null, 1, 2, null, 3], [null, 2, 3, null, 4]), [[1, 2], [4]]);
  assert.deepEqual(bandRuns([1, null], [2, 2]), [[0]]);
  assert.deepEqual(bandRuns([], []), []);
});

test('Save report with several seeds: the engine’s mean and 95% CI per initializer above every seed’s run', async () => {
  const { reportMarkdown } = await import('../../src/compare/reportMarkdown');
  const doc = newDocument(withSeeds(buildRequests(['HeNormal'], DEFAULT_CONFIG), 3));
  [0.9, 0.91, 0.92].forEach((acc, i) => {
    doc.runs[i].status = 'finished';
    doc.runs[i].final = { validationAccuracy: acc, loss: 0.3, steps: 10 };
  });
  const md = reportMarkdown({ doc, title: 't', skipped: [], images: [], note: () => undefined });
  const half = (4.303 * 0.01) / Math.sqrt(3);
  assert.match(md, /Final held-out accuracy and loss: mean ± 95% CI \(Student t\) over 3 seeds/);
  assert.ok(md.includes(`| HeNormal | 3 of 3 | 91.0% [${(100 * (0.91 - half)).toFixed(1)}%, ${(100 * (0.91 + half)).toFixed(1)}%] | 0.3 [0.3, 0.3] | none |`), md);
  assert.equal((md.match(/^\| HeNormal \| /gm) ?? []).length, 4, 'the summary row and the three seeds’ rows');
});

test('the same initializer queued twice with one seed is two comparisons, not seeds: no summary, no bands', () => {
  const once = buildRequests(['HeNormal', 'Zeros'], DEFAULT_CONFIG);
  const doc = newDocument([...once, ...buildRequests(['HeNormal', 'Zeros'], DEFAULT_CONFIG)]);
  assert.equal(hasSeveralSeeds(doc.runs), false);
  assert.equal(panelMeta(doc, { title: 't', skipped: [], running: false }).seeds, undefined);
  assert.equal(hasSeveralSeeds(newDocument(withSeeds(once, 2)).runs), true);
});
