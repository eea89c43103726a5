/**
 * Property tests for the parser: whatever the input, it answers quickly with either a spec
 * whose canonical text parses back to itself, or an InitializerParseError that is a user
 * error (not a wrapped internal one). And every valid spec survives formatSpec → parse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatSpec, InitializerParseError, parseInitializer } from '../../src/probe/initializers/parse';
import { PRESET_IDS, catalogEntry } from '../../src/probe/initializers/catalog';
import { truncatedStandardMoments } from '../../src/probe/initializers/normal';
import type { InitSpec } from '../../src/probe/initializers/spec';

const VALID = [
  "'he_normal'",
  'GlorotUniform',
  'RandomNormal(mean=0.0, stddev=0.05)',
  "keras.initializers.VarianceScaling(scale=2.0, mode='fan_out', distribution='uniform', seed=4)",
  'Constant(0.1)',
  'tf.initializers.varianceScaling({scale: 2, mode: "fanAvg"})',
  'tf.initializers.randomUniform({minval: -1, maxval: 1, seed: 1})',
  "kernelInitializer: 'heNormal'",
  "nn.init.kaiming_normal_(self.fc1.weight, a=0, mode='fan_in', nonlinearity='leaky_relu')",
  "nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('tanh'))",
  'torch.nn.init.trunc_normal_(w, mean=0, std=0.02, a=-0.04, b=0.04)',
  'nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))',
  'LSUV(tolerance=0.05, max_iterations=5)',
  'Orthogonal(gain=2 ** 0.5, seed=-1)',
];

const FRAGMENTS = [
  'he_normal', 'HeNormal', 'RandomNormal', 'VarianceScaling', 'tf', 'keras', 'initializers', 'nn', 'init', 'torch', 'kaiming_normal_',
  'trunc_normal_', 'calculate_gain', 'sqrt', 'math', 'float', 'w', 'seed', 'stddev', 'mode', 'gain', 'a', 'b', 'get', 'lsuv',
  '.', '(', ')', '{', '}', '[', ']', ',', '=', ':', ';', "'", '"', '`', '-', '+', '*', '/', '**', '#', '\\', ' ', '\n',
  '0', '-0', '2.', '.5', '1e999', '1e-2', '1_000', 'None', 'True', 'null', 'inf', "'fan_in'", "'inf'", "'relu'", '{seed: 1}',
];

/** Parses and checks the contract; returns nothing, throws an AssertionError on a violation. */
function checkContract(text: string): void {
  const t0 = performance.now();
  try {
    const parsed = parseInitializer(text);
    const again = parseInitializer(parsed.canonical);
    assert.deepStrictEqual(again.spec, parsed.spec, `${JSON.stringify(text)} → ${parsed.canonical}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof InitializerParseError, `${JSON.stringify(text)} threw ${String(err)}`);
    assert.equal(err.cause, undefined, `${JSON.stringify(text)}: internal error ${String(err.cause)}`);
    assert.ok(!/[\r\n]/.test(err.message), `${JSON.stringify(text)}: message not one line`);
  }
  // A hang guard, not a speed target (speed lives in benchmarks): generous for a busy CI machine.
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 5000, `${JSON.stringify(text)} took ${elapsed.toFixed(0)} ms`);
}

type Mutation = { at: number; op: 'delete' | 'insert' | 'replace' | 'duplicate'; ch: string };

function mutate(text: string, mutations: Mutation[]): string {
  let s = text;
  for (const m of mutations) {
    const i = s.length === 0 ? 0 : m.at % (s.length + 1);
    if (m.op === 'delete') s = s.slice(0, i) + s.slice(i + 1);
    else if (m.op === 'insert') s = s.slice(0, i) + m.ch + s.slice(i);
    else if (m.op === 'replace') s = s.slice(0, i) + m.ch + s.slice(i + 1);
    else s = s.slice(0, i) + s.slice(i, i + 8) + s.slice(i);
  }
  return s;
}

test('arbitrary strings: a spec or an InitializerParseError, quickly', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), checkContract), { numRuns: 2000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), checkContract), { numRuns: 1000 });
});

test('token soup: fragments of real initializers in random order', () => {
  const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }).map((parts) => parts.join(''));
  fc.assert(fc.property(soup, checkContract), { numRuns: 4000 });
});

test('mutations of valid inputs', () => {
  const mutation = fc.record({
    at: fc.nat(200),
    op: fc.constantFrom<Mutation['op']>('delete', 'insert', 'replace', 'duplicate'),
    ch: fc.constantFrom(...'()[]{},=:.\'"-+*/ _0123456789eaAzZ#\\\n'.split('')),
  });
  const mutated = fc.tuple(fc.constantFrom(...VALID), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([text, ms]) => mutate(text, ms));
  fc.assert(fc.property(mutated, checkContract), { numRuns: 4000 });
});

test('huge and deeply nested inputs are refused quickly', () => {
  checkContract('('.repeat(3000));
  checkContract(`RandomNormal(stddev=${'-'.repeat(3000)}1)`);
  checkContract(`RandomNormal(stddev=${'('.repeat(1500)}1${')'.repeat(1500)})`);
  checkContract(`RandomNormal(stddev=${'sqrt('.repeat(500)}1${')'.repeat(500)})`);
  checkContract('he_normal'.repeat(1000));
  checkContract(`'${'a'.repeat(3990)}'`);
});

// Doubles as the parser produces them: finite, and never -0 (it reads `-0.0` as 0).
const finite = (min = -1e300, max = 1e300): fc.Arbitrary<number> => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => x + 0);
const positive = finite(Number.MIN_VALUE, 1e300).filter((x) => x > 0);
const seed = fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined });
const withSeed = <T extends object>(spec: T, s: number | undefined): T => (s === undefined ? spec : { ...spec, seed: s });

const specArbitrary: fc.Arbitrary<InitSpec> = fc.oneof(
  fc.constant<InitSpec>({ kind: 'zeros' }),
  fc.constant<InitSpec>({ kind: 'ones' }),
  finite().map((value): InitSpec => ({ kind: 'constant', value })),
  fc.tuple(finite(), positive, seed).map(([mean, stddev, s]): InitSpec => withSeed({ kind: 'random_normal', mean, stddev }, s)),
  fc.tuple(finite(), finite(), seed)
    .filter(([a, b]) => a !== b)
    .map(([a, b, s]): InitSpec => withSeed({ kind: 'random_uniform', minval: Math.min(a, b), maxval: Math.max(a, b) }, s)),
  fc.tuple(finite(), positive, seed).map(([mean, stddev, s]): InitSpec => withSeed({ kind: 'truncated_normal', mean, stddev }, s)),
  fc
    .tuple(finite(-10, 10), finite(0.01, 10), finite(-50, 50), finite(-50, 50), seed)
    .filter(([m, sd, a, b]) => a < b && truncatedStandardMoments((a - m) / sd, (b - m) / sd).mass > 0)
    .map(([mean, stddev, lower, upper, s]): InitSpec => withSeed({ kind: 'truncated_normal', mean, stddev, lower, upper }, s)),
  fc
    .tuple(positive, fc.constantFrom('fan_in', 'fan_out', 'fan_avg'), fc.constantFrom('truncated_normal', 'untruncated_normal', 'uniform'), fc.boolean(), seed)
    .map(([scale, mode, distribution, uncorrected, s]): InitSpec =>
      withSeed(
        { kind: 'variance_scaling', scale, mode, distribution, ...(uncorrected && distribution === 'truncated_normal' ? { uncorrected: true } : {}) },
        s,
      ),
    ),
  fc.tuple(fc.constantFrom(...PRESET_IDS), fc.boolean(), seed).map(([id, tfjs, s]): InitSpec => {
    const d = catalogEntry(id).defaults;
    const uncorrected = tfjs && d.kind === 'variance_scaling' && d.distribution === 'truncated_normal';
    return withSeed(uncorrected ? { ...d, uncorrected: true } : { ...d }, s);
  }),
  fc.tuple(finite(), seed).map(([gain, s]): InitSpec => withSeed({ kind: 'orthogonal', gain }, s)),
  finite().map((gain): InitSpec => ({ kind: 'identity', gain })),
  fc
    .tuple(positive, fc.integer({ min: 1, max: 1000 }), seed)
    .map(([tolerance, maxIterations, s]): InitSpec => withSeed({ kind: 'lsuv', tolerance, maxIterations }, s)),
);

test('formatSpec → parseInitializer is the identity on valid specs', () => {
  fc.assert(
    fc.property(specArbitrary, (spec) => {
      const text = formatSpec(spec);
      assert.deepStrictEqual(parseInitializer(text).spec, spec, text);
    }),
    { numRuns: 3000 },
  );
});
