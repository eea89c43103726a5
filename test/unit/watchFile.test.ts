/**
 * watch() in a real training script (Debian's python3-torch), read back the way the extension
 * reads .initlens/runs/: the same schema, the host's theory and diagnosis, malformed and
 * truncated files skipped with a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatchFileReader } from '../../src/probe/pytorch/watchFile';
import { pythonHelperDir } from '../../src/probe/paths';
import type { ProbeEvent } from '../../src/protocol';

const python = process.env.INITLENS_TEST_PYTHON ?? '/usr/bin/python3';
const script = join(__dirname, '..', 'fixtures', 'pytorch', 'train_watch.py');

function train(steps: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'initlens-runs-'));
  const r = spawnSync(python, [script, String(steps)], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, PYTHONPATH: pythonHelperDir(), INITLENS_RUN_DIR: dir } });
  assert.equal(r.status, 0, r.stderr);
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  assert.equal(files.length, 1);
  assert.equal(r.stdout.trim(), join(dir, files[0]), 'watch() reports where it writes');
  return readFileSync(join(dir, files[0]), 'utf8');
}

let text = '';

test('watch(): a real training loop streams started, a step every 10 training forwards, finished', () => {
  text = train(30);
  const reader = new WatchFileReader('run.jsonl');
  const { events, warnings } = reader.push(text);
  assert.deepEqual(warnings, []);
  const kinds = events.filter((e) => e.type !== 'flag').map((e) => e.type);
  assert.deepEqual(kinds, ['started', 'step', 'step', 'step', 'finished']);
  const started = events[0] as Extract<ProbeEvent, { type: 'started' }>;
  assert.equal(started.backend, 'pytorch');
  assert.equal(started.data.kind, 'user');
  assert.deepEqual(started.layers.map((l) => [l.kind, l.activation]), [['conv2d', 'relu'], ['dense', 'tanh'], ['dense', 'linear']]);
  // The host filled in the theory from the spec the runner recognized (PyTorch's default).
  assert.ok(started.layers.every((l) => l.theoryWeightStd > 0));
  assert.ok(started.layers[1].predictedGain !== null && started.layers[1].predictedGain < 1);
  const steps = events.filter((e): e is Extract<ProbeEvent, { type: 'step' }> => e.type === 'step');
  // Evaluation forwards (model.eval()) are not training steps.
  assert.deepEqual(steps.map((s) => s.metrics.step), [0, 10, 20]);
  for (const s of steps) {
    assert.equal(s.metrics.layers.length, 3);
    assert.ok(s.metrics.loss !== null && s.metrics.loss > 0, 'the loss .backward() started from');
    for (const l of s.metrics.layers) {
      assert.ok((l.gradNorm ?? 0) > 0 && (l.backwardSecondMoment ?? 0) > 0 && (l.updateRatio ?? 0) > 0);
    }
  }
  assert.equal(steps[0].metrics.layers[0].channels?.activationVariance.length, 8);
  const finished = events.at(-1) as Extract<ProbeEvent, { type: 'finished' }>;
  assert.equal(finished.final.steps, 30);
  // Throughput of the user's own loop: 30 training forwards of 64 (evaluation forwards do not count).
  assert.ok(Math.abs(finished.timing.samplesPerSecond * finished.timing.seconds - 30 * 64) < 1e-6 * 30 * 64, `${finished.timing.samplesPerSecond} samples/s over ${finished.timing.seconds} s`);
});

test('watch(): lines arrive in pieces; a half-written line waits for its newline', () => {
  const reader = new WatchFileReader('run.jsonl');
  const cut = text.indexOf('\n') + 50;
  const first = reader.push(text.slice(0, cut));
  assert.deepEqual(first.events.filter((e) => e.type !== 'flag').map((e) => e.type), ['started']);
  const rest = reader.push(text.slice(cut));
  assert.deepEqual(rest.events.filter((e) => e.type !== 'flag').map((e) => e.type), ['step', 'step', 'step', 'finished']);
  assert.deepEqual([...first.warnings, ...rest.warnings], []);
});

test('watch(): malformed, foreign and truncated records are skipped with a warning, never thrown', () => {
  const lines = text.trim().split('\n');
  const damaged = [lines[0], '{"type": "step", "runId": ', 'not json at all', lines[1].replace(/"runId": "[^"]+"/, '"runId": "someone-else"'), lines[2], lines[3].slice(0, 40)].join('\n');
  const reader = new WatchFileReader('bad.jsonl');
  const chunk = reader.push(damaged);
  const end = reader.end();
  const warnings = [...chunk.warnings, ...end.warnings];
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.match(warnings[0], /^bad\.jsonl:2: skipped a malformed record \(not JSON/);
  assert.match(warnings[2], /^bad\.jsonl:4: skipped a record of another run \(someone-else\)/);
  assert.match(warnings[3], /^bad\.jsonl:6: skipped a malformed record/);
  assert.deepEqual(chunk.events.filter((e) => e.type !== 'flag').map((e) => e.type), ['started', 'step']);
  const orphan = new WatchFileReader('orphan.jsonl').push(lines[1] + '\n');
  assert.match(orphan.warnings[0], /skipped a 'step' record before the run's 'started' record/);
});
