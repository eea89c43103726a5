/**
 * The probe-process pool (src/probe/runner.ts, src/probe/worker.ts): a node probe process runs
 * runs one after another. Real processes, real training: a run in a reused process measures
 * exactly what it measures in a fresh one; a process that failed or was killed is never reused;
 * the jobs are a thread budget the runs still going share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuns } from '../../src/probe/runner';
import type { RunnerHandle } from '../../src/probe/runner';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import type { ProbeConfig } from '../../src/probe/config';
import { graphRequest, pickSourceGraph } from '../../src/editor/modelRequests';
import type { ProbeEvent, RunRequest } from '../../src/protocol';
import { makeDigits, npzBytes, tempDir } from './dataFixtures';

const dense = (runId: string, initializer: string, config: Partial<ProbeConfig> = {}): RunRequest => ({
  runId,
  label: initializer,
  initializer,
  config: { ...DEFAULT_CONFIG, data: 'mnist', steps: 20, every: 5, ...config },
});

/** A model as written in a fixture, probed as a layer graph. */
function model(runId: string, file: string, config: Partial<ProbeConfig> = {}): RunRequest {
  const path = join(__dirname, '..', 'fixtures', 'models', file);
  const { graph } = pickSourceGraph(readFileSync(path, 'utf8'), file.endsWith('.js') ? 'javascript' : 'python', file);
  return graphRequest(graph, { ...DEFAULT_CONFIG, data: 'mnist', steps: 4, every: 2, probeBatch: 32, validationSubset: 100, ...config }, runId, file, 'glorot_uniform');
}

interface Ran {
  events: ProbeEvent[];
  /** The probe process each run ran in, read from processIds() at its first event. */
  pids: Record<string, number | undefined>;
  handle: RunnerHandle;
  logs: string[];
}

async function run(requests: RunRequest[], jobs: number, onEvent?: (e: ProbeEvent, handle: RunnerHandle) => void): Promise<Ran> {
  const events: ProbeEvent[] = [];
  const logs: string[] = [];
  const pids: Record<string, number | undefined> = {};
  const handle: RunnerHandle = startRuns(requests, {
    jobs,
    onLog: (line) => logs.push(line),
    onEvent: (e) => {
      events.push(e);
      if (!(e.runId in pids)) pids[e.runId] = handle.processIds()[e.runId];
      onEvent?.(e, handle);
    },
  });
  await handle.done;
  return { events, pids, handle, logs };
}

const of = (events: ProbeEvent[], runId: string): ProbeEvent[] => events.filter((e) => e.runId === runId);
function finishedOf(events: ProbeEvent[], runId: string): Extract<ProbeEvent, { type: 'finished' }> {
  const f = of(events, runId).find((e) => e.type === 'finished');
  assert.ok(f && f.type === 'finished', `${runId} did not finish: ${JSON.stringify(of(events, runId).at(-1))}`);
  return f;
}
/** Everything a run measured: its events with the finished event's timing left out (wall and CPU time differ per run). */
function measured(events: ProbeEvent[], runId: string): unknown[] {
  return of(events, runId).map((e) => (e.type === 'finished' ? { ...e, timing: undefined } : e));
}

test('a run in a reused probe process emits exactly the events it emits in a fresh process (dense kernels and a model as written)', { timeout: 600_000 }, async () => {
  const x = dense('x', 'he_normal', { hidden: [64, 32], seed: 3 });
  const g = model('g', 'keras_conv_mnist.py', { seed: 5 });
  // One process, four runs: before x, another model's graph run with another seed; before g, an LSUV dense run of other widths.
  const reused = await run([model('warm-graph', 'tfjs_conv.js', { seed: 9 }), x, dense('warm-dense', 'lsuv', { hidden: [128, 64, 32], seed: 11 }), g], 1);
  const pids = new Set(Object.values(reused.pids));
  assert.equal(pids.size, 1, `all four runs in one process: ${JSON.stringify(reused.pids)}\n${reused.logs.join('\n')}`);
  assert.deepEqual(reused.logs.filter((l) => l.includes('dropped')), []);
  assert.ok([...pids][0] !== undefined);
  for (const req of [x, g]) {
    const fresh = await run([req], 1);
    assert.equal(of(fresh.events, req.runId)[0].type, 'started');
    assert.ok(of(fresh.events, req.runId).filter((e) => e.type === 'step').length >= 3);
    assert.deepEqual(measured(reused.events, req.runId), measured(fresh.events, req.runId), `${req.runId}: the reused process measured something else`);
  }
  const gStarted = of(reused.events, 'g')[0];
  assert.ok(gStarted.type === 'started' && gStarted.layers.some((l) => l.kind === 'conv2d'), 'g is the convolutional model');
  assert.match(gStarted.type === 'started' ? gStarted.backendReason : '', /InitLens WebAssembly SIMD matmul kernels/);
  for (const id of ['warm-graph', 'x', 'warm-dense', 'g']) {
    const f = finishedOf(reused.events, id);
    assert.equal(f.numTensorsAfter, f.numTensorsBefore, `${id} leaked tensors`);
  }
});

test('a reused process loads another data source when a run asks for one, and keeps the one it has otherwise', { timeout: 600_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'digits.npz');
    writeFileSync(file, npzBytes({ train: makeDigits(600, 28, 28, 1), test: makeDigits(300, 28, 28, 2) }, 'stored'));
    const small = { hidden: [32], steps: 6, every: 3, probeBatch: 64, validationSubset: 200 };
    const other = dense('npz', 'glorot_uniform', { ...small, data: file });
    const reused = await run([dense('m1', 'glorot_uniform', small), other, dense('m2', 'glorot_uniform', small)], 1);
    assert.equal(new Set(Object.values(reused.pids)).size, 1, JSON.stringify(reused.pids));
    const data = (events: ProbeEvent[], id: string): unknown => {
      const s = of(events, id)[0];
      return s.type === 'started' ? s.data : s;
    };
    assert.deepEqual(data(reused.events, 'npz'), { source: file, kind: 'npz', description: (data(reused.events, 'npz') as { description: string }).description, train: 600, test: 300 });
    assert.equal((data(reused.events, 'm1') as { kind: string }).kind, 'bundled');
    assert.deepEqual(data(reused.events, 'm2'), data(reused.events, 'm1'));
    const fresh = await run([other], 1);
    assert.deepEqual(measured(reused.events, 'npz'), measured(fresh.events, 'npz'));
  } finally {
    cleanup();
  }
});

test('a process whose run failed, or that was killed, is not reused; a fresh one takes the next run', { timeout: 600_000 }, async () => {
  // 100 layers of 8192 units: refused by the memory budget inside the probe process.
  const tooLarge = dense('too-large', 'he_normal', { hidden: Array(100).fill(8192) });
  let killed = false;
  const r = await run([dense('a', 'he_normal', { steps: 4, every: 2 }), dense('victim', 'he_normal', { steps: 100000, every: 10 }), tooLarge, dense('c', 'zeros', { steps: 4, every: 2 })], 1, (e, handle) => {
    if (!killed && e.type === 'step' && e.runId === 'victim') {
      killed = true;
      process.kill(handle.processIds().victim!, 'SIGKILL');
    }
  });
  assert.equal(r.pids.victim, r.pids.a, 'victim ran in the process a finished in');
  const victim = of(r.events, 'victim').at(-1)!;
  assert.ok(victim.type === 'failed' && /killed \(SIGKILL\)/.test(victim.reason), JSON.stringify(victim));
  const refused = of(r.events, 'too-large').at(-1)!;
  assert.ok(refused.type === 'failed' && /network too large/.test(refused.reason), JSON.stringify(refused));
  assert.ok(r.pids['too-large'] !== undefined && r.pids['too-large'] !== r.pids.victim, 'a fresh process after the kill');
  finishedOf(r.events, 'c');
  assert.ok(r.pids.c !== undefined && r.pids.c !== r.pids['too-large'], 'a fresh process after the failure');
  assert.equal(r.handle.running, 0);
});

test('runs enqueued on a live runner go to the process that is already there', { timeout: 600_000 }, async () => {
  let enqueued = false;
  const r = await run([dense('first', 'he_normal')], 1, (e, handle) => {
    if (!enqueued && e.type === 'step') {
      enqueued = true;
      handle.enqueue([dense('second', 'glorot_normal')]);
    }
  });
  finishedOf(r.events, 'first');
  finishedOf(r.events, 'second');
  assert.equal(r.pids.second, r.pids.first);
});

test('thread budgets: a run alone gets every job; the runs going never hold more threads than jobs, and the last one gets the spare', { timeout: 600_000 }, async () => {
  const alone = await run([dense('alone', 'he_normal', { steps: 4, every: 2 })], 2, (e, handle) => {
    if (e.type === 'started') assert.deepEqual(handle.threadBudgets(), { alone: 2 });
  });
  assert.equal(finishedOf(alone.events, 'alone').timing.threads, 2, 'the probe process applied the budget it was sent');

  const totals: number[] = [];
  // r2 (1000 steps) starts when r0 or r1 (20 steps) ends and outlasts the other one.
  const r = await run([dense('r0', 'he_normal'), dense('r1', 'glorot_normal'), dense('r2', 'zeros', { steps: 1000, every: 100 })], 2, (_e, handle) => {
    const shares = Object.values(handle.threadBudgets());
    assert.ok(shares.every((n) => n >= 1), JSON.stringify(handle.threadBudgets()));
    totals.push(shares.reduce((a, b) => a + b, 0));
  });
  assert.ok(totals.length > 10 && totals.every((t) => t <= 2), `threads handed out: ${totals.join(',')}`);
  assert.equal(finishedOf(r.events, 'r0').timing.threads, 1);
  assert.equal(finishedOf(r.events, 'r1').timing.threads, 1);
  const last = finishedOf(r.events, 'r2');
  assert.equal(last.timing.threads, 2, 'the last run got the spare thread by a threads command while it ran');
});
