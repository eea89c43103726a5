/**
 * One probe run: a custom training loop (not model.fit) that measures every layer at step 0 and
 * every `every` steps, and streams what it measures as protocol events.
 */
import { tf } from './tfjs';
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { LoadedData, DigitSet } from './data/types';
import type { Flag, LayerInfo, LayerStepStats, ProbeEvent, RunRequest, StepMetrics } from '../protocol';
import type { BackendChoice } from './tfjs';
import { crossEntropy, disposeParams, forward, initParams, planNetwork } from './network';
import { lossAndGrads } from './backprop';
import type { DenseLayerPlan, NetworkParams } from './network';
import { accuracyOf, measureForward } from './stats';
import type { ForwardStats } from './stats';
import { ArrayOptimizer, sumOfSquares } from './optimizer';
import { Diagnoser } from './diagnosis';
import { weightStdOrLimit } from './initializers/theory';
import { predictedStats, predictNetwork } from './theory/predict';
import type { NetworkPrediction } from './theory/predict';
import { formatSpec } from './initializers/parse';
import { lsuvRescale } from './lsuv';
import { checkMemory, ConfigError, validateConfig } from './config';
import type { ProbeConfig } from './config';
import { mulberry32 } from './random';
import { compactRows, compactScratch, inputTensors, rowRange, scatterRows } from './inputs';
import type { CompactRows, CompactScratch, InputTensors } from './inputs';
import { matmulKernels } from './kernels/matmul';
import type { MatmulKernels } from './kernels/matmul';
import { KernelNet } from './kernelStep';
import { ActivationHistograms } from './propagation/activationHistograms';
import { batchSampler } from './batches';

export interface ProbeSink {
  emit(event: ProbeEvent): void;
  /** Checked between steps; a true answer ends the run quietly. */
  cancelled?(): boolean;
}

export interface RunOutcome {
  flags: Flag[];
  steps: StepMetrics[];
}

/**
 * The measured steps of one run (the dense stack's and the layer graph's loops alike): the
 * training loss averaged since the last measurement, the time to the first, and each measured
 * step kept, sent and diagnosed, with each flag it raises kept and sent too.
 */
export class StepRecorder {
  private lossSum = 0;
  private lossCount = 0;
  /** Seconds from the run's start to its first measured step. */
  firstMetricSeconds = 0;

  constructor(
    private readonly outcome: RunOutcome,
    private readonly sink: ProbeSink,
    private readonly diagnoser: Diagnoser,
    private readonly runId: string,
    private readonly startedAt: number,
  ) {}

  /** Every step's training loss, measured or not. */
  addLoss(loss: number): void {
    this.lossSum += loss;
    this.lossCount += 1;
  }

  /** A measured step: its mean loss since the last one, then `measured` (accuracy, layers…). */
  record(step: number, measured: Omit<StepMetrics, 'step' | 'loss'>): void {
    const metrics: StepMetrics = { step, loss: finite(this.lossSum / this.lossCount), ...measured };
    this.lossSum = 0;
    this.lossCount = 0;
    if (step === 0) this.firstMetricSeconds = (performance.now() - this.startedAt) / 1000;
    this.outcome.steps.push(metrics);
    this.sink.emit({ type: 'step', runId: this.runId, metrics });
    for (const flag of this.diagnoser.observe(metrics)) {
      this.outcome.flags.push(flag);
      this.sink.emit({ type: 'flag', runId: this.runId, flag });
    }
  }
}

// Rows per forward pass when evaluating: the bundled 2,000 held-out digits in one, larger sets in pieces.
const EVAL_CHUNK = 2048;

/**
 * `count` images of `set` from `from` as tensors: pixels scaled to [0, 1] as Keras' notebook does
 * (x / 255), all-zero columns left out (inputs.ts), and one-hot labels.
 */
function setTensors(set: DigitSet, from: number, count: number): InputTensors & { y: Tensor2D; rows: CompactRows; labels: Uint8Array } {
  const n = Math.min(count, set.count - from);
  const rows = compactRows(set.images, set.rows * set.cols, rowRange(from, n));
  const labels = set.labels.subarray(from, from + n);
  return { ...tf.tidy(() => ({ ...inputTensors(rows), y: oneHot(labels) })), rows, labels };
}

function oneHot(labels: Uint8Array): Tensor2D {
  const y = new Float32Array(labels.length * 10);
  labels.forEach((label, i) => (y[i * 10 + label] = 1));
  return tf.tensor2d(y, [labels.length, 10]);
}

function disposeSets(...sets: (InputTensors & { y: Tensor2D })[]): void {
  for (const set of sets) tf.dispose([set.x, set.y]);
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Loss and accuracy over a whole set, in chunks so memory stays flat. */
function evaluate(plan: readonly DenseLayerPlan[], params: NetworkParams, { x, y, cols }: InputTensors & { y: Tensor2D }): { loss: number; accuracy: number } {
  const n = x.shape[0];
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += EVAL_CHUNK) {
    const size = Math.min(EVAL_CHUNK, n - start);
    const packed = tf.tidy(() => {
      // A set within one chunk is used as it is: a slice would copy it.
      const xs = size === n ? x : tf.slice(x, [start, 0], [size, -1]);
      const ys = size === n ? y : tf.slice(y, [start, 0], [size, -1]);
      const { logits } = forward(plan, params.kernels, params.biases, xs, cols);
      return tf.stack([tf.mul(crossEntropy(logits, ys), size), tf.mul(accuracyOf(logits, ys), size)]);
    });
    const [l, c] = packed.dataSync();
    packed.dispose();
    lossSum += l;
    correct += c;
  }
  return { loss: lossSum / n, accuracy: correct / n };
}

/**
 * Which code trains: `auto` uses InitLens' own WebAssembly SIMD kernels (kernelStep.ts) on the
 * wasm backend and tfjs ops elsewhere; `tfjs` forces tfjs ops (tests compare the two).
 */
export type TrainEngine = 'auto' | 'tfjs';

type LabelledSet = ReturnType<typeof setTensors>;

/**
 * A run's checked config and plan, and what it owns from before its first step to its end:
 * parameters, the probe/validation/test tensors and the batch buffers. disposeRun frees them
 * on every way out.
 */
interface PreparedRun {
  readonly runId: string;
  readonly config: ProbeConfig;
  readonly data: LoadedData;
  readonly inputSize: number;
  readonly plan: DenseLayerPlan[];
  /** tfjs' tensor count before the run allocated anything (the finished event reports both). */
  readonly numTensorsBefore: number;
  readonly batchScratch: CompactScratch;
  readonly batchLabels: Uint8Array;
  readonly probe: LabelledSet;
  readonly val: LabelledSet;
  readonly test: LabelledSet;
  readonly params: NetworkParams;
}

/** A prepared run set up to train: the engine that steps it, its optimizer and the step-0 measurement. */
interface ProbeSession extends PreparedRun {
  /** InitLens' own kernels (null: tfjs ops), and the net they step when they could be had. */
  readonly kernels: MatmulKernels | null;
  readonly net?: KernelNet;
  readonly optimizer: ArrayOptimizer;
  readonly inputSecondMoment: number;
  readonly inputMean: number;
  /** The step-0 forward statistics, measured once at set-up. */
  readonly initial: ForwardStats[];
  readonly prediction: NetworkPrediction;
  readonly layers: LayerInfo[];
  readonly histograms: ActivationHistograms;
  /** The first layer's gradient over all its input rows (the step's is over the used ones). */
  readonly firstGrad: Float32Array;
}

/** One training step's result; `extra` (stats steps only): gradient norms, bias gradient norms, E[δ²] per layer. */
interface StepOutcome {
  loss: number;
  accuracy: number;
  grads: Float32Array[];
  extra?: Float32Array;
}

/** Checks the config against the data, plans the network and allocates what the run owns. */
function prepareRun(request: RunRequest, data: LoadedData): PreparedRun {
  const config = validateConfig(request.config);
  const inputSize = data.train.rows * data.train.cols;
  checkMemory(config, inputSize, 10);
  if (config.batch > data.train.count) {
    throw new ConfigError('batch', `batch size ${config.batch} is larger than the ${data.train.count} training images`);
  }
  const plan = planNetwork(request, inputSize, 10);
  const { runId } = request;
  const numTensorsBefore = tf.memory().numTensors;

  // Training images stay in JS: copying 32 rows per step is ~20× cheaper than tf.gather on wasm.
  const batchScratch = compactScratch(inputSize, config.batch);
  const batchLabels = new Uint8Array(config.batch);
  const probe = setTensors(data.train, 0, config.probeBatch);
  const val = setTensors(data.test, 0, config.validationSubset);
  const test = setTensors(data.test, 0, data.test.count);
  const params = initParams(plan, config.seed, runId);
  return { runId, config, data, inputSize, plan, numTensorsBefore, batchScratch, batchLabels, probe, val, test, params };
}

function disposeRun(run: PreparedRun): void {
  disposeParams(run.params);
  disposeSets(run.probe, run.val, run.test);
}

/**
 * LSUV calibration, the engine (InitLens' kernels on wasm when `engine` allows, else tfjs ops),
 * the optimizer, the input's moments, the step-0 measurement and the mean-field prediction.
 */
function setUpProbe(run: PreparedRun, backend: BackendChoice, engine: TrainEngine): ProbeSession {
  const { config, plan, params, probe, inputSize } = run;
  plan.forEach((layer, i) => {
    if (layer.initializer.spec.kind === 'lsuv') lsuvRescale(plan, params, probe.x, i, layer.initializer.spec, probe.cols);
  });
  const variables = [...params.kernels, ...params.biases];
  let kernels = engine === 'auto' && backend.name === 'wasm' ? matmulKernels() : null;
  let net: KernelNet | undefined;
  if (kernels) {
    try {
      net = new KernelNet(kernels, plan, config.batch, inputSize, ArrayOptimizer.stateFloats(variables.map((v) => v.size), config.optimizer));
    } catch {
      // A WebAssembly memory this large could not be had (wasm32 stops at 4 GiB): tfjs ops instead.
      kernels = null;
    }
  }
  const optimizer = new ArrayOptimizer(variables, { kind: config.optimizer, lr: config.lr, momentum: config.momentum }, { layout: net?.layout });
  // E[x²] over every input feature, the left-out (all-zero) columns included.
  const [inputSum, inputSquares] = tf.tidy(() => tf.stack([tf.sum(probe.x), tf.sum(tf.square(probe.x))]).dataSync());
  const inputSecondMoment = inputSquares / (probe.x.shape[0] * inputSize);
  const inputMean = inputSum / (probe.x.shape[0] * inputSize);
  const initial = measure({ ...run, net });
  // The mean-field prediction from the measured input moments; LSUV layers by their calibrated std.
  const prediction = predictNetwork(plan, { mean: inputMean, secondMoment: inputSecondMoment }, initial.map((s) => s.weightStd));
  const firstGrad = new Float32Array(plan[0].fanIn * plan[0].fanOut);
  const layers: LayerInfo[] = plan.map((layer, i) => ({
    name: layer.name,
    fanIn: layer.fanIn,
    fanOut: layer.fanOut,
    activation: layer.activation,
    initializer: formatSpec(layer.initializer.spec),
    spec: layer.initializer.spec,
    weightStd: initial[i].weightStd,
    theoryWeightStd: weightStdOrLimit(layer.initializer.spec, layer.fanIn, layer.fanOut).std,
    predictedGain: layer.isOutput ? null : finite(prediction.gains[i] ?? NaN),
    isOutput: layer.isOutput,
  }));
  const histograms = new ActivationHistograms(plan);
  return { ...run, kernels, net, optimizer, inputSecondMoment, inputMean, initial, prediction, layers, histograms, firstGrad };
}

// With the kernels, statistics, histograms and evaluation run on them too (same numbers, no tfjs op).

function measure(s: PreparedRun & { net?: KernelNet }): ForwardStats[] {
  return s.net ? s.net.measure(s.probe.rows).stats : measureForward(s.plan, s.params, s.probe.x, s.probe.cols);
}

function recordHistograms(s: ProbeSession): ReturnType<ActivationHistograms['record']> {
  const { net, probe } = s;
  return net ? s.histograms.recordFrom((visit) => net.forEachActivation(probe.rows, visit), probe.rows.rows) : s.histograms.record(s.params, probe.x, probe.cols);
}

/**
 * A measured step's forward statistics and activation histograms on the probe batch. On the
 * kernels, once the histograms' bins are fixed (after step 0), both come from one forward pass.
 */
function probeAt(s: ProbeSession): { stats: ForwardStats[]; histogram: ReturnType<ActivationHistograms['record']> } {
  const ranges = s.histograms.fixedRanges;
  if (s.net && ranges) {
    const r = s.net.measure(s.probe.rows, { ranges, bins: s.histograms.binCount });
    return { stats: r.stats, histogram: s.histograms.fromCounts(r.counts!, r.near!, s.probe.rows.rows) };
  }
  return { stats: measure(s), histogram: recordHistograms(s) };
}

function evaluateOn(s: ProbeSession, set: LabelledSet): { loss: number; accuracy: number } {
  return s.net ? s.net.evaluate(set.rows, set.labels) : evaluate(s.plan, s.params, set);
}

/**
 * The training images at `idx`: into the kernels' arena (undefined returned), or compacted into
 * the step's buffer for tfjs ops; their labels into `batchLabels`.
 */
function batchAt(s: ProbeSession, idx: ArrayLike<number>): CompactRows | undefined {
  const { images, labels } = s.data.train;
  for (let r = 0; r < idx.length; r++) s.batchLabels[r] = labels[idx[r]];
  if (s.net) {
    s.net.loadBatch(images, s.inputSize, idx);
    return undefined;
  }
  return compactRows(images, s.inputSize, idx, s.batchScratch);
}

/**
 * Loss and gradients in one hand-written backward pass; on stats steps also the batch
 * accuracy, the gradient norms and the backward signal E[δ²] of every layer.
 */
function trainStep(s: ProbeSession, batch: CompactRows | undefined, labels: Uint8Array, isStats: boolean): StepOutcome {
  const { config, plan, params, net } = s;
  const L = plan.length;
  let lossValue = NaN;
  let batchAccuracy = NaN;
  let grads: Float32Array[];
  let extra: Float32Array | undefined;
  if (net) {
    const r = net.step(labels.length, labels);
    lossValue = r.loss;
    batchAccuracy = r.accuracy;
    grads = net.gradViews();
    if (isStats) {
      // δ is of the batch-mean loss; ×batch makes E[δ²] per example, independent of batch size.
      const b2 = config.batch * config.batch;
      const squares = (b: { at: number; view: Float32Array }): number => net.arena.sumSquares(b.at, b.view.length);
      extra = Float32Array.from([
        ...net.kernelGrads.map((g) => Math.sqrt(squares(g))),
        ...net.biasGrads.map((g) => Math.sqrt(squares(g))),
        ...net.deltas.map((d) => (squares(d) * b2) / d.view.length),
      ]);
    }
  } else {
    if (!batch) throw new Error('trainStep: no batch for tfjs ops');
    const result = tf.tidy(() => {
      const { x: xb, cols } = inputTensors(batch);
      const yb = oneHot(labels);
      const g = lossAndGrads(plan, params.kernels, params.biases, xb, yb, cols);
      lossValue = g.loss;
      batchAccuracy = g.accuracy;
      // On measured steps δ comes back too: its second moment and the gradient norms are summed in float64 below.
      return isStats ? [...g.kernelGrads, ...g.biasGrads, ...g.deltas] : [...g.kernelGrads, ...g.biasGrads];
    });
    grads = result.slice(0, 2 * L).map((g) => g.dataSync() as Float32Array);
    grads[0] = scatterRows(grads[0], batch.cols, plan[0].fanOut, s.firstGrad);
    extra = isStats
      ? Float32Array.from([
          ...grads.map((g) => Math.sqrt(sumOfSquares(g))),
          // δ is of the batch-mean loss; ×batch makes E[δ²] per example, independent of batch size.
          ...result.slice(2 * L).map((d) => (sumOfSquares(d.dataSync() as Float32Array) * config.batch * config.batch) / d.size),
        ])
      : undefined;
    tf.dispose(result);
  }
  return { loss: lossValue, accuracy: batchAccuracy, grads, extra };
}

/** Every layer's statistics at a measured step; at step 0 the mean-field prediction beside them. */
function layerStatsAt(
  s: ProbeSession,
  step: number,
  fs: ForwardStats[],
  histogram: ReturnType<ActivationHistograms['record']>,
  extra: Float32Array | undefined,
  updateRatios: (number | null)[],
): LayerStepStats[] {
  const L = s.plan.length;
  const layerStats: LayerStepStats[] = s.plan.map((_, i) => ({
    preActivationMean: finite(fs[i].preActivationMean),
    preActivationVariance: finite(fs[i].preActivationVariance),
    activationMean: finite(fs[i].activationMean),
    activationVariance: finite(fs[i].activationVariance),
    activationSecondMoment: finite(fs[i].activationSecondMoment),
    gradNorm: extra ? finite(extra[i]) : null,
    biasGradNorm: extra ? finite(extra[L + i]) : null,
    backwardSecondMoment: extra ? finite(extra[2 * L + i]) : null,
    weightStd: finite(fs[i].weightStd),
    updateRatio: updateRatios[i],
    deadFraction: fs[i].deadFraction,
    saturatedFraction: fs[i].saturatedFraction,
    distinctUnits: fs[i].distinctUnits,
    ...(histogram[i] ? { histogram: histogram[i] } : {}),
    unitSimilarity: finite(fs[i].unitSimilarity) ?? undefined,
  }));
  if (step === 0) {
    const predicted = predictedStats(s.prediction, layerStats[L - 1].backwardSecondMoment);
    layerStats.forEach((stats, i) => (stats.predicted = predicted[i]));
  }
  return layerStats;
}

export async function runProbe(request: RunRequest, data: LoadedData, backend: BackendChoice, sink: ProbeSink, startedAt = performance.now(), engine: TrainEngine = 'auto'): Promise<RunOutcome> {
  const run = prepareRun(request, data);
  const { config, plan, runId } = run;
  const outcome: RunOutcome = { flags: [], steps: [] };

  try {
    const s = setUpProbe(run, backend, engine);
    sink.emit({
      type: 'started',
      runId,
      backend: backend.name,
      backendReason: s.kernels ? `${backend.reason}; ${s.kernels.description}` : backend.reason,
      data: { source: data.source, kind: data.kind, description: data.description, train: data.train.count, test: data.test.count },
      layers: s.layers,
      inputSecondMoment: s.inputSecondMoment,
      inputMean: s.inputMean,
    });
    const diagnoser = new Diagnoser(s.layers, s.inputSecondMoment);

    const random = mulberry32(config.seed);
    const nextBatch = batchSampler(data.train.count, config.batch, random);

    const measuredSteps = new StepRecorder(outcome, sink, diagnoser, runId, startedAt);
    let stepsDone = 0;
    const trainStart = performance.now();
    const cpuStart = process.cpuUsage();

    for (let step = 0; step <= config.steps; step++) {
      if (sink.cancelled?.()) break;
      const isStats = step % config.every === 0 || step === config.steps;
      const applies = step < config.steps;
      const probed = isStats ? (step === 0 ? { stats: s.initial, histogram: recordHistograms(s) } : probeAt(s)) : undefined;
      const batch = batchAt(s, nextBatch());
      const { loss: lossValue, accuracy: batchAccuracy, grads, extra } = trainStep(s, batch, s.batchLabels, isStats);

      let updateRatios: (number | null)[] = plan.map(() => null);
      const lossFinite = Number.isFinite(lossValue);
      if (applies && lossFinite) {
        const ratios = s.optimizer.apply(grads, isStats);
        if (ratios) updateRatios = plan.map((_, i) => finite(ratios[i]));
        stepsDone = step + 1;
      }
      measuredSteps.addLoss(lossValue);

      if (isStats || !lossFinite) {
        const { stats: fs, histogram } = probed ?? probeAt(s);
        const layerStats = layerStatsAt(s, step, fs, histogram, extra, updateRatios);
        const validation = lossFinite ? evaluateOn(s, s.val) : { accuracy: NaN };
        measuredSteps.record(step, { accuracy: extra ? finite(batchAccuracy) : null, validationAccuracy: finite(validation.accuracy), layers: layerStats });
        if (!lossFinite) break;
      }
      // Let the event loop breathe so a cancel or a parent's message is heard between steps.
      if (step % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }

    const seconds = (performance.now() - trainStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const final = outcome.flags.some((f) => f.kind === 'diverged') ? { loss: NaN, accuracy: NaN } : evaluateOn(s, s.test);
    disposeRun(run);
    sink.emit({
      type: 'finished',
      runId,
      final: { validationAccuracy: finite(final.accuracy), loss: finite(final.loss), steps: stepsDone },
      timing: { seconds, samplesPerSecond: seconds > 0 ? (stepsDone * config.batch) / seconds : 0, firstMetricSeconds: measuredSteps.firstMetricSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 },
      numTensorsBefore: run.numTensorsBefore,
      numTensorsAfter: tf.memory().numTensors,
    });
    return outcome;
  } catch (err) {
    disposeRun(run);
    throw err;
  }
}
