/**
 * One probe run of a layer graph (a model as written): the same loop, events and measurements
 * as the dense stack's (train.ts), over every dense and convolution layer, plus per-channel
 * variances of convolutions and BatchNormalization's γ, β and batch statistics.
 */
import { tf } from '../tfjs';
import type { Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { LoadedData, DigitSet } from '../data/types';
import type { LayerInfo, LayerStepStats, RunRequest, StepMetrics } from '../../protocol';
import type { GraphSpec } from '../../protocol';
import type { BackendChoice } from '../tfjs';
import type { ProbeSink, RunOutcome, TrainEngine } from '../train';
import { StepRecorder } from '../train';
import { ACTIVATIONS } from '../initializers/spec';
import type { Activation } from '../initializers/spec';
import { ArrayOptimizer, sumOfSquares } from '../optimizer';
import { Diagnoser } from '../diagnosis';
import { predictedGain, weightStdOrLimit } from '../initializers/theory';
import { formatSpec } from '../initializers/parse';
import { ConfigError, validateConfig } from '../config';
import { mulberry32 } from '../random';
import { saturatedShare } from '../stats';
import { accumulateMoments, newLayerMoments } from '../layerMoments';
import { buildGraph, describeNetwork, disposeGraph, forwardGraph, graphLossAndGrads, parameterCount, toSourceLayout } from './model';
import type { Graph, NormCache } from './model';
import { batchSampler } from '../batches';
import { matmulKernels } from '../kernels/matmul';
import { forwardLayerStats, KernelGraph, kernelGraphUnsupported } from './kernelGraph';
import type { ForwardLayerStats } from './kernelGraph';
import { normalizationsBefore, scaleRoles } from './roles';

/** Rows per forward pass when measuring or evaluating: im2col of 256 digits through a 64-filter 3×3 conv is ~75 MB. */
const CHUNK = 256;
/** Parameters (×5: weights, gradients, two Adam moments, a copy) plus im2col of a batch, in float32. */
const MEMORY_BUDGET_BYTES = 1024 * 1024 * 1024;

interface Set {
  x: Tensor2D;
  y: Tensor2D;
}

function pixels(set: DigitSet, rows: ArrayLike<number>, out: Float32Array = new Float32Array(rows.length * set.rows * set.cols)): Float32Array {
  const size = set.rows * set.cols;
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r] * size;
    for (let k = 0; k < size; k++) out[r * size + k] = set.images[src + k] / 255;
  }
  return out;
}

function oneHotArray(labels: ArrayLike<number>, y: Float32Array = new Float32Array(labels.length * 10)): Float32Array {
  y.fill(0);
  for (let i = 0; i < labels.length; i++) y[i * 10 + labels[i]] = 1;
  return y;
}

function oneHot(labels: ArrayLike<number>): Tensor2D {
  return tf.tensor2d(oneHotArray(labels), [labels.length, 10]);
}

/** A digit set as arrays, for the kernel engine. */
interface ArraySet {
  pixels: Float32Array;
  labels: Float32Array;
  count: number;
}

function setArrays(set: DigitSet, count: number): ArraySet {
  const n = Math.min(count, set.count);
  const rows = Array.from({ length: n }, (_, i) => i);
  return { pixels: pixels(set, rows), labels: oneHotArray(set.labels.subarray(0, n)), count: n };
}

function setTensors(set: DigitSet, count: number): Set {
  const n = Math.min(count, set.count);
  const rows = Array.from({ length: n }, (_, i) => i);
  return { x: tf.tensor2d(pixels(set, rows), [n, set.rows * set.cols]), y: oneHot(set.labels.subarray(0, n)) };
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function evaluate(graph: Graph, set: Set): { loss: number; accuracy: number } {
  const n = set.x.shape[0];
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += CHUNK) {
    const size = Math.min(CHUNK, n - start);
    const packed = tf.tidy(() => {
      const xs = tf.slice(set.x, [start, 0], [size, -1]);
      const ys = tf.slice(set.y, [start, 0], [size, -1]);
      const { logits } = forwardGraph(graph, xs, { training: false, random: () => 0 });
      const loss = tf.losses.softmaxCrossEntropy(ys, logits);
      const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(ys, 1)), 'float32'));
      return tf.stack([tf.mul(loss, size), tf.mul(acc, size)]);
    });
    const [l, c] = packed.dataSync();
    packed.dispose();
    lossSum += l;
    correct += c;
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

interface GraphForwardStats {
  layers: ForwardLayerStats[];
  normalization: NonNullable<StepMetrics['normalization']>;
}

/**
 * Per measured layer on the probe batch (BatchNormalization on the batch's statistics, dropout off).
 * Moments in float64 (layerMoments.ts), as the kernel path takes them: tfjs' float32 reductions
 * read a first convolution's variance 4.4% low.
 */
export function measureGraph(graph: Graph, probe: Tensor2D): GraphForwardStats {
  const bnLayers = graph.layers.filter((l) => l.spec.kind === 'batch_normalization');
  const read = tf.tidy(() => {
    const trace = forwardGraph(graph, probe, { training: false, measuring: true, random: () => 0 });
    const layers = graph.measured.map((m) => {
      const z = trace.pre[m.layer]!;
      const a = m.actLayer === m.layer && m.activation === 'softmax' ? tf.softmax(z) : trace.out[m.actLayer];
      return { z: z.dataSync() as Float32Array, a: a.dataSync() as Float32Array, channels: z.shape[z.rank - 1] };
    });
    const norms = bnLayers.map((l) => {
      const cache = trace.caches[l.index] as NormCache;
      const g = tf.moments(l.gamma!);
      return tf.stack([g.mean, tf.sqrt(g.variance), tf.mean(l.beta!), tf.mean(cache.mean!), tf.mean(cache.variance!)]).dataSync() as Float32Array;
    });
    return { layers, norms };
  });
  const layers = graph.measured.map((m, i) => {
    const layer = graph.layers[m.layer];
    const { z, a, channels } = read.layers[i];
    const moments = newLayerMoments(channels);
    accumulateMoments(moments, z, a, channels);
    return forwardLayerStats(moments, {
      kernel: layer.kernel!.dataSync() as Float32Array,
      bias: layer.bias ? (layer.bias.dataSync() as Float32Array) : new Float32Array(channels),
      fanIn: layer.kernel!.shape[0]!,
      isOutput: m.layer === graph.logitsLayer,
      isConv: layer.spec.kind === 'conv2d',
      saturatedFraction: saturatedShare(a, m.activation),
    });
  });
  const normalization = bnLayers.map((l, j) => {
    const v = read.norms[j];
    return { name: l.spec.name, gammaMean: finite(v[0]), gammaStd: finite(v[1]), betaMean: finite(v[2]), batchMean: finite(v[3]), batchVariance: finite(v[4]) };
  });
  return { layers, normalization };
}

function isActivation(a: string): a is Activation {
  return (ACTIVATIONS as readonly string[]).includes(a);
}

function checkGraphMemory(graph: Graph, batch: number, probeBatch: number): void {
  let params = 0;
  let im2col = 0;
  for (const l of graph.layers) {
    params += l.kernel ? l.kernel.size + (l.bias?.size ?? 0) : 0;
    if (l.window && l.spec.kind === 'conv2d') im2col += l.window.oh * l.window.ow * l.window.kh * l.window.kw * l.window.c;
  }
  const bytes = 4 * (5 * params + 3 * Math.max(batch, Math.min(probeBatch, CHUNK)) * im2col);
  if (bytes > MEMORY_BUDGET_BYTES) {
    throw new ConfigError('model', `network too large: about ${(bytes / 2 ** 20).toFixed(0)} MiB for parameters and convolution patches, over the ${MEMORY_BUDGET_BYTES / 2 ** 20} MiB budget per probe`);
  }
}

export interface GraphRunOptions {
  /** Called with the built graph before training (tests read parameter counts). */
  onBuilt?: (graph: Graph) => void;
}

/** What a run's loop asks of the engine that trains the graph. */
interface GraphEngine {
  /** Name for the started event's backend reason. */
  description: string;
  inputSecondMoment(): number;
  measure(): GraphForwardStats;
  evaluate(which: 'validation' | 'test'): { loss: number; accuracy: number };
  /** One forward and backward pass on these training rows; gradients in graph.variables order; `extra` on measured steps (see KernelGraphStep). */
  step(rows: ArrayLike<number>, labels: Uint8Array, isStats: boolean): { loss: number; accuracy: number; grads: Float32Array[]; extra?: Float32Array };
  dispose(): void;
}

/** tfjs ops for what the kernels don't handle (model.ts' forward and backward passes). */
function tfjsEngine(graph: Graph, data: LoadedData, probeBatch: number, validationSubset: number, batch: number, dropoutRandom: () => number): GraphEngine {
  const sets: Set[] = [];
  try {
    sets.push(setTensors(data.train, probeBatch), setTensors(data.test, validationSubset), setTensors(data.test, data.test.count));
  } catch (err) {
    for (const s of sets) tf.dispose([s.x, s.y]);
    throw err;
  }
  const [probe, val, test] = sets;
  const variableIndex = new Map(graph.variables.map((v, i) => [v, i]));
  return {
    description: 'tfjs ops',
    inputSecondMoment: () => tf.tidy(() => tf.mean(tf.square(probe.x)).dataSync()[0]),
    measure: () => measureGraph(graph, probe.x),
    evaluate: (which) => evaluate(graph, which === 'validation' ? val : test),
    step(rows, labels, isStats) {
      let loss = NaN;
      let accuracy = NaN;
      const result = tf.tidy(() => {
        const xb = tf.tensor2d(pixels(data.train, rows), [rows.length, data.train.rows * data.train.cols]);
        const g = graphLossAndGrads(graph, xb, oneHot(labels), { training: true, random: dropoutRandom });
        loss = g.loss;
        accuracy = g.accuracy;
        // On measured steps δ comes back too: its second moment and the gradient norms are summed in float64 below.
        return isStats ? [...g.grads, ...g.deltas] : [...g.grads];
      });
      const V = graph.variables.length;
      const grads = result.slice(0, V).map((t) => t.dataSync() as Float32Array);
      let extra: Float32Array | undefined;
      if (isStats) {
        const norm = (v: Variable | undefined): number => (v ? Math.sqrt(sumOfSquares(grads[variableIndex.get(v)!])) : 0);
        extra = Float32Array.from([
          ...graph.measured.map((m) => norm(graph.layers[m.layer].kernel)),
          ...graph.measured.map((m) => norm(graph.layers[m.layer].bias)),
          // δ is of the batch-mean loss; ×batch makes E[δ²] per example, independent of batch size.
          ...result.slice(V).map((d) => (sumOfSquares(d.dataSync() as Float32Array) * batch * batch) / d.size),
        ]);
      }
      tf.dispose(result);
      return { loss, accuracy, grads, extra };
    },
    dispose: () => {
      for (const s of sets) tf.dispose([s.x, s.y]);
    },
  };
}

/** InitLens' WebAssembly SIMD kernels (kernelGraph.ts): every array of a step in one memory, no tfjs op. */
function kernelEngine(net: KernelGraph, data: LoadedData, probeBatch: number, validationSubset: number, dropoutRandom: () => number): GraphEngine {
  const probe = setArrays(data.train, probeBatch);
  const val = setArrays(data.test, validationSubset);
  let test: ArraySet | undefined;
  const labels = new Float32Array(net.rows * 10);
  return {
    description: net.arena.kernels.description,
    inputSecondMoment: () => {
      let sq = 0;
      for (let e = 0; e < probe.pixels.length; e++) sq += probe.pixels[e] * probe.pixels[e];
      return sq / probe.pixels.length;
    },
    measure: () => ({ layers: net.measure(probe.pixels, probe.count), normalization: [] }),
    evaluate: (which) => {
      if (which === 'validation') return net.evaluate(val.pixels, val.labels, val.count);
      test ??= setArrays(data.test, data.test.count);
      return net.evaluate(test.pixels, test.labels, test.count);
    },
    step(rows, batchLabels, isStats) {
      pixels(data.train, rows, net.input(rows.length));
      return net.step(oneHotArray(batchLabels, labels.subarray(0, rows.length * 10)), dropoutRandom, isStats);
    },
    dispose: () => undefined,
  };
}

/**
 * One probe run of a model as written. `engine: 'auto'` trains on InitLens' kernels where the
 * backend is wasm and every layer kind has a kernel pass (kernelGraph.ts), else on tfjs ops;
 * 'tfjs' forces tfjs ops (INITLENS_ENGINE=tfjs; tests compare the two).
 */
export async function runGraphProbe(request: RunRequest, spec: GraphSpec, data: LoadedData, backend: BackendChoice, sink: ProbeSink, startedAt = performance.now(), engineChoice: TrainEngine = 'auto'): Promise<RunOutcome> {
  const config = validateConfig(request.config);
  if (config.batch > data.train.count) throw new ConfigError('batch', `batch size ${config.batch} is larger than the ${data.train.count} training images`);
  const { runId } = request;
  const numTensorsBefore = tf.memory().numTensors;
  const graph = buildGraph(spec, { defaultInitializer: request.initializer, seed: config.seed, runId, image: { rows: data.train.rows, cols: data.train.cols } });
  let engine: GraphEngine | undefined;
  try {
    for (const l of graph.layers) {
      if (l.initializer?.spec.kind === 'lsuv') throw new ConfigError('initializer', `${l.spec.name}: LSUV is not supported on a model as written yet (only on the dense stack)`);
    }
    checkGraphMemory(graph, config.batch, config.probeBatch);
    const dropoutRandom = mulberry32((config.seed * 7 + 1) % 2147483647);
    const kernels = engineChoice === 'auto' && backend.name === 'wasm' && kernelGraphUnsupported(graph) === undefined ? matmulKernels() : null;
    let net: KernelGraph | undefined;
    if (kernels) {
      try {
        net = new KernelGraph(kernels, graph, config.batch, CHUNK, ArrayOptimizer.stateFloats(graph.variables.map((v) => v.size), config.optimizer));
      } catch {
        // A WebAssembly memory this large could not be had (wasm32 stops at 4 GiB): tfjs ops instead.
        net = undefined;
      }
    }
    engine = net ? kernelEngine(net, data, config.probeBatch, config.validationSubset, dropoutRandom) : tfjsEngine(graph, data, config.probeBatch, config.validationSubset, config.batch, dropoutRandom);
    const optimizer = new ArrayOptimizer(graph.variables, { kind: config.optimizer, lr: config.lr, momentum: config.momentum }, { layout: net?.layout });
    const inputSecondMoment = engine.inputSecondMoment();
    const initial = engine.measure();
    const variableIndex = new Map(graph.variables.map((v, i) => [v, i]));
    const roles = scaleRoles({ plan: graph, kernelInit: (k) => graph.layers[k].initializer?.spec, preActivationVariance: initial.layers.map((l) => l.preActivationVariance) });
    const after = normalizationsBefore(graph);
    const layers: LayerInfo[] = graph.measured.map((m, i) => {
      const layer = graph.layers[m.layer];
      const s = layer.spec;
      const isOutput = m.layer === graph.logitsLayer;
      const initSpec = layer.initializer!.spec;
      const info: LayerInfo = {
        name: s.name,
        fanIn: layer.fanIn!,
        fanOut: layer.fanOut!,
        activation: m.activation,
        initializer: formatSpec(initSpec),
        spec: initSpec,
        weightStd: initial.layers[i].weightStd ?? NaN,
        theoryWeightStd: weightStdOrLimit(initSpec, layer.fanIn!, layer.fanOut!).std,
        predictedGain: isOutput || !isActivation(m.activation) ? null : predictedGain(initSpec, m.activation, layer.fanIn!, layer.fanOut!),
        isOutput,
        kind: s.kind,
        outputShape: toSourceLayout(layer.outShape, spec.layout),
        params: layer.params,
      };
      if (s.kind === 'conv2d') {
        info.kernelSize = [...s.kernelSize];
        info.channels = [layer.inShapes[0][2], s.filters];
      }
      if (roles[i]) info.scaleRole = roles[i];
      if (after[i]) info.afterNormalization = after[i];
      return info;
    });
    sink.emit({
      type: 'started',
      runId,
      backend: backend.name,
      backendReason: `${backend.reason}; ${graph.layers.length} layers, ${parameterCount(graph)} parameters; ${engine.description}`,
      data: { source: data.source, kind: data.kind, description: data.description, train: data.train.count, test: data.test.count },
      layers,
      network: describeNetwork(graph),
      inputSecondMoment,
    });
    const diagnoser = new Diagnoser(layers, inputSecondMoment);
    const outcome: RunOutcome = { flags: [], steps: [] };

    const random = mulberry32(config.seed);
    const nextBatch = batchSampler(data.train.count, config.batch, random);

    const M = graph.measured.length;
    const measuredSteps = new StepRecorder(outcome, sink, diagnoser, runId, startedAt);
    let stepsDone = 0;
    const trainStart = performance.now();
    const cpuStart = process.cpuUsage();
    const batchLabels = new Uint8Array(config.batch);
    for (let step = 0; step <= config.steps; step++) {
      if (sink.cancelled?.()) break;
      const isStats = step % config.every === 0 || step === config.steps;
      const applies = step < config.steps;
      const forwardStats = isStats ? (step === 0 ? initial : engine.measure()) : undefined;
      const idx = nextBatch();
      for (let r = 0; r < idx.length; r++) batchLabels[r] = data.train.labels[idx[r]];
      const { loss: lossValue, accuracy: batchAccuracy, grads, extra } = engine.step(idx, batchLabels, isStats);

      let updateRatios: (number | null)[] = graph.measured.map(() => null);
      const lossFinite = Number.isFinite(lossValue);
      if (applies && lossFinite) {
        const ratios = optimizer.apply(grads, isStats);
        if (ratios) updateRatios = graph.measured.map((m) => finite(ratios[variableIndex.get(graph.layers[m.layer].kernel!)!]));
        stepsDone = step + 1;
      }
      measuredSteps.addLoss(lossValue);

      if (isStats || !lossFinite) {
        const fs = forwardStats ?? engine.measure();
        const layerStats: LayerStepStats[] = graph.measured.map((_, i) => ({
          ...fs.layers[i],
          gradNorm: extra ? finite(extra[i]) : null,
          biasGradNorm: extra ? finite(extra[M + i]) : null,
          backwardSecondMoment: extra ? finite(extra[2 * M + i]) : null,
          updateRatio: updateRatios[i],
        }));
        const validation = lossFinite ? engine.evaluate('validation') : { accuracy: NaN };
        measuredSteps.record(step, {
          accuracy: extra ? finite(batchAccuracy) : null,
          validationAccuracy: finite(validation.accuracy),
          layers: layerStats,
          ...(fs.normalization.length > 0 ? { normalization: fs.normalization } : {}),
        });
        if (!lossFinite) break;
      }
      if (step % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - trainStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const final = outcome.flags.some((f) => f.kind === 'diverged') ? { loss: NaN, accuracy: NaN } : engine.evaluate('test');
    disposeGraph(graph);
    engine.dispose();
    sink.emit({
      type: 'finished',
      runId,
      final: { validationAccuracy: finite(final.accuracy), loss: finite(final.loss), steps: stepsDone },
      timing: { seconds, samplesPerSecond: seconds > 0 ? (stepsDone * config.batch) / seconds : 0, firstMetricSeconds: measuredSteps.firstMetricSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 },
      numTensorsBefore,
      numTensorsAfter: tf.memory().numTensors,
    });
    return outcome;
  } catch (err) {
    disposeGraph(graph);
    engine?.dispose();
    throw err;
  }
}
