/** The probe protocol's validators: good messages pass, anything else is an error value, never a throw. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_PROBE_THREADS, parseLine, probeCommandSchema, probeEventSchema, toJsonLine } from '../../src/protocol';
import { DEFAULT_CONFIG } from '../../src/probe/config';

const good = {
  type: 'flag',
  runId: 'r1',
  flag: { kind: 'symmetric', layer: 1, step: 0, evidence: 'only 1 of 128 units', note: 'zero-symmetry', values: { distinctUnits: 1 } },
};

test('a valid event round-trips through a JSON line', () => {
  const parsed = parseLine(probeEventSchema, toJsonLine(good));
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, good);
});

test('NaN and Infinity travel as null (JSON has neither)', () => {
  const line = toJsonLine({ a: NaN, b: Infinity, c: 1 });
  assert.equal(line, '{"a":null,"b":null,"c":1}');
});

test('unknown types, wrong fields and non-JSON are errors with a reason', () => {
  for (const line of ['nope', '{}', '{"type":"flag","runId":"r"}', JSON.stringify({ ...good, flag: { ...good.flag, kind: 'melting' } }), JSON.stringify({ type: 'start', request: {} })]) {
    const parsed = parseLine(probeEventSchema, line);
    assert.equal(parsed.ok, false, line);
    if (!parsed.ok) assert.ok(parsed.error.length > 0);
  }
});

test('a start command carries a full, typed config', () => {
  const cmd = { type: 'start', request: { runId: 'r', label: 'he', initializer: 'he_normal', config: DEFAULT_CONFIG } };
  assert.ok(parseLine(probeCommandSchema, JSON.stringify(cmd)).ok);
  const bad = { ...cmd, request: { ...cmd.request, config: { ...DEFAULT_CONFIG, activation: 'swish' } } };
  assert.equal(parseLine(probeCommandSchema, JSON.stringify(bad)).ok, false);
});

test('fuzz: arbitrary strings and JSON values never throw', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v))), (line) => {
      assert.equal(typeof parseLine(probeEventSchema, line).ok, 'boolean');
      assert.equal(typeof parseLine(probeCommandSchema, line).ok, 'boolean');
    }),
    { numRuns: 2000 },
  );
});

test('fuzz: mutated valid events are either valid or rejected, never thrown', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), fc.jsonValue(), (key, value) => {
      const mutated = { ...good, flag: { ...good.flag, [key]: value } };
      const r = parseLine(probeEventSchema, JSON.stringify(mutated));
      if (r.ok) assert.equal(r.value.type, 'flag');
    }),
    { numRuns: 1000 },
  );
});

test('one-line reasons: an error shows its first line only, a failed parse its field and problem', async () => {
  const { firstLine, issueLine, parseWith } = await import('../../src/protocol/parse');
  const { z } = await import('zod');
  assert.equal(firstLine(new Error('bad value\n    at somewhere (file.ts:1:1)')), 'bad value');
  assert.equal(firstLine('plain text\nsecond'), 'plain text');
  const schema = z.object({ steps: z.number().int() }).strict();
  const failed = schema.safeParse({ steps: 1.5 });
  assert.ok(!failed.success);
  assert.match(issueLine(failed.error), /^steps: /);
  const whole = z.number().safeParse('x');
  assert.ok(!whole.success);
  assert.match(issueLine(whole.error, 'value'), /^value: /);
  const parsed = parseWith(schema, { type: 'run', steps: 'many' });
  assert.ok(!parsed.ok);
  assert.match(parsed.error, /^run: /);
});

test('probe commands: a thread budget on start and while running, whole numbers from 1 to the guard', () => {
  const request = { runId: 'r', label: 'he', initializer: 'he_normal', config: DEFAULT_CONFIG };
  assert.ok(parseLine(probeCommandSchema, JSON.stringify({ type: 'start', request, threads: 2 })).ok);
  assert.ok(parseLine(probeCommandSchema, JSON.stringify({ type: 'threads', count: 1 })).ok);
  for (const count of [0, 1.5, -1, MAX_PROBE_THREADS + 1, '2']) {
    assert.equal(parseLine(probeCommandSchema, JSON.stringify({ type: 'threads', count })).ok, false, `count ${String(count)}`);
    assert.equal(parseLine(probeCommandSchema, JSON.stringify({ type: 'start', request, threads: count })).ok, false, `start threads ${String(count)}`);
  }
});

test("a finished run's timing may say how many threads it was allowed (a whole number ≥ 1), and may leave it out (PyTorch runs, older results)", () => {
  const finished = (timing: Record<string, unknown>): string =>
    JSON.stringify({ type: 'finished', runId: 'r', final: { validationAccuracy: 0.9, loss: 0.3, steps: 20 }, timing: { seconds: 1, samplesPerSecond: 640, firstMetricSeconds: 0.2, ...timing }, numTensorsBefore: 0, numTensorsAfter: 0 });
  assert.ok(parseLine(probeEventSchema, finished({})).ok);
  assert.ok(parseLine(probeEventSchema, finished({ threads: 2 })).ok);
  for (const threads of [0, 1.5, '2']) assert.equal(parseLine(probeEventSchema, finished({ threads })).ok, false, `threads ${String(threads)}`);
});
