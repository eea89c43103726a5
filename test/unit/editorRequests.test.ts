/**
 * What the CodeLens and the hover links run: RunRequests that pass the protocol's validator.
 * "Probe this model" / "Compare initializers for this model" carry the network as written (the
 * layer graph the engine's own planGraph accepts: convolutions, pooling and dropout included);
 * a model the probe can't build as written gets its reasons, each naming the layer and line.
 * The hover links run the engine's planNetwork on the dense network they describe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keptWrittenKernels, modelComparisonRequests, modelLenses, modelPlanSchema, modelRequests, SEED_INITIALIZERS } from '../../src/editor/modelPlan';
import type { ModelLens, ModelPlan } from '../../src/editor/modelPlan';
import { compareAlternatives, probeWithInitializer } from '../../src/editor/initializerRequests';
import { runRequestSchema } from '../../src/protocol';
import type { GraphSpec, RunRequest } from '../../src/protocol';
import { planNetwork } from '../../src/probe/network';
import { planGraph } from '../../src/probe/graph/shapes';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import { specLabel, parseInitializer } from '../../src/probe/initializers/parse';
import type { SourceLanguage } from '../../src/editor/lexer';

const fixtures = join(__dirname, '..', 'fixtures', 'workspace');
const read = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

function lenses(text: string, language: SourceLanguage = 'python'): ModelLens[] {
  return modelLenses(text, language, 'file.py');
}

function okPlan(lens: ModelLens | undefined): ModelPlan {
  assert.ok(lens?.plan, lens?.problem ?? 'no lens');
  return modelPlanSchema.parse(lens.plan);
}

/** The network the engine's planner builds for a request: `name kind outShape initializer` for every kernel. */
function kernels(request: RunRequest): string[] {
  runRequestSchema.parse(request);
  assert.ok(request.graph, 'a graph run');
  const plan = planGraph(request.graph);
  return plan.layers
    .filter((l) => l.spec.kind === 'dense' || l.spec.kind === 'conv2d')
    .map((l) => {
      const s = l.spec as Extract<GraphSpec['layers'][number], { kind: 'dense' | 'conv2d' }>;
      return `${s.name} ${l.fanIn}→${l.fanOut} ${specLabel(parseInitializer(s.kernelInitializer ?? request.initializer).spec)}`;
    });
}

/** The network a dense-stack request builds: `fanIn→fanOut activation label` per layer. */
function network(request: RunRequest): string[] {
  runRequestSchema.parse(request);
  return planNetwork(request).map((l) => `${l.fanIn}→${l.fanOut} ${l.activation} ${specLabel(l.initializer.spec)}`);
}

test('the convolutional MNIST classifier: Probe this model runs it as written, convolutions and pooling included', () => {
  const [lens] = lenses(read('mnist_convnet.py'));
  assert.equal(lens.line, 7);
  const plan = okPlan(lens);
  assert.equal(plan.title, 'model (file.py:8)');
  assert.equal(lens.summary, 'model (file.py:8): input 28×28×1 → conv2d 32 3×3 relu → max_pooling2d 2×2 → conv2d_1 64 3×3 relu → max_pooling2d_1 2×2 → flatten → dropout 0.5 → dense 10 softmax');
  const { requests, title, skipped } = modelRequests(plan, DEFAULT_CONFIG, 'p');
  assert.equal(title, 'Probe model (file.py:8) as written');
  assert.deepEqual(skipped, []);
  assert.deepEqual(requests.map((r) => [r.runId, r.label]), [['p-1', 'model as written']]);
  // Keras' fans for a convolution: receptive field × channels; its default glorot_uniform everywhere.
  assert.deepEqual(kernels(requests[0]), ['conv2d 9→288 glorot_uniform', 'conv2d_1 288→576 glorot_uniform', 'dense 1600→10 glorot_uniform']);
  assert.deepEqual(requests[0].graph?.layers.map((l) => l.kind), ['input', 'conv2d', 'max_pooling2d', 'conv2d', 'max_pooling2d', 'flatten', 'dropout', 'dense']);
});

test('Compare initializers for this model: the seed’s four on every kernel left to the default, the output layer keeps its own, then the model as written', () => {
  const plan = okPlan(lenses(read('mnist_convnet.py'))[0]);
  const { requests } = modelComparisonRequests(plan, DEFAULT_CONFIG, 'c');
  assert.deepEqual(requests.map((r) => r.initializer).slice(0, 4), [...SEED_INITIALIZERS]);
  assert.deepEqual(requests.map((r) => r.label), ['zeros', 'N(0, 0.05)', 'glorot_normal', 'he_normal', 'model as written']);
  assert.deepEqual(kernels(requests[3]), ['conv2d 9→288 he_normal', 'conv2d_1 288→576 he_normal', 'dense 1600→10 glorot_uniform']);
  assert.deepEqual(kernels(requests[4]), ['conv2d 9→288 glorot_uniform', 'conv2d_1 288→576 glorot_uniform', 'dense 1600→10 glorot_uniform']);
  assert.deepEqual(requests.map((r) => r.runId), ['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
});

test('the seed notebook: its initializer parameter takes four values, so Probe this model runs the four on 784 → 128 relu → 10', () => {
  const plan = okPlan(lenses(read('seed_model.py'))[0]);
  assert.equal(plan.title, 'model (file.py:14)');
  const { requests } = modelRequests(plan, DEFAULT_CONFIG, 'p');
  assert.deepEqual(requests.map((r) => r.label), ['zeros', 'N(0, 0.05)', 'glorot_normal', 'he_normal']);
  assert.deepEqual(kernels(requests[3]), ['dense 784→128 he_normal', 'dense_1 128→10 glorot_uniform']);
  // Compare: the parameter is what the file varies, so the candidates replace it; the model's own four are the seed's four: nothing runs twice.
  const compared = modelComparisonRequests(plan, DEFAULT_CONFIG, 'c').requests;
  assert.deepEqual(compared.map((r) => r.label), ['zeros', 'N(0, 0.05)', 'glorot_normal', 'he_normal']);
});

test('written initializers stay in the model as written; when every kernel is written, the candidates replace them all and say so', () => {
  const [mlp, , deep] = lenses(read('keras_models.py')).map((l) => l.plan);
  assert.ok(mlp && deep);
  assert.deepEqual(kernels(modelRequests(mlp, DEFAULT_CONFIG, 'p').requests[0]), ['dense 784→128 he_normal', 'dense_1 128→64 he_uniform', 'dense_2 64→10 glorot_uniform']);
  const compared = modelComparisonRequests(mlp, DEFAULT_CONFIG, 'c');
  assert.deepEqual(compared.requests.map((r) => r.label), ['zeros', 'N(0, 0.05)', 'glorot_normal', 'he_normal', 'mlp as written']);
  assert.deepEqual(kernels(compared.requests[0]), ['dense 784→128 zeros', 'dense_1 128→64 zeros', 'dense_2 64→10 glorot_uniform']);
  assert.deepEqual(compared.skipped, ['every kernel initializer of mlp is written: each candidate replaces them all (the output layer keeps its own)']);
  // model.add in a loop with literal bounds: ten hidden layers.
  assert.equal(kernels(modelRequests(deep, DEFAULT_CONFIG, 'd').requests[0]).length, 11);
});

test('a model the probe can’t build as written gets every reason, each naming the layer and its line', () => {
  const all = lenses(read('keras_models.py'));
  const conv = all.find((l) => l.name === 'conv');
  assert.equal(conv?.plan, undefined);
  assert.equal(conv?.problem, "dense_1 (line 52): the output has shape (5); the probe trains on MNIST's 10 classes");
  const opaque = all.find((l) => l.name === 'opaque');
  assert.equal(opaque?.problem, "its layers come from 'layer_list + extra_layers', which InitLens can't read");
  const rnn = lenses(['from tensorflow import keras', 'from tensorflow.keras import layers', 'm = keras.Sequential([', '    layers.Embedding(1000, 64),', '    layers.LSTM(128),', "    layers.Dense(10, activation='softmax'),", '])'].join('\n'))[0];
  assert.equal(rnn.problem, 'Embedding (line 4): the probe does not build this layer (and 1 more)');
  assert.deepEqual(rnn.reasons, ['Embedding (line 4): the probe does not build this layer', 'LSTM (line 5): the probe does not build this layer']);
  assert.match(rnn.summary, /can't be probed as written:\n• Embedding \(line 4\)[^\n]*\n• LSTM \(line 5\)/);
  const shape = lenses("m = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(10, activation='softmax')])")[0];
  assert.match(shape.problem ?? '', /^input \(line 1\): the model expects input shape \(32, 32, 3\); the probe feeds MNIST digits: 28×28×1/);
});

test('TensorFlow.js and PyTorch models reach the engine with their own defaults and layouts', () => {
  const [model, chained] = lenses(read('tfjs_model.ts'), 'javascript').map(okPlan);
  assert.deepEqual(kernels(modelRequests(model, DEFAULT_CONFIG, 't').requests[0]), ['dense 784→128 heNormal (tfjs)', 'dense_1 128→64 heNormal (tfjs)', 'dense_2 64→10 glorotNormal (tfjs)']);
  assert.deepEqual(kernels(modelRequests(chained, DEFAULT_CONFIG, 't').requests[0]), ['dense 784→256 glorotNormal (tfjs)', 'dense_1 256→10 glorotNormal (tfjs)']);
  const torch = okPlan(lenses(read('torch_model.py'))[0]);
  const [request] = modelRequests(torch, DEFAULT_CONFIG, 't').requests;
  assert.equal(request.graph?.layout, 'channels_first');
  assert.deepEqual(kernels(request).map((k) => k.split(' ').slice(0, 2).join(' ')), ['fc1 784→128', 'fc2 128→64', 'out 64→10']);
});

test('settings other than the network come from the base config', () => {
  const plan = okPlan(lenses(read('mnist_convnet.py'))[0]);
  const base = { ...DEFAULT_CONFIG, steps: 50, lr: 0.01, seed: 7 };
  const [r] = modelRequests(plan, base, 'x').requests;
  assert.equal(r.config.steps, 50);
  assert.equal(r.config.lr, 0.01);
  assert.equal(r.config.seed, 7);
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

test('a model that writes some kernels and leaves others: keep the written ones, or replace all', () => {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'models', 'keras_residual.py'), 'utf8');
  const plan = okPlan(lenses(text)[0]);
  assert.deepEqual(keptWrittenKernels(plan), ['conv2d_1: he_normal']);
  const keep = modelComparisonRequests(plan, DEFAULT_CONFIG, 'k').requests;
  assert.deepEqual(kernels(keep[0]), ['conv2d 9→144 zeros', 'conv2d_1 144→144 he_normal', 'conv2d_2 144→144 zeros', 'dense 16→10 glorot_uniform']);
  const all = modelComparisonRequests(plan, DEFAULT_CONFIG, 'a', { replaceAll: true });
  assert.deepEqual(kernels(all.requests[0]), ['conv2d 9→144 zeros', 'conv2d_1 144→144 zeros', 'conv2d_2 144→144 zeros', 'dense 16→10 glorot_uniform']);
  assert.ok(all.skipped.includes('each candidate replaces every kernel initializer of model, written ones too (the output layer keeps its own)'), all.skipped.join(' | '));
  // Nothing to choose where no kernel is written, or where every one is (then the candidates replace them all).
  assert.deepEqual(keptWrittenKernels(okPlan(lenses(read('mnist_convnet.py'))[0])), []);
  assert.deepEqual(keptWrittenKernels(okPlan(lenses(read('keras_models.py'))[0])), []);
});
