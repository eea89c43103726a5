/**
 * What the CodeLens and the hover links run: RunRequests that pass the protocol's validator and
 * that the engine's own planNetwork turns into the dense network written in the editor (units,
 * activations, each layer's initializer), with everything left out said in `skipped`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanSource } from '../../src/editor/scanner';
import { modelComparisonRequests, modelPlanSchema, modelRequests, planModel, SEED_INITIALIZERS } from '../../src/editor/modelPlan';
import type { ModelPlan } from '../../src/editor/modelPlan';
import { compareAlternatives, probeWithInitializer } from '../../src/editor/initializerRequests';
import { runRequestSchema } from '../../src/protocol';
import type { RunRequest } from '../../src/protocol';
import { planNetwork } from '../../src/probe/network';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { specLabel } from '../../src/probe/initializers/parse';
import type { SourceLanguage } from '../../src/editor/lexer';

const fixtures = join(__dirname, '..', 'fixtures', 'workspace');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

function plans(text: string, language: SourceLanguage = 'python'): ReturnType<typeof planModel>[] {
  const model = scanSource(text, language);
  return model.models.map((_, i) => planModel(model, i, 'file.py'));
}

function okPlan(result: ReturnType<typeof planModel> | undefined): ModelPlan {
  assert.ok(result?.ok, result && !result.ok ? result.reason : 'no plan');
  return modelPlanSchema.parse(result.plan);
}

/** The network the engine builds for a request: `fanIn→fanOut activation label` per layer. */
function network(request: RunRequest): string[] {
  runRequestSchema.parse(request);
  return planNetwork(request).map((l) => `${l.fanIn}→${l.fanOut} ${l.activation} ${specLabel(l.initializer.spec)}`);
}

test('the seed notebook: Probe this model runs its four initializers on 784 → 128 relu → 10', () => {
  const plan = okPlan(plans(read('seed_model.py'))[0]);
  assert.equal(plan.title, 'model (file.py:14): 784 → 128 relu → 10 softmax');
  assert.deepEqual(plan.skipped, []);
  const { requests, title } = modelRequests(plan, DEFAULT_CONFIG, 'p');
  assert.equal(title, 'Probe model (file.py:14): 784 → 128 relu → 10 softmax');
  assert.deepEqual(requests.map((r) => r.label), ['zeros', 'N(0, 0.05)', 'glorot_normal', 'he_normal']);
  assert.deepEqual(network(requests[3]), ['784→128 relu he_normal', '128→10 softmax glorot_uniform']);
  assert.deepEqual(requests.map((r) => r.runId), ['p-1', 'p-2', 'p-3', 'p-4']);
});

test('Compare initializers for this model: the seed’s four plus the model’s own, on the same network', () => {
  const plan = okPlan(plans(read('keras_models.py'))[0]);
  const { requests } = modelComparisonRequests(plan, DEFAULT_CONFIG, 'c');
  assert.deepEqual(requests.map((r) => r.initializer).slice(0, 4), [...SEED_INITIALIZERS]);
  assert.deepEqual(requests.map((r) => r.label), ['zeros', 'N(0, 0.05)', 'glorot_normal', 'he_normal', 'model: he_normal / he_uniform']);
  assert.deepEqual(network(requests[0]), ['784→128 relu zeros', '128→64 tanh zeros', '64→10 softmax glorot_uniform']);
  assert.deepEqual(network(requests[4]), ['784→128 relu he_normal', '128→64 tanh he_uniform', '64→10 softmax glorot_uniform']);
  // The seed model's own four are the seed's four: nothing is run twice.
  const seed = okPlan(plans(read('seed_model.py'))[0]);
  assert.equal(modelComparisonRequests(seed, DEFAULT_CONFIG, 'c').requests.length, 4);
});

test('deep model.add chain in a loop: ten hidden layers with the written initializer', () => {
  const plan = okPlan(plans(read('keras_models.py'))[1]);
  assert.equal(plan.title, 'deep (file.py:29): 784 → 256 relu ×10 → 10 softmax');
  const [request] = modelRequests(plan, DEFAULT_CONFIG, 'd').requests;
  const net = network(request);
  assert.equal(net.length, 11);
  assert.equal(net[0], '784→256 relu glorot_uniform');
  assert.equal(net[9], '256→256 relu glorot_uniform');
});

test('layers the probe cannot build are listed, and a different output layer is said', () => {
  const plan = okPlan(plans(read('keras_models.py'))[4]);
  assert.deepEqual(plan.skipped, [
    'Conv2D (line 48)',
    'MaxPooling2D (line 49)',
    "the probe feeds MNIST's 784 pixels straight into Dense(128, relu) (line 51)",
    'the output layer Dense(5, sigmoid) (line 52) is probed as Dense(10, softmax) for MNIST\'s ten digits',
  ]);
  const selu = okPlan(plans(read('keras_models.py'))[2]);
  assert.deepEqual(selu.skipped, ['Dropout (line 38)']);
});

test('a model whose input is not 784 says so in its title and skipped notes', () => {
  const text = "m = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Flatten(), layers.Dense(100, activation='relu'), layers.Dense(10, activation='softmax')])";
  const plan = okPlan(plans(text)[0]);
  assert.match(plan.title, /784 → 100 relu → 10 softmax \(model input 3072, probed on MNIST's 784\)$/);
  assert.ok(plan.skipped.includes("the model's input has 3072 values; the probe's is MNIST's 784 pixels"));
  const noShape = okPlan(plans("m = keras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(10, activation='softmax')])")[0]);
  assert.ok(noShape.skipped.includes("no input shape written: MNIST's 784 pixels assumed"));
});

test('models that can’t be probed get a one-line reason', () => {
  const reasons = plans(
    [
      'a = keras.Sequential(my_layers + more)',
      "b = keras.Sequential([layers.Dense(10, activation='softmax')])",
      "c = keras.Sequential([layers.Dense(n_units, activation='relu'), layers.Dense(10)])",
      "d = keras.Sequential([layers.Dense(64, activation='swish'), layers.Dense(10)])",
      "e = keras.Sequential([layers.Dense(64, activation=act), layers.Dense(10)])",
      'f = keras.Sequential([layers.Conv2D(8, 3)])',
      "g = keras.Sequential([layers.Dense(64, kernel_initializer='he_norml'), layers.Dense(10)])",
    ].join('\n'),
  ).map((r) => (r.ok ? 'ok' : r.reason));
  assert.deepEqual(reasons, [
    "its layers come from 'my_layers + more', which InitLens can't read",
    'it has no hidden Dense layer before the output layer',
    "the units of Dense(n_units, relu) (line 3) can't be read: 'n_units'",
    'Dense(64, swish) (line 4) uses swish, which the probe doesn\'t build (it builds relu, tanh, sigmoid, elu, selu, leaky_relu, gelu, linear)',
    "the activation 'act' of Dense(64, act) (line 5) can't be read",
    'it has no Dense layers',
    "the kernel initializer of Dense(64) (line 7) can't be read: unknown initializer 'he_norml' — did you mean he_normal, HeNormal, heNormal?",
  ]);
});

test('TensorFlow.js: its default glorotNormal and camelCase names reach the engine as tfjs’ own', () => {
  const [model, chained] = plans(read('tfjs_model.ts'), 'javascript').map(okPlan);
  const [request] = modelRequests(model, DEFAULT_CONFIG, 't').requests;
  assert.deepEqual(network(request), ['784→128 relu heNormal (tfjs)', '128→64 tanh heNormal (tfjs)', '64→10 softmax glorotNormal (tfjs)']);
  assert.deepEqual(network(modelRequests(chained, DEFAULT_CONFIG, 't').requests[0]), ['784→256 selu glorotNormal (tfjs)', '256→10 softmax glorotNormal (tfjs)']);
});

test('settings other than the network come from the base config', () => {
  const plan = okPlan(plans(read('seed_model.py'))[0]);
  const base = { ...DEFAULT_CONFIG, steps: 50, lr: 0.01, seed: 7 };
  const [r] = modelRequests(plan, base, 'x').requests;
  assert.equal(r.config.steps, 50);
  assert.equal(r.config.lr, 0.01);
  assert.equal(r.config.seed, 7);
  assert.deepEqual(r.config.hidden, [128]);
});

test('a model beyond the probe’s memory budget is refused with the engine’s one-line reason', () => {
  const plan = okPlan(plans("m = keras.Sequential([layers.Dense(8192, activation='relu', input_shape=(784,)), layers.Dense(8192, activation='relu'), layers.Dense(8192, activation='relu'), layers.Dense(10, activation='softmax')])")[0]);
  assert.throws(() => modelRequests(plan, DEFAULT_CONFIG, 'x'), /^ConfigError: network too large/);
});

test('Probe with this initializer: the layer’s own fans and activation', () => {
  const first = probeWithInitializer({ initializer: 'he_normal', activation: 'relu', fanIn: 784, fanOut: 128, source: 'f.py:3' }, DEFAULT_CONFIG, 'h');
  assert.equal(first.title, 'Probe he_normal on 784 → 128 relu → 10 (f.py:3)');
  assert.deepEqual(network(first.requests[0]), ['784→128 relu he_normal', '128→10 softmax glorot_uniform']);
  const deeper = probeWithInitializer({ initializer: "nn.init.kaiming_normal_(self.fc2.weight, nonlinearity='relu')", activation: 'tanh', fanIn: 128, fanOut: 64 }, DEFAULT_CONFIG, 'h');
  assert.deepEqual(network(deeper.requests[0]), ['784→128 tanh VS(2, fan_in, normal)', '128→64 tanh VS(2, fan_in, normal)', '64→10 softmax glorot_uniform']);
  assert.match(deeper.skipped[0], /a first layer of 128 units feeds the layer its fan_in of 128/);
  const unknown = probeWithInitializer({ initializer: 'orthogonal', activation: 'swish' }, DEFAULT_CONFIG, 'h');
  assert.deepEqual(unknown.requests[0].config.hidden, DEFAULT_CONFIG.hidden);
  assert.deepEqual(unknown.skipped, ["activation 'swish' is not one the probe builds: probed with relu"]);
});

test('Compare with alternatives: the written one, the recommendation, then the other families, no duplicates', () => {
  const tanh = compareAlternatives({ initializer: 'he_uniform', activation: 'tanh', fanIn: 784, fanOut: 64 }, DEFAULT_CONFIG, 'a');
  assert.deepEqual(tanh.requests.map((r) => r.label), ['he_uniform', 'glorot_normal', 'he_normal', 'lecun_normal']);
  for (const r of tanh.requests) assert.deepEqual(r.config.hidden, [64]);
  const relu = compareAlternatives({ initializer: 'initializers.HeNormal()', activation: 'relu' }, DEFAULT_CONFIG, 'a');
  assert.deepEqual(relu.requests.map((r) => r.initializer), ['initializers.HeNormal()', 'glorot_normal', 'lecun_normal']);
  assert.throws(() => compareAlternatives({ initializer: 'he_norml' }, DEFAULT_CONFIG, 'a'), /unknown initializer 'he_norml'/);
});
