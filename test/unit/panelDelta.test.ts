// Snapshot then deltas: the tracker sends each step record and flag once, headers only when
// they change, notes once; the webview's model rebuilt from them equals the document. The
// throttle gives ≤ 1 flush per interval and never loses the last update.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeltaTracker } from '../../src/compare/delta';
import { Throttle } from '../../src/compare/throttle';
import type { Timers } from '../../src/compare/throttle';
import { parseHostMessage } from '../../src/protocol/panel';
import type { PanelNote } from '../../src/protocol/panel';
import { applyDelta, applySnapshot } from '../../webview/panel/model';
import { loadNote } from '../../src/notes';
import { SYMMETRIC, stats, step, syntheticDocument } from './panelFixtures';

const extras = { title: 'Seed model', skipped: ['Conv2D(32): not a dense layer'], running: true };
const note = (id: string): PanelNote | undefined => {
  const n = loadNote(id);
  return n && { id: n.id, title: n.title, summary: n.summary, body: n.body };
};

describe('DeltaTracker', () => {
  it('sends only what is new, and a header only when it changed', () => {
    const { doc, feed } = syntheticDocument();
    const tracker = new DeltaTracker(note, () => 20);
    const snap = tracker.snapshot(doc, extras);
    assert.equal(snap.runs[0].steps.length, 3);
    assert.deepEqual(snap.notes.map((n) => n.id), ['zero-symmetry']);
    assert.equal(tracker.delta(extras), undefined, 'nothing changed, nothing sent');

    feed({ type: 'step', runId: 'run2', metrics: step(10, [stats(0.07), stats(0.002)]) });
    const d1 = tracker.delta(extras)!;
    assert.equal(d1.runs.length, 1);
    assert.equal(d1.runs[0].runId, 'run2');
    assert.deepEqual(d1.runs[0].steps.map((s) => s.step), [10], 'only the new record, never the history');
    assert.equal(d1.runs[0].header, undefined, 'status unchanged: no header');
    assert.deepEqual(d1.notes, [], 'the note was in the snapshot');
    assert.equal(d1.meta, undefined);

    feed({ type: 'flag', runId: 'run2', flag: { ...SYMMETRIC, kind: 'dead', note: 'dead-relu' } });
    feed({ type: 'failed', runId: 'run2', reason: 'the probe process ran out of memory' });
    const d2 = tracker.delta({ ...extras, running: false })!;
    assert.equal(d2.runs[0].header?.status, 'failed');
    assert.equal(d2.runs[0].header?.error, 'the probe process ran out of memory');
    assert.deepEqual(d2.runs[0].flags.map((f) => f.kind), ['dead']);
    assert.deepEqual(d2.notes.map((n) => n.id), ['dead-relu']);
    assert.equal(d2.meta?.running, false);
  });

  it('a delta costs the same after 10 records as after 2000: histories are never resent', () => {
    const sizeOfNextDelta = (history: number): number => {
      const { doc, feed } = syntheticDocument();
      const tracker = new DeltaTracker(note);
      for (let s = 1; s <= history; s++) feed({ type: 'step', runId: 'run2', metrics: step(10 * s, [stats(0.07), stats(0.002)]) });
      tracker.snapshot(doc, extras);
      feed({ type: 'step', runId: 'run2', metrics: step(10 * (history + 1), [stats(0.07), stats(0.002)]) });
      return JSON.stringify(tracker.delta(extras)).length;
    };
    const small = sizeOfNextDelta(10);
    const large = sizeOfNextDelta(2000);
    assert.ok(Math.abs(large - small) <= 8, `${small} vs ${large} bytes`);
  });

  it('includes whole records for runs queued onto the document', () => {
    const { doc } = syntheticDocument();
    const tracker = new DeltaTracker(note);
    tracker.snapshot(doc, extras);
    doc.runs.push({ ...doc.runs[1], runId: 'run3', initializer: 'LecunNormal', status: 'queued', steps: [], flags: [], layers: [] });
    const d = tracker.delta(extras)!;
    assert.equal(d.runs.length, 1);
    assert.equal(d.runs[0].header?.initializer, 'LecunNormal');
  });

  it('rebuilds the document in the webview model: snapshot + deltas = the whole', () => {
    const { doc, feed } = syntheticDocument();
    const tracker = new DeltaTracker(note, () => 20);
    const snapMsg = { type: 'snapshot' as const, seq: 1, ...tracker.snapshot(doc, extras) };
    const model = applySnapshot(snapMsg);
    let seq = 1;
    for (let s = 10; s <= 20; s += 10) {
      feed({ type: 'step', runId: 'run2', metrics: step(s, [stats(0.07), stats(0.002)]) });
      const message = parseHostMessage({ type: 'delta', seq: ++seq, ...tracker.delta(extras)! });
      assert.ok(message.ok && message.value.type === 'delta');
      assert.deepEqual(applyDelta(model, message.value), { ok: true });
    }
    feed({ type: 'finished', runId: 'run2', final: { validationAccuracy: 0.9, loss: 0.3, steps: 20 }, timing: { seconds: 1, samplesPerSecond: 640, firstMetricSeconds: 0.1 }, numTensorsBefore: 1, numTensorsAfter: 1 });
    const last = tracker.delta(extras)!;
    assert.deepEqual(applyDelta(model, { type: 'delta', seq: ++seq, ...last }), { ok: true });
    for (const run of doc.runs) {
      const copy = model.runs.find((r) => r.runId === run.runId)!;
      assert.deepEqual(copy.steps, run.steps);
      assert.deepEqual(copy.flags, run.flags);
      assert.equal(copy.status, run.status);
      assert.deepEqual(copy.final, run.final);
    }
  });

  it('the model refuses stale, unknown or non-continuing deltas (it asks for a snapshot instead)', () => {
    const { doc } = syntheticDocument();
    const tracker = new DeltaTracker(note);
    const model = applySnapshot({ type: 'snapshot', seq: 5, ...tracker.snapshot(doc, extras) });
    assert.equal(applyDelta(model, { type: 'delta', seq: 5, runs: [], notes: [] }).ok, false);
    assert.equal(applyDelta(model, { type: 'delta', seq: 6, runs: [{ runId: 'ghost', steps: [], flags: [] }], notes: [] }).ok, false);
    const repeat = { type: 'delta' as const, seq: 7, runs: [{ runId: 'run1', steps: [step(20, [stats(0), stats(0)])], flags: [] }], notes: [] };
    assert.equal(applyDelta(model, repeat).ok, false, 'step 20 is already there');
  });
});

/** Time that moves only when the test says so. */
function manualTimers(): Timers & { advance(ms: number): void } {
  let now = 0;
  let queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      queue = queue.filter((t) => t.id !== id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = queue.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        queue = queue.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = until;
    },
  };
}

describe('Throttle', () => {
  it('flushes at most once per interval and always flushes the last poke', () => {
    const timers = manualTimers();
    let flushes = 0;
    const throttle = new Throttle(100, () => flushes++, timers);
    throttle.poke();
    assert.equal(flushes, 1, 'the first poke after a quiet period goes at once');
    for (let i = 0; i < 50; i++) {
      timers.advance(1);
      throttle.poke();
    }
    assert.equal(flushes, 1, 'a burst within the interval waits');
    timers.advance(100);
    assert.equal(flushes, 2, 'and collapses into one trailing flush');
    for (let t = 0; t < 1000; t += 5) {
      throttle.poke();
      timers.advance(5);
    }
    assert.ok(flushes <= 2 + 11, `${flushes} flushes in one second of constant pokes`);
    timers.advance(200);
    const settled = flushes;
    timers.advance(1000);
    assert.equal(flushes, settled, 'no flush without a poke');
  });

  it('flushNow sends a waiting update at once; dispose cancels it', () => {
    const timers = manualTimers();
    let flushes = 0;
    const throttle = new Throttle(100, () => flushes++, timers);
    throttle.poke();
    throttle.poke();
    throttle.flushNow();
    assert.equal(flushes, 2);
    throttle.poke();
    throttle.dispose();
    timers.advance(500);
    assert.equal(flushes, 2);
  });
});
