/**
 * The layer graph's forward pass and hand-written gradients agree with tfjs' own ops and
 * tf.grads, layer kind by layer kind. The reference is written with tfjs' ops (conv2d, maxPool,
 * avgPool, moments, …) and differentiated by tfjs' autograd on the cpu backend (the wasm backend
 * lacks Conv2DBackpropFilter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { tf, selectBackend } from '../../src/probe/tfjs';
import { buildGraph, disposeGraph, forwardGraph, graphLossAndGrads, parameterCount } from '../../src/probe/graph/model';
import type { Graph } from '../../src/probe/graph/model';
import type { GraphLayer, GraphSpec, Padding } from '../../src/protocol';
import { activate } from '../../src/probe/network';
import { mulberry32 } from '../../src/probe/random';
import { ConfigError } from '../../src/probe/config';
import { KernelGraph, kernelGraphUnsupported } from '../../src/probe/graph/kernelGraph';
import { evaluate, measureGraph } from '../../src/probe/graph/run';
import { matmulKernels } from '../../src/probe/kernels/matmul';

/** max |a − b| / max |b| over two arrays. */
function maxRelDiffArrays(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 1e-12;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return a.length === b.length ? d / m : Infinity;
}

function maxRelDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(1e-12, tf.max(tf.abs(b)).dataSync()[0]));
}

type Vars = Map<string, Tensor>;

/** The same network written with tfjs' differentiable ops, reading parameters from `vars`. */
function reference(graph: Graph, x: Tensor, vars: Vars, masks: (Tensor | undefined)[]): Tensor2D {
  const out: Tensor[] = [];
  const pre: Tensor[] = [];
  const v = (name: string): Tensor => vars.get(name)!;
  for (const layer of graph.layers) {
    const s = layer.spec;
    const xin = layer.inputs.length ? out[layer.inputs[0]] : x;
    const pad = (p: Padding): 'valid' | 'same' | [[0, 0], [number, number], [number, number], [0, 0]] => (typeof p === 'string' ? p : [[0, 0], [p[0], p[0]], [p[1], p[1]], [0, 0]]);
    let y: Tensor;
    switch (s.kind) {
      case 'input':
        y = tf.reshape(x, [x.shape[0], ...layer.outShape]);
        break;
      case 'dense': {
        let z = tf.matMul(tf.reshape(xin, [-1, layer.fanIn!]), v(`${s.name}/kernel`));
        if (s.useBias) z = tf.add(z, v(`${s.name}/bias`));
        z = tf.reshape(z, [x.shape[0], ...layer.outShape]);
        pre[layer.index] = z;
        y = s.activation === 'softmax' ? tf.softmax(z) : activate(z as Tensor2D, s.activation);
        break;
      }
      case 'conv2d': {
        const k = tf.reshape(v(`${s.name}/kernel`), [s.kernelSize[0], s.kernelSize[1], layer.inShapes[0][2], s.filters]) as Tensor4D;
        let z: Tensor = tf.conv2d(xin as Tensor4D, k, s.strides, pad(s.padding) as 'valid');
        if (s.useBias) z = tf.add(z, v(`${s.name}/bias`));
        pre[layer.index] = z;
        y = s.activation === 'softmax' ? tf.softmax(z) : activate(z as Tensor2D, s.activation);
        break;
      }
      case 'max_pooling2d':
        y = tf.maxPool(xin as Tensor4D, s.poolSize, s.strides, pad(s.padding) as 'valid');
        break;
      case 'average_pooling2d': {
        // A window sum by depthwise convolution with ones, over the count of in-bounds elements
        // (tf.avgPool casts, which tfjs' tape can't differentiate through).
        const c = layer.inShapes[0][2];
        const ones = tf.ones([s.poolSize[0], s.poolSize[1], c, 1]) as Tensor4D;
        const p = pad(s.padding) as 'valid';
        const counts = tf.depthwiseConv2d(tf.onesLike(xin) as Tensor4D, ones, s.strides, p);
        y = tf.div(tf.depthwiseConv2d(xin as Tensor4D, ones, s.strides, p), counts);
        break;
      }
      case 'global_average_pooling2d':
        y = tf.mean(xin, [1, 2]);
        break;
      case 'flatten':
      case 'reshape':
        y = tf.reshape(xin, [x.shape[0], ...layer.outShape]);
        break;
      case 'dropout':
        y = masks[layer.index] ? tf.mul(xin, masks[layer.index]!) : xin;
        break;
      case 'batch_normalization':
      case 'layer_normalization': {
        // Moments by hand: tf.moments casts, and tfjs' tape loses the gradient through a float32→float32 cast.
        const axes = s.kind === 'batch_normalization' ? xin.shape.slice(0, -1).map((_, i) => i) : [xin.rank - 1];
        const mean = tf.mean(xin, axes, true);
        const variance = tf.mean(tf.square(tf.sub(xin, mean)), axes, true);
        y = tf.add(tf.mul(tf.div(tf.sub(xin, mean), tf.sqrt(tf.add(variance, s.epsilon))), v(`${s.name}/gamma`)), v(`${s.name}/beta`));
        break;
      }
      case 'activation':
        y = s.activation === 'softmax' ? tf.softmax(xin) : activate(xin as Tensor2D, s.activation);
        break;
      case 'add':
        y = layer.inputs.map((i) => out[i]).reduce((a, b) => tf.add(a, b));
        break;
      case 'concatenate':
        y = tf.concat(
          layer.inputs.map((i) => out[i]),
          -1,
        );
        break;
    }
    out.push(y);
  }
  return (graph.logitsArePre ? pre[graph.logitsLayer] : out[graph.logitsLayer]) as Tensor2D;
}

const input = (shape: number[] = [28, 28, 1]): GraphLayer => ({ kind: 'input', name: 'input', shape });
const conv = (name: string, filters: number, extra: Partial<Extract<GraphLayer, { kind: 'conv2d' }>> = {}): GraphLayer => ({
  kind: 'conv2d',
  name,
  filters,
  kernelSize: [3, 3],
  strides: [1, 1],
  padding: 'valid',
  activation: 'relu',
  useBias: true,
  ...extra,
});
const dense = (name: string, units: number, activation: Extract<GraphLayer, { kind: 'dense' }>['activation'] = 'linear', extra: Partial<Extract<GraphLayer, { kind: 'dense' }>> = {}): GraphLayer => ({
  kind: 'dense',
  name,
  units,
  activation,
  useBias: true,
  ...extra,
});
const head: GraphLayer[] = [{ kind: 'flatten', name: 'flatten' }, dense('out', 10, 'softmax')];
const bn = (name: string, gamma = 'ones'): GraphLayer => ({ kind: 'batch_normalization', name, momentum: 0.99, epsilon: 1e-3, gammaInitializer: gamma, betaInitializer: 'random_normal' });

/** Small images so the cpu reference stays quick: 28×28 is what the probe feeds. */
const cases: [string, GraphLayer[]][] = [
  ['conv2d valid + relu', [input(), conv('c', 4), ...head]],
  ['conv2d same, strides 2, no bias, tanh', [input(), conv('c', 3, { padding: 'same', strides: [2, 2], useBias: false, activation: 'tanh' }), ...head]],
  ['conv2d explicit padding (PyTorch), 5×3 kernel, elu', [input(), conv('c', 3, { padding: [2, 1], kernelSize: [5, 3], activation: 'elu' }), ...head]],
  ['two convs + max pooling', [input(), conv('c1', 4), { kind: 'max_pooling2d', name: 'p1', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, conv('c2', 5, { activation: 'leaky_relu' }), ...head]],
  ['max pooling same 3×3 stride 2', [input(), conv('c1', 3), { kind: 'max_pooling2d', name: 'p', poolSize: [3, 3], strides: [2, 2], padding: 'same' }, ...head]],
  ['average pooling valid and same', [input(), conv('c1', 3), { kind: 'average_pooling2d', name: 'p', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, { kind: 'average_pooling2d', name: 'p2', poolSize: [3, 3], strides: [2, 2], padding: 'same' }, ...head]],
  ['global average pooling', [input(), conv('c1', 6), { kind: 'global_average_pooling2d', name: 'gap' }, dense('out', 10, 'softmax')]],
  ['batch normalization after conv, activation layer', [input(), conv('c1', 4, { activation: 'linear', useBias: false }), bn('bn'), { kind: 'activation', name: 'act', activation: 'relu' }, ...head]],
  ['batch normalization with zero gamma on dense', [input([784]), dense('d1', 16), bn('bn', 'zeros'), { kind: 'activation', name: 'a', activation: 'selu' }, dense('out', 10)]],
  ['layer normalization', [input([784]), dense('d1', 12, 'gelu'), { kind: 'layer_normalization', name: 'ln', epsilon: 1e-3 }, dense('out', 10, 'softmax')]],
  ['dropout', [input([28, 28]), { kind: 'flatten', name: 'f' }, dense('d1', 20, 'relu'), { kind: 'dropout', name: 'drop', rate: 0.5 }, dense('out', 10, 'softmax')]],
  ['residual add', [input(), conv('c1', 4, { padding: 'same' }), conv('c2', 4, { padding: 'same', activation: 'linear' }), { kind: 'add', name: 'add', inputs: ['c1', 'c2'] }, { kind: 'activation', name: 'r', activation: 'relu' }, ...head]],
  ['concatenate branches', [input(), conv('a', 2), conv('b', 3, { inputs: ['input'], activation: 'sigmoid' }), { kind: 'concatenate', name: 'cat', inputs: ['a', 'b'] }, ...head]],
  ['reshape, softmax activation output', [input([784]), { kind: 'reshape', name: 'r', targetShape: [28, 28, 1] }, conv('c', 2, { strides: [3, 3] }), { kind: 'flatten', name: 'f' }, dense('d', 10), { kind: 'activation', name: 'sm', activation: 'softmax' }]],
  ['linear logits (PyTorch), channels first', [input([1, 28, 28]), conv('c', 3, { padding: [1, 1] }), { kind: 'flatten', name: 'f' }, dense('fc1', 16, 'relu'), dense('fc2', 10)]],
  // The kernel engine's own paths: relu/leaky relu applied after max pooling, odd windows, no bias, an activation layer, dense per position.
  [
    'Keras conv MNIST shape: conv, pool, conv, pool, dropout',
    [input(), conv('c1', 4), { kind: 'max_pooling2d', name: 'p1', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, conv('c2', 8), { kind: 'max_pooling2d', name: 'p2', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, { kind: 'flatten', name: 'f' }, { kind: 'dropout', name: 'd', rate: 0.5 }, dense('out', 10, 'softmax')],
  ],
  [
    'leaky conv same stride 2 no bias, 3×3 same max pooling, 5×3 conv',
    [input(), conv('c1', 8, { padding: 'same', strides: [2, 2], useBias: false, activation: 'leaky_relu' }), { kind: 'max_pooling2d', name: 'p1', poolSize: [3, 3], strides: [2, 2], padding: 'same' }, conv('c2', 3, { kernelSize: [5, 3], padding: [2, 1] }), ...head],
  ],
  [
    'linear conv, relu activation layer, dense per position, global average pooling',
    [input(), conv('c1', 4, { activation: 'linear', strides: [2, 3] }), { kind: 'activation', name: 'r', activation: 'relu' }, dense('pos', 5, 'relu'), { kind: 'global_average_pooling2d', name: 'gap' }, dense('out', 10)],
  ],
];

/** The kernel engine (kernelGraph.ts) on the same batch: loss, every gradient, δ's second moments, measurements and evaluation. */
function checkKernelGraph(graph: Graph, x: Tensor2D, y: Tensor2D, tfGrads: Tensor[], loss: number, usePatchKernels: boolean): void {
  const path = usePatchKernels ? 'kernels (patches.wat)' : 'kernels (JS loops)';
  const kernels = matmulKernels();
  assert.ok(kernels, 'WebAssembly SIMD is available here');
  const n = x.shape[0];
  // Chunks of 4 rows: measuring and evaluating 6 rows takes two forward passes.
  const net = new KernelGraph(kernels, graph, n, 4, 0, usePatchKernels);
  graph.variables.forEach((v, i) => net.arena.f32(net.layout.weights[i], v.size).set(v.dataSync() as Float32Array));
  const pixels = x.dataSync() as Float32Array;
  const labels = y.dataSync() as Float32Array;
  net.input(n).set(pixels);
  const ours = net.step(labels, mulberry32(5), true);
  assert.ok(Math.abs(ours.loss - loss) < 1e-4, `${path}: loss ${ours.loss} vs ${loss}`);
  graph.variables.forEach((v, i) => {
    const d = maxRelDiffArrays(ours.grads[i], tfGrads[i].dataSync());
    assert.ok(d < 2e-3, `${path}: ${v.name} gradient differs by ${d}`);
  });
  // The tfjs path's measurements of the same gradients and forward pass.
  const reference = graphLossAndGrads(graph, x, y, { training: true, random: mulberry32(5) });
  const M = graph.measured.length;
  graph.measured.forEach((m, j) => {
    const vi = graph.variables.indexOf(graph.layers[m.layer].kernel!);
    const norm = Math.sqrt(tf.sum(tf.square(reference.grads[vi])).dataSync()[0]);
    assert.ok(Math.abs(ours.extra![j] - norm) <= 2e-3 * norm + 1e-9, `${path}: ‖∂W‖ of ${graph.layers[m.layer].spec.name}`);
    const second = tf.mean(tf.square(tf.mul(reference.deltas[j], n))).dataSync()[0];
    assert.ok(Math.abs(ours.extra![2 * M + j] - second) <= 2e-3 * second + 1e-12, `${path}: E[δ²] of ${graph.layers[m.layer].spec.name}: ${ours.extra![2 * M + j]} vs ${second}`);
  });
  const measured = net.measure(pixels, n);
  const expected = measureGraph(graph, x).layers;
  measured.forEach((row, j) => {
    for (const [key, value] of Object.entries(expected[j])) {
      const got = (row as Record<string, unknown>)[key];
      if (typeof value === 'number') assert.ok(typeof got === 'number' && Math.abs(got - value) <= 1e-4 * Math.abs(value) + 1e-6, `${path}: ${key} of ${graph.layers[graph.measured[j].layer].spec.name}: ${got} vs ${value}`);
      else assert.equal(got, value, key);
    }
  });
  const ev = net.evaluate(pixels, labels, n);
  const evExpected = evaluate(graph, { x, y });
  assert.ok(Math.abs(ev.loss - evExpected.loss) < 1e-4 && ev.accuracy === evExpected.accuracy, `${path}: evaluation ${JSON.stringify(ev)} vs ${JSON.stringify(evExpected)}`);
}

for (const [name, layers] of cases) {
  test(`graph gradients match tf.grads: ${name}`, async () => {
    await selectBackend('cpu');
    const spec: GraphSpec = { layout: name.includes('channels first') ? 'channels_first' : 'channels_last', layers };
    const before = tf.memory().numTensors;
    const runId = `t${name.replace(/\W+/g, '')}`;
    const graph = buildGraph(spec, { defaultInitializer: 'he_normal', seed: 3, runId });
    try {
    tf.tidy(() => {
      const n = 6;
      const x = tf.randomUniform([n, 784], 0, 1, 'float32', 11);
      const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5], 'int32'), 10), 'float32') as Tensor2D;
      const ours = graphLossAndGrads(graph, x, y, { training: true, random: mulberry32(5) });
      const masks = ours.trace.caches.map((c, i) => (graph.layers[i].spec.kind === 'dropout' ? (c as Tensor) : undefined));
      const names = graph.variables.map((v) => v.name.slice(runId.length + 1));
      const f = (...ts: Tensor[]): Tensor => tf.losses.softmaxCrossEntropy(y, reference(graph, x, new Map(names.map((nm, i) => [nm, ts[i]])), masks));
      const { value, grads } = tf.valueAndGrads(f)(graph.variables);
      assert.ok(Math.abs(ours.loss - value.dataSync()[0]) < 1e-4, `loss ${ours.loss} vs ${value.dataSync()[0]}`);
      assert.ok(maxRelDiff(ours.trace.logits, reference(graph, x, new Map(names.map((nm, i) => [nm, graph.variables[i]])), masks)) < 1e-4, 'logits');
      graph.variables.forEach((_v, i) => assert.ok(maxRelDiff(ours.grads[i], grads[i]) < 2e-3, `${names[i]}: ${maxRelDiff(ours.grads[i], grads[i])}`));
      // δ of the layer giving the logits: (softmax − labels) / batch.
      assert.equal(ours.deltas.length, graph.measured.length);
      const last = graph.measured.findIndex((m) => m.layer === graph.logitsLayer);
      if (last >= 0) assert.ok(maxRelDiff(ours.deltas[last], tf.div(tf.sub(tf.softmax(ours.trace.logits), y), n)) < 1e-4, 'δ of the logits');
      // The same on InitLens' WebAssembly kernels, where every layer kind has a kernel pass; the others say which layer keeps them on tfjs ops.
      const unsupported = kernelGraphUnsupported(graph);
      if (unsupported === undefined) for (const patches of [true, false]) checkKernelGraph(graph, x as Tensor2D, y, grads, value.dataSync()[0], patches);
      else assert.match(unsupported, /^\w+: /);
    });
    } finally {
      disposeGraph(graph);
    }
    assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  });
}

test('graph: dropout is off when evaluating, batch normalization uses its moving averages', async () => {
  await selectBackend('cpu');
  const graph = buildGraph({ layout: 'channels_last', layers: [input([784]), dense('d', 8), bn('bn'), { kind: 'dropout', name: 'drop', rate: 0.5 }, dense('out', 10)] }, { defaultInitializer: 'glorot_uniform', seed: 1, runId: 'e' });
  tf.tidy(() => {
    const x = tf.randomUniform([16, 784], 0, 1, 'float32', 2);
    const a = forwardGraph(graph, x, { training: false, random: mulberry32(1) }).logits;
    const b = forwardGraph(graph, x, { training: false, random: mulberry32(2) }).logits;
    assert.ok(maxRelDiff(a, b) === 0, 'evaluation is deterministic');
    // Moving averages start at mean 0, variance 1: evaluation normalizes with those, not the batch's.
    const d = forwardGraph(graph, x, { training: false, random: mulberry32(1) }).out[1];
    const expected = tf.add(tf.div(d, Math.sqrt(1 + 1e-3)), graph.layers[2].beta!);
    assert.ok(maxRelDiff(forwardGraph(graph, x, { training: false, random: mulberry32(1) }).out[2], expected) < 1e-5);
    const t = forwardGraph(graph, x, { training: true, random: mulberry32(1) });
    const zeros = tf.sum(tf.cast(tf.equal(t.out[3], 0), 'float32')).dataSync()[0];
    assert.ok(zeros > 16 * 8 * 0.3 && zeros < 16 * 8 * 0.7, `about half dropped, got ${zeros}`);
  });
  disposeGraph(graph);
});

test('graph: Keras parameter counts and receptive-field fans for convolutions', async () => {
  await selectBackend('cpu');
  const graph = buildGraph(
    {
      layout: 'channels_last',
      layers: [input(), conv('c1', 32), { kind: 'max_pooling2d', name: 'p1', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }, conv('c2', 64), bn('bn'), ...head],
    },
    { defaultInitializer: 'glorot_uniform', seed: 1, runId: 'p' },
  );
  // Keras: Conv2D params = kh·kw·c_in·filters + filters; fan_in = kh·kw·c_in, fan_out = kh·kw·filters.
  assert.equal(graph.layers[1].params, 3 * 3 * 1 * 32 + 32);
  assert.deepEqual([graph.layers[1].fanIn, graph.layers[1].fanOut], [9, 9 * 32]);
  assert.deepEqual([graph.layers[3].fanIn, graph.layers[3].fanOut], [9 * 32, 9 * 64]);
  assert.deepEqual(graph.layers[3].outShape, [11, 11, 64]);
  // BatchNormalization: γ, β, moving mean, moving variance (Keras' count_params()).
  assert.equal(graph.layers[4].params, 4 * 64);
  assert.equal(parameterCount(graph), 320 + 18496 + 256 + (11 * 11 * 64 * 10 + 10));
  // glorot_uniform on conv2: limit √(6 / (fan_in + fan_out)), std = limit/√3.
  const std = tf.tidy(() => Math.sqrt(tf.moments(graph.layers[3].kernel!).variance.dataSync()[0]));
  const expected = Math.sqrt(6 / (9 * 32 + 9 * 64)) / Math.sqrt(3);
  assert.ok(Math.abs(std - expected) / expected < 0.05, `conv kernel std ${std} vs Keras ${expected}`);
  disposeGraph(graph);
});

test('graph: a model the probe cannot feed is refused with the shape it found', async () => {
  await selectBackend('cpu');
  assert.throws(() => buildGraph({ layout: 'channels_last', layers: [input([32, 32, 3]), conv('c', 4), ...head] }, { defaultInitializer: 'he_normal', seed: 1, runId: 'r' }), (err: Error) => err instanceof ConfigError && /expects input shape \(32, 32, 3\)/.test(err.message));
  assert.throws(() => buildGraph({ layout: 'channels_last', layers: [input(), conv('c', 4), { kind: 'flatten', name: 'f' }, dense('out', 7, 'softmax')] }, { defaultInitializer: 'he_normal', seed: 1, runId: 'r' }), /10 classes/);
  assert.equal(tf.memory().numTensors, 0);
});
