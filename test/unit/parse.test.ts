/** The one initializer parser: every written form it promises, its errors, and round trips. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSpec, InitializerParseError, parseInitializer, specLabel } from '../../src/probe/initializers/parse';
import { INITIALIZER_CATALOG } from '../../src/probe/initializers/catalog';
import type { InitDialect, InitSpec } from '../../src/probe/initializers/spec';

const HE: InitSpec = { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', preset: 'he_normal' };
const HE_TFJS: InitSpec = { ...HE, uncorrected: true };
const GLOROT_UNIFORM: InitSpec = { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'uniform', preset: 'glorot_uniform' };

const ACCEPTED: [string, InitSpec, InitDialect][] = [
  // Keras strings, quoted or not
  ["'he_normal'", HE, 'keras'],
  ['"GlorotUniform"', GLOROT_UNIFORM, 'keras'],
  ['he_normal', HE, 'plain'],
  ['  he_normal  ', HE, 'plain'],
  ["'lecun_uniform'", { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'uniform', preset: 'lecun_uniform' }, 'keras'],
  ["'normal'", { kind: 'random_normal', mean: 0, stddev: 0.05 }, 'keras'],
  ["'zero'", { kind: 'zeros' }, 'keras'],
  ['zeros', { kind: 'zeros' }, 'plain'],
  ["kernel_initializer='he_normal'", HE, 'keras'],
  ["keras.initializers.get('glorot_uniform')", GLOROT_UNIFORM, 'keras'],
  // Keras calls, any prefix, keyword and positional arguments, Python numbers
  ['RandomNormal(mean=0.0, stddev=0.05)', { kind: 'random_normal', mean: 0, stddev: 0.05 }, 'keras'],
  ['RandomNormal(0.1, 2.)', { kind: 'random_normal', mean: 0.1, stddev: 2 }, 'keras'],
  ['RandomNormal(stddev=1e-2, seed=3)', { kind: 'random_normal', mean: 0, stddev: 0.01, seed: 3 }, 'keras'],
  ['RandomUniform(minval=-0.05, maxval=0.05)', { kind: 'random_uniform', minval: -0.05, maxval: 0.05 }, 'keras'],
  ['keras.initializers.RandomUniform(-1, 1, 5)', { kind: 'random_uniform', minval: -1, maxval: 1, seed: 5 }, 'keras'],
  ['TruncatedNormal(stddev=.02)', { kind: 'truncated_normal', mean: 0, stddev: 0.02 }, 'keras'],
  [
    "initializers.VarianceScaling(scale=2.0, mode='fan_out', distribution='uniform')",
    { kind: 'variance_scaling', scale: 2, mode: 'fan_out', distribution: 'uniform' },
    'keras',
  ],
  ["VarianceScaling(2., 'fan_avg', 'normal')", { kind: 'variance_scaling', scale: 2, mode: 'fan_avg', distribution: 'truncated_normal' }, 'keras'],
  ["VarianceScaling(distribution='Untruncated_Normal')", { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'untruncated_normal' }, 'keras'],
  ['VarianceScaling()', { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'truncated_normal' }, 'keras'],
  ['keras.initializers.HeNormal(seed=42)', { ...HE, seed: 42 }, 'keras'],
  ['HeNormal(42)', { ...HE, seed: 42 }, 'keras'],
  ['HeNormal(seed=None)', HE, 'keras'],
  ['he_normal()', HE, 'keras'],
  ['tf.keras.initializers.Orthogonal(gain=1.0)', { kind: 'orthogonal', gain: 1 }, 'keras'],
  ['Orthogonal(gain=2, seed=3)', { kind: 'orthogonal', gain: 2, seed: 3 }, 'keras'],
  ['keras.initializers.OrthogonalInitializer()', { kind: 'orthogonal', gain: 1 }, 'keras'],
  ['Identity(gain=0.5)', { kind: 'identity', gain: 0.5 }, 'keras'],
  ['Constant(0.1)', { kind: 'constant', value: 0.1 }, 'keras'],
  ['Constant(value=-0.05)', { kind: 'constant', value: -0.05 }, 'keras'],
  ['Constant()', { kind: 'constant', value: 0 }, 'keras'],
  ['keras.initializers.Zeros()', { kind: 'zeros' }, 'keras'],
  ['Ones();', { kind: 'ones' }, 'keras'],
  ['RandomNormal(\n    mean=0.0,\n    stddev=0.05,  # small\n)', { kind: 'random_normal', mean: 0, stddev: 0.05 }, 'keras'],
  // TensorFlow.js
  ['heNormal', HE_TFJS, 'tfjs'],
  ['leCunNormal', { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'truncated_normal', preset: 'lecun_normal', uncorrected: true }, 'tfjs'],
  ['glorotUniform', GLOROT_UNIFORM, 'tfjs'],
  ["'heUniform'", { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'uniform', preset: 'he_uniform' }, 'tfjs'],
  ['tf.initializers.heNormal({seed: 42})', { ...HE_TFJS, seed: 42 }, 'tfjs'],
  ['tf.initializers.heNormal()', HE_TFJS, 'tfjs'],
  ['tf.initializers.varianceScaling({scale: 2})', { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal', uncorrected: true }, 'tfjs'],
  [
    "tf.initializers.varianceScaling({scale: 2, mode: 'fanOut', distribution: 'uniform', seed: 1})",
    { kind: 'variance_scaling', scale: 2, mode: 'fan_out', distribution: 'uniform', seed: 1 },
    'tfjs',
  ],
  [
    "tf.initializers.varianceScaling({mode: 'fanAvg', distribution: 'normal'})",
    { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', uncorrected: true },
    'tfjs',
  ],
  // tfjs-layers samples anything but 'normal' from a uniform.
  ["tf.initializers.varianceScaling({distribution: 'truncatedNormal'})", { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'uniform' }, 'tfjs'],
  ['tf.initializers.randomNormal({mean: 0, stddev: 0.05, seed: 1})', { kind: 'random_normal', mean: 0, stddev: 0.05, seed: 1 }, 'tfjs'],
  ["tf.initializers.randomUniform({'minval': -1, maxval: 1,})", { kind: 'random_uniform', minval: -1, maxval: 1 }, 'tfjs'],
  // tfjs reads `args.minval || -0.05`.
  ['tf.initializers.randomUniform({minval: 0, maxval: 1})', { kind: 'random_uniform', minval: -0.05, maxval: 1 }, 'tfjs'],
  ['truncatedNormal', { kind: 'truncated_normal', mean: 0, stddev: 0.05 }, 'tfjs'],
  ['tf.initializers.truncatedNormal({stddev: 0.1})', { kind: 'truncated_normal', mean: 0, stddev: 0.1 }, 'tfjs'],
  ['tf.initializers.constant({value: 0.1})', { kind: 'constant', value: 0.1 }, 'tfjs'],
  ['tf.initializers.zeros()', { kind: 'zeros' }, 'tfjs'],
  ['tf.initializers.orthogonal({gain: 1.5})', { kind: 'orthogonal', gain: 1.5 }, 'tfjs'],
  ['tf.initializers.identity({gain: 1})', { kind: 'identity', gain: 1 }, 'tfjs'],
  ["kernelInitializer: 'heNormal'", HE_TFJS, 'tfjs'],
  ["kernelInitializer: 'HeNormal'", HE_TFJS, 'tfjs'],
  ["kernelInitializer: 'LeCunUniform'", { kind: 'variance_scaling', scale: 1, mode: 'fan_in', distribution: 'uniform', preset: 'lecun_uniform' }, 'tfjs'],
  // PyTorch
  ["kaiming_normal_(w, a=0, mode='fan_in', nonlinearity='leaky_relu')", { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'untruncated_normal' }, 'pytorch'],
  ['torch.nn.init.kaiming_normal_(layer.weight)', { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'untruncated_normal' }, 'pytorch'],
  ["nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu')", { kind: 'variance_scaling', scale: 2, mode: 'fan_out', distribution: 'untruncated_normal' }, 'pytorch'],
  ["init.kaiming_uniform_(w, a=0.2, nonlinearity='leaky_relu')", { kind: 'variance_scaling', scale: 1.92307692307692, mode: 'fan_in', distribution: 'uniform' }, 'pytorch'],
  ["kaiming_uniform_(w, nonlinearity='tanh')", { kind: 'variance_scaling', scale: 2.77777777777778, mode: 'fan_in', distribution: 'uniform' }, 'pytorch'],
  ["kaiming_normal_(w, nonlinearity='selu')", { kind: 'variance_scaling', scale: 0.5625, mode: 'fan_in', distribution: 'untruncated_normal' }, 'pytorch'],
  ["kaiming_normal_(w, mode='FAN_OUT', nonlinearity='linear')", { kind: 'variance_scaling', scale: 1, mode: 'fan_out', distribution: 'untruncated_normal' }, 'pytorch'],
  // nn.Linear's own default: kaiming_uniform_(a=√5) → U(±1/√fan_in).
  ['nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))', { kind: 'variance_scaling', scale: 0.333333333333333, mode: 'fan_in', distribution: 'uniform' }, 'pytorch'],
  ['xavier_normal_(w, gain=1.0)', { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'untruncated_normal' }, 'pytorch'],
  ['nn.init.xavier_uniform_(m.weight)', { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'uniform' }, 'pytorch'],
  ["nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain('relu'))", { kind: 'variance_scaling', scale: 2, mode: 'fan_avg', distribution: 'uniform' }, 'pytorch'],
  ["xavier_normal_(w, gain=calculate_gain('leaky_relu', 0.2))", { kind: 'variance_scaling', scale: 1.92307692307692, mode: 'fan_avg', distribution: 'untruncated_normal' }, 'pytorch'],
  ['nn.init.xavier_normal(w)', { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'untruncated_normal' }, 'pytorch'],
  ['normal_(w, mean=0, std=1)', { kind: 'random_normal', mean: 0, stddev: 1 }, 'pytorch'],
  ['nn.init.normal_(w, 0.0, 0.02)', { kind: 'random_normal', mean: 0, stddev: 0.02 }, 'pytorch'],
  ['nn.init.normal(w)', { kind: 'random_normal', mean: 0, stddev: 1 }, 'pytorch'],
  ['uniform_(w, a=0, b=1)', { kind: 'random_uniform', minval: 0, maxval: 1 }, 'pytorch'],
  ['nn.init.uniform_(w, -0.1, 0.1)', { kind: 'random_uniform', minval: -0.1, maxval: 0.1 }, 'pytorch'],
  ['trunc_normal_(w, mean=0, std=1, a=-2, b=2)', { kind: 'truncated_normal', mean: 0, stddev: 1, lower: -2, upper: 2 }, 'pytorch'],
  ['nn.init.trunc_normal_(w, std=0.02)', { kind: 'truncated_normal', mean: 0, stddev: 0.02, lower: -2, upper: 2 }, 'pytorch'],
  ['orthogonal_(w, gain=1)', { kind: 'orthogonal', gain: 1 }, 'pytorch'],
  ['nn.init.orthogonal_(w, math.sqrt(2))', { kind: 'orthogonal', gain: Math.SQRT2 }, 'pytorch'],
  ['zeros_(w)', { kind: 'zeros' }, 'pytorch'],
  ['torch.nn.init.ones_(w)', { kind: 'ones' }, 'pytorch'],
  ['constant_(w, 0.3)', { kind: 'constant', value: 0.3 }, 'pytorch'],
  ['nn.init.constant_(m.bias, val=0)', { kind: 'constant', value: 0 }, 'pytorch'],
  ['eye_(w)', { kind: 'identity', gain: 1 }, 'pytorch'],
  ['kaiming_normal_(w, generator=g)', { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'untruncated_normal' }, 'pytorch'],
  ['kaiming_normal_(torch.empty(3, 5))', { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'untruncated_normal' }, 'pytorch'],
  // InitLens
  ['lsuv', { kind: 'lsuv', tolerance: 0.1, maxIterations: 10 }, 'plain'],
  ['LSUV(tolerance=0.05, max_iterations=5, seed=1)', { kind: 'lsuv', tolerance: 0.05, maxIterations: 5, seed: 1 }, 'plain'],
];

test('every written form parses to its exact spec and dialect', () => {
  for (const [text, spec, dialect] of ACCEPTED) {
    const parsed = parseInitializer(text);
    assert.deepStrictEqual(parsed.spec, spec, text);
    assert.equal(parsed.dialect, dialect, `${text}: dialect`);
    assert.equal(parsed.written, text);
    assert.equal(parsed.canonical, formatSpec(parsed.spec));
    // The canonical text parses back to the same spec.
    assert.deepStrictEqual(parseInitializer(parsed.canonical).spec, spec, `${text} → ${parsed.canonical}`);
  }
});

test('a dialect hint decides names Keras and tfjs share; prefixes and {…} win over it', () => {
  assert.deepStrictEqual(parseInitializer("'HeNormal'", { dialect: 'tfjs' }).spec, HE_TFJS);
  assert.deepStrictEqual(parseInitializer("'HeNormal'", { dialect: 'keras' }).spec, HE);
  assert.deepStrictEqual(parseInitializer('keras.initializers.HeNormal()', { dialect: 'tfjs' }).spec, HE);
  assert.equal(parseInitializer("'zeros'", { dialect: 'pytorch' }).dialect, 'keras');
  assert.equal(parseInitializer('orthogonal({gain: 2})').dialect, 'tfjs');
  assert.equal(parseInitializer('nn.init.orthogonal(w)').dialect, 'pytorch');
});

test('library quirks come with notes', () => {
  assert.match(parseInitializer('heNormal').notes?.[0] ?? '', /0\.8796/);
  assert.match(parseInitializer('tf.initializers.randomNormal({stddev: 0})').notes?.[0] ?? '', /stddev: 0/);
  assert.match(parseInitializer("tf.initializers.varianceScaling({distribution: 'truncatedNormal'})").notes?.[0] ?? '', /uniform/);
  assert.equal(parseInitializer('he_normal').notes, undefined);
});

const REJECTED: [string, RegExp, string[]?][] = [
  ['he_norml', /^unknown initializer 'he_norml' — did you mean he_normal, HeNormal/, ['he_normal', 'HeNormal']],
  ["'glorot_unifrom'", /^unknown initializer 'glorot_unifrom'/, ['glorot_uniform']],
  ['Henormal', /^unknown initializer 'Henormal'/, ['HeNormal', 'heNormal']],
  ['xavier_uniformm_(w)', /^unknown initializer 'xavier_uniformm_'/, ['xavier_uniform_']],
  ['foo.bar.baz(1, 2)', /^unknown initializer 'foo\.bar\.baz'$/],
  ['RandomNormal(stddev=-1)', /^RandomNormal: stddev must be > 0, got -1$/],
  ['RandomNormal(stddev=0)', /^RandomNormal: stddev must be > 0, got 0$/],
  ['RandomNormal(stdev=1)', /^RandomNormal: unknown argument 'stdev' \(takes mean, stddev, seed\) — did you mean stddev\?$/, ['stddev']],
  ['RandomNormal(0, 1, 2, 3)', /^RandomNormal: takes at most 3 arguments, got 4$/],
  ["RandomNormal(mean='zero')", /^RandomNormal: mean must be a number, got 'zero'$/],
  ['RandomNormal(mean=True)', /^RandomNormal: mean must be a number/],
  ['RandomNormal(mean=0, mean=1)', /given twice/],
  ['RandomNormal(stddev=1e999)', /finite/],
  ['RandomNormal(mean=1, 0.5)', /positional argument after a keyword/],
  ['RandomUniform(1, 0)', /^RandomUniform: minval must be < maxval, got minval=1, maxval=0$/],
  ['RandomUniform(minval=0.1, maxval=0.1)', /minval must be < maxval/],
  ["VarianceScaling(mode='fan_inn')", /^VarianceScaling: mode must be one of fan_in, fan_out, fan_avg, got 'fan_inn'/, ['fan_in']],
  ["VarianceScaling(mode='fanIn')", /mode must be one of/, ['fan_in']],
  ["VarianceScaling(distribution='gaussian')", /distribution must be one of truncated_normal, untruncated_normal, uniform/],
  ['VarianceScaling(scale=0)', /^VarianceScaling: scale must be > 0, got 0$/],
  ['VarianceScaling(scale=-2.0)', /scale must be > 0, got -2$/],
  ['HeNormal(seed=1.5)', /^HeNormal: seed must be an integer, got 1\.5$/],
  ["HeNormal(seed='a')", /seed must be an integer/],
  ['HeNormal(scale=2)', /^HeNormal: unknown argument 'scale' \(takes seed\)$/],
  ['Zeros(1)', /^Zeros: takes no arguments, got 1$/],
  ['LSUV(max_iterations=2.5)', /whole number/],
  ['LSUV(tolerance=0)', /tolerance must be > 0/],
  ["tf.initializers.varianceScaling({mode: 'fan_in'})", /mode must be one of fanIn, fanOut, fanAvg, got 'fan_in'/, ['fanIn']],
  ['tf.initializers.heNormal(42)', /expects a \{key: value\} argument/],
  ['tf.initializers.heNormal({sed: 1})', /unknown argument 'sed'/, ['seed']],
  ['tf.initializers.constant()', /missing required argument 'value'/],
  ["kaiming_normal_(w, mode='fan_avg')", /mode must be one of fan_in, fan_out/],
  ["kaiming_normal_(w, nonlinearity='gelu')", /unsupported nonlinearity 'gelu'/],
  ['trunc_normal_(w, a=2, b=-2)', /a must be < b/],
  ['trunc_normal_(w, a=50, b=60)', /too far/],
  ['normal_(w, std=-1)', /^normal_: std must be > 0, got -1$/],
  ['constant_(w)', /missing required argument 'val'/],
  ['sparse_(w, 0.1)', /not modelled/],
  ["calculate_gain('relu')", /returns a gain, not an initializer/],
  ['RandomNormal(0, 1', /unbalanced brackets: '\(' is never closed/],
  ['RandomNormal(0, 1))', /unbalanced brackets/],
  ['RandomNormal(0, [1)]', /unbalanced brackets/],
  ["RandomNormal(mean='0)", /unterminated string/],
  ['RandomNormal(,)', /empty argument/],
  ['RandomNormal(stddev=)', /no value after 'stddev='/],
  ['he_normal he_uniform', /unexpected 'he_uniform' after the initializer/],
  ["'he normal'", /^'he normal' is not an initializer name$/],
  ['', /^no initializer given$/],
  ['   ', /^no initializer given$/],
  ['42', /expected an initializer name/],
  ['RandomNormal(stddev=2x)', /malformed number/],
  ['he_normal\u0007', /unexpected character 'U\+0007'/],
  [`RandomNormal(stddev=${'('.repeat(100)}1${')'.repeat(100)})`, /nested more than/],
];

test('errors name the problem in one line and suggest close matches', () => {
  for (const [text, message, suggestions] of REJECTED) {
    let caught: unknown;
    try {
      parseInitializer(text);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof InitializerParseError, `${JSON.stringify(text)} should be rejected, got ${String(caught)}`);
    assert.equal(caught.name, 'InitializerParseError');
    assert.match(caught.message, message, JSON.stringify(text));
    assert.ok(!caught.message.includes('\n'), `${JSON.stringify(text)}: one line`);
    assert.ok(caught.message.startsWith(caught.reason));
    assert.equal(caught.cause, undefined, `${JSON.stringify(text)}: internal error ${String(caught.cause)}`);
    for (const s of suggestions ?? []) assert.ok(caught.suggestions.includes(s), `${JSON.stringify(text)}: suggestions ${caught.suggestions} lack ${s}`);
  }
});

test('errors point at the offending text', () => {
  const at = (text: string): number | undefined => {
    try {
      parseInitializer(text);
    } catch (err) {
      if (err instanceof InitializerParseError) return err.offset;
    }
    return -1;
  };
  assert.equal(at('RandomNormal(stddev=-1)'), 'RandomNormal(stddev='.length);
  assert.equal(at('keras.initializers.he_norml'), 0);
  assert.equal(at('RandomNormal(stdev=1)'), 'RandomNormal('.length);
});

test('formatSpec round-trips every catalog entry, seeded and unseeded, and the non-Keras shapes', () => {
  const specs: InitSpec[] = INITIALIZER_CATALOG.flatMap((e) => {
    const d = e.defaults;
    return 'seed' in d || ['random_normal', 'random_uniform', 'truncated_normal', 'variance_scaling', 'orthogonal', 'lsuv'].includes(d.kind)
      ? [d, { ...d, seed: 123 } as InitSpec]
      : [d];
  });
  specs.push(
    { kind: 'constant', value: 0.1 },
    { kind: 'identity', gain: 2 },
    { kind: 'orthogonal', gain: 1.5 },
    { kind: 'lsuv', tolerance: 0.05, maxIterations: 3 },
    HE_TFJS,
    { ...HE_TFJS, seed: 9 },
    { kind: 'variance_scaling', scale: 1, mode: 'fan_avg', distribution: 'truncated_normal', preset: 'glorot_normal', uncorrected: true },
    { kind: 'variance_scaling', scale: 3, mode: 'fan_out', distribution: 'truncated_normal', uncorrected: true, seed: 4 },
    { kind: 'variance_scaling', scale: 2, mode: 'fan_in', distribution: 'truncated_normal' },
    { kind: 'variance_scaling', scale: 1e-7, mode: 'fan_avg', distribution: 'untruncated_normal' },
    { kind: 'truncated_normal', mean: 0, stddev: 0.02, lower: -0.04, upper: 0.04 },
    { kind: 'truncated_normal', mean: 1, stddev: 2, lower: -3, upper: 4, seed: 5 },
    { kind: 'random_uniform', minval: -1e21, maxval: 5e-324 },
  );
  for (const spec of specs) {
    const text = formatSpec(spec);
    assert.deepStrictEqual(parseInitializer(text).spec, spec, text);
  }
});

test('canonical texts and labels look like what people write', () => {
  const c = (text: string): string => parseInitializer(text).canonical;
  assert.equal(c("'he_normal'"), 'he_normal');
  assert.equal(c('keras.initializers.HeNormal(seed=42)'), 'HeNormal(seed=42)');
  assert.equal(c('RandomNormal()'), 'RandomNormal(mean=0.0, stddev=0.05)');
  assert.equal(c("VarianceScaling(2, 'fan_out', 'uniform')"), "VarianceScaling(scale=2.0, mode='fan_out', distribution='uniform')");
  assert.equal(c('heNormal'), 'tf.initializers.heNormal()');
  assert.equal(c('nn.init.trunc_normal_(w, std=0.02)'), 'nn.init.trunc_normal_(w, mean=0.0, std=0.02, a=-2.0, b=2.0)');
  const l = (text: string): string => specLabel(parseInitializer(text).spec);
  assert.equal(l('he_normal'), 'he_normal');
  assert.equal(l('heNormal'), 'heNormal (tfjs)');
  assert.equal(l('RandomNormal(stddev=0.05)'), 'N(0, 0.05)');
  assert.equal(l('RandomUniform()'), 'U(-0.05, 0.05)');
  assert.equal(l("VarianceScaling(scale=2.0, mode='fan_out', distribution='uniform')"), 'VS(2, fan_out, uniform)');
  assert.equal(l('nn.init.kaiming_normal_(w)'), 'VS(2, fan_in, normal)');
  assert.equal(l('Orthogonal(gain=1.4142)'), 'orthogonal×1.41');
  assert.equal(l('lsuv'), 'lsuv');
});
