// The host ⇄ panel protocol: every valid message passes, malformed and unknown ones are
// refused with a one-line reason (the host and the webview then drop and log them).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseHostMessage, parseWebviewMessage } from '../../src/protocol/panel';
import { DeltaTracker } from '../../src/compare/delta';
import { syntheticDocument } from './panelFixtures';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const extras = { title: 'Seed model', skipped: [], running: true };

describe('panel protocol: webview → host', () => {
  it('accepts every message the webview sends', () => {
    const messages = [
      { type: 'ready' },
      { type: 'action', action: 'exportCsv' },
      { type: 'savePng', image: { id: 'loss', title: 'Training loss', dataUrl: PNG } },
      { type: 'charts', requestId: 3, images: [{ id: 'heatmap', title: 'Heatmap', dataUrl: PNG }] },
      { type: 'testReport', report: { seq: 2, runs: [{ runId: 'r1', initializer: 'Zeros', status: 'running', steps: 3, flags: ['symmetric'] }], notesShown: ['zero-symmetry'], points: 12, theme: 'dark' } },
      { type: 'log', level: 'warn', message: 'x' },
    ];
    for (const m of messages) assert.equal(parseWebviewMessage(m).ok, true, JSON.stringify(m));
  });

  it('refuses unknown types, unknown actions, bad PNGs and non-objects with a one-line reason', () => {
    const bad: unknown[] = [
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: 'action', action: 'deleteEverything' },
      { type: 'savePng', image: { id: 'loss', title: 't', dataUrl: 'data:text/html;base64,PHNjcmlwdD4=' } },
      { type: 'savePng', image: { id: 'notAChart', title: 't', dataUrl: PNG } },
      { type: 'charts', requestId: 1.5, images: [] },
      { type: 'log', level: 'debug', message: 'x' },
      null,
      'ready',
      42,
      [],
    ];
    for (const m of bad) {
      const parsed = parseWebviewMessage(m);
      assert.equal(parsed.ok, false, JSON.stringify(m));
      if (!parsed.ok) assert.doesNotMatch(parsed.error, /\n/);
    }
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const parsed = parseWebviewMessage(value);
        return typeof parsed.ok === 'boolean';
      }),
      { numRuns: 500 },
    );
  });
});

describe('panel protocol: host → webview', () => {
  it('accepts the snapshot and deltas the host builds', () => {
    const { doc, feed } = syntheticDocument();
    const tracker = new DeltaTracker(() => ({ id: 'zero-symmetry', title: 'T', summary: 'S', body: '# T' }));
    const snap = tracker.snapshot(doc, extras);
    assert.equal(parseHostMessage({ type: 'snapshot', seq: 1, ...snap }).ok, true);
    feed({ type: 'finished', runId: 'run1', final: { validationAccuracy: 0.113, loss: 2.28, steps: 20 }, timing: { seconds: 1, samplesPerSecond: 640, firstMetricSeconds: 0.2 }, numTensorsBefore: 0, numTensorsAfter: 0 });
    const delta = tracker.delta({ ...extras, running: false });
    assert.ok(delta);
    const parsed = parseHostMessage({ type: 'delta', seq: 2, ...delta });
    assert.equal(parsed.ok, true, parsed.ok ? '' : parsed.error);
    assert.equal(parseHostMessage({ type: 'captureCharts', requestId: 1 }).ok, true);
    assert.equal(parseHostMessage({ type: 'reportForTests' }).ok, true);
  });

  it('refuses a delta whose step record is malformed', () => {
    const parsed = parseHostMessage({ type: 'delta', seq: 2, notes: [], runs: [{ runId: 'run1', steps: [{ step: 'ten', layers: [] }], flags: [] }] });
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.error, /^delta: runs\.0\.steps\.0/);
  });
});
