/**
 * Every message that crosses a process or webview boundary, as one discriminated union per
 * channel, each with a runtime validator: a probe process and a webview are other programs,
 * so nothing they send is trusted before it passes these schemas.
 *
 * Channel 1 (this file): extension host / CLI  ⇄  probe process, JSON lines.
 * Channel 2 (panel.ts): extension host  ⇄  Compare panel webview.
 * Channel 3 (sidebar.ts): extension host  ⇄  sidebar webview.
 * The panel's and the sidebar's channels reuse this one's shapes (a run's layers, steps and
 * flags; the probe config), so each webview bundles these schemas plus its own channel's.
 *
 * The TypeScript types are z.infer of the schemas: each shape is written once, here. Like the
 * vocabulary, this folder imports nothing else of the project.
 */
import { z } from 'zod';
import { parseWith } from './parse';
import type { Parsed } from './parse';
import { graphSchema, networkLayerSchema } from './graph';
import { ACTIVATIONS, BACKEND_NAMES, BACKENDS, DATA_KINDS, FLAG_KINDS, OPTIMIZERS, RUN_STATUSES } from './vocabulary';

export * from './vocabulary';
export * from './graph';
export type { Parsed } from './parse';

/** A measured value; NaN/±Inf travel as null (JSON has no NaN), which the diagnosis reads as divergence. */
const measured = z.number().nullable();

export const initSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('zeros') }),
  z.object({ kind: z.literal('ones') }),
  z.object({ kind: z.literal('constant'), value: z.number() }),
  z.object({ kind: z.literal('random_normal'), mean: z.number(), stddev: z.number(), seed: z.number().int().optional() }),
  z.object({ kind: z.literal('random_uniform'), minval: z.number(), maxval: z.number(), seed: z.number().int().optional() }),
  /**
   * Keras: redraw values beyond mean ± 2·stddev, no rescaling (`lower`/`upper` absent).
   * PyTorch `trunc_normal_`: redraw outside the absolute bounds [lower, upper].
   */
  z.object({
    kind: z.literal('truncated_normal'),
    mean: z.number(),
    stddev: z.number(),
    lower: z.number().optional(),
    upper: z.number().optional(),
    seed: z.number().int().optional(),
  }),
  /**
   * Keras VarianceScaling. `preset` remembers the named case (`he_normal`, …) for display.
   * `uncorrected` = TensorFlow.js' truncated normal, which skips Keras' 1/0.87962566103423978
   * rescaling, so its sampled variance is about 0.774 × scale/n.
   */
  z.object({
    kind: z.literal('variance_scaling'),
    scale: z.number(),
    mode: z.enum(['fan_in', 'fan_out', 'fan_avg']),
    distribution: z.enum(['truncated_normal', 'untruncated_normal', 'uniform']),
    preset: z.string().optional(),
    uncorrected: z.boolean().optional(),
    seed: z.number().int().optional(),
  }),
  z.object({ kind: z.literal('orthogonal'), gain: z.number(), seed: z.number().int().optional() }),
  z.object({ kind: z.literal('identity'), gain: z.number() }),
  /** Mishkin & Matas 2016: orthogonal, then rescale each layer on one batch to unit output variance. */
  z.object({ kind: z.literal('lsuv'), tolerance: z.number(), maxIterations: z.number().int(), seed: z.number().int().optional() }),
]);
/** The resolved form of any written initializer (the parser's output, src/probe/initializers/parse.ts). */
export type InitSpec = z.infer<typeof initSpecSchema>;
export type FanMode = Extract<InitSpec, { kind: 'variance_scaling' }>['mode'];
export type Distribution = Extract<InitSpec, { kind: 'variance_scaling' }>['distribution'];

/** Everything a probe run needs besides its initializer. Defaults (probe/config.ts) = the seed notebook's model. */
export const probeConfigSchema = z.object({
  hidden: z.array(z.number().int()).min(1),
  activation: z.enum(ACTIVATIONS),
  optimizer: z.enum(OPTIMIZERS),
  lr: z.number(),
  /** Momentum for sgd (ignored by adam). */
  momentum: z.number(),
  batch: z.number().int(),
  steps: z.number().int(),
  /** Statistics every `every` steps (and at step 0 and the last step). */
  every: z.number().int(),
  seed: z.number().int(),
  /** `mnist`/`bundled`, `auto`, a .npz path, or an IDX folder. */
  data: z.string(),
  backend: z.enum(BACKENDS),
  /** Fixed batch of training images the per-layer statistics are measured on. */
  probeBatch: z.number().int(),
  /** Held-out images used for the accuracy recorded at each statistics step (the final accuracy uses all). */
  validationSubset: z.number().int(),
});
export type ProbeConfig = z.infer<typeof probeConfigSchema>;

/** One run = one network trained once. `initializer` is the written text for every hidden layer
 * unless `layers` says otherwise per layer (Probe this model). */
export const runRequestSchema = z.object({
  runId: z.string().min(1),
  label: z.string(),
  initializer: z.string(),
  /** Per hidden layer: written initializer, or null for `initializer`. Length = hidden.length. */
  layerInitializers: z.array(z.string().nullable()).optional(),
  /** Per hidden layer activation override (Probe this model). */
  layerActivations: z.array(z.enum(ACTIVATIONS)).optional(),
  outputInitializer: z.string().optional(),
  config: probeConfigSchema,
  /**
   * The user's own PyTorch model, run by python/initlens_probe in the user's Python instead of
   * the tfjs network built from `config.hidden`. Absent for tfjs runs.
   */
  pytorch: z
    .object({
      file: z.string().min(1),
      /** Class, builder function or module-level model in `file`; absent = the file's only one. */
      name: z.string().optional(),
      /** Constructor/builder arguments: a list (positional) or an object (keywords). */
      args: z.union([z.array(z.unknown()), z.record(z.unknown())]).optional(),
      /** false = the model as written (PyTorch's defaults included); true = `initializer` re-draws every Linear/Conv kernel. */
      reinitialize: z.boolean(),
    })
    .optional(),
  /**
   * Probe this network as written instead of the dense stack `config.hidden` describes. Kernels
   * without an initializer of their own get `initializer`.
   */
  graph: graphSchema.optional(),
});
export type RunRequest = z.infer<typeof runRequestSchema>;

/**
 * Layer graph runs: what normalization or a residual branch that starts at zero changes about a
 * measured layer's verdicts (src/probe/graph/roles.ts, media/notes/normalization.md).
 */
export const layerScaleRoleSchema = z.object({
  kind: z.enum(['normalized', 'zero_branch', 'inside_zero_branch']),
  /** The normalization after the layer, the Add closing the branch, or the branch's last layer. */
  by: z.string(),
  /** The forward-signal rules (vanishing/exploding E[a²]) leave this layer out. */
  forward: z.boolean(),
  /** The backward-signal rule (E[δ²]) leaves this layer out. */
  backward: z.boolean(),
  /** The engine's one line, with the measured numbers. */
  evidence: z.string(),
  note: z.string(),
  values: z.record(z.number()).optional(),
});
export type LayerScaleRole = z.infer<typeof layerScaleRoleSchema>;

export const layerInfoSchema = z.object({
  name: z.string(),
  fanIn: z.number().int(),
  fanOut: z.number().int(),
  activation: z.string(),
  initializer: z.string(),
  spec: initSpecSchema,
  /** Measured std of the kernel at step 0 (after LSUV rescaling when used). */
  weightStd: z.number(),
  /** The std the initializer's formula gives for these fans (before any LSUV rescaling). */
  theoryWeightStd: z.number(),
  /**
   * Predicted gain E[a_l²]/E[a_{l−1}²] of the activations' second moment at step 0 (a_0 = the
   * input), by the mean-field recursion from the measured input moments (src/probe/theory);
   * null for the output layer.
   */
  predictedGain: z.number().nullable(),
  isOutput: z.boolean(),
  /** Layer graph runs (and the PyTorch runner): dense, conv2d, … as the graph names them. */
  kind: z.string().optional(),
  /** Without the batch axis, in the model's own layout (channels last for Keras, first for PyTorch). */
  outputShape: z.array(z.number().int()).optional(),
  /** Trainable weights and biases of this layer. */
  params: z.number().int().optional(),
  /** Convolutions: [rows, cols] of the kernel. */
  kernelSize: z.array(z.number().int()).optional(),
  /** Convolutions: [input channels, output channels]. */
  channels: z.array(z.number().int()).optional(),
  scaleRole: layerScaleRoleSchema.optional(),
  /**
   * Layer graph runs: the BatchNormalization or LayerNormalization on this layer's input path
   * (back to the previous Dense/convolution): it resets the signal's scale, so the forward trend
   * restarts here rather than comparing across it.
   */
  afterNormalization: z.string().optional(),
});
export type LayerInfo = z.infer<typeof layerInfoSchema>;

/** Hidden layer activations on the probe batch in fixed bins (bins set at step 0; see activationHistograms.ts). */
export const activationHistogramSchema = z.object({
  lo: z.number(),
  hi: z.number(),
  /** Counts per bin; they sum to probe batch × units (values beyond the ends count in the end bins). */
  counts: z.array(z.number().int()),
  /** Share of activations with |a| < 1% of max(|lo|, |hi|). */
  nearZero: z.number(),
});
export type ActivationHistogramJson = z.infer<typeof activationHistogramSchema>;
/**
 * The mean-field prediction for one layer at step 0, from the measured input moments; the
 * backward signal is anchored at the output layer's measured E[δ²] (null without it).
 */
export const predictedLayerStatsSchema = z.object({
  /** Null where the prediction overflows (an exploding stack). */
  preActivationVariance: z.number().nullable(),
  /** E[φ(h)²]; null for the softmax output layer. */
  activationSecondMoment: z.number().nullable(),
  backwardSecondMoment: z.number().nullable(),
});
export type PredictedLayerStats = z.infer<typeof predictedLayerStatsSchema>;

export const layerStepStatsSchema = z.object({
  preActivationMean: measured,
  preActivationVariance: measured,
  activationMean: measured,
  activationVariance: measured,
  /** E[a²] over the probe batch: the quantity whose layer-to-layer ratio theory predicts. */
  activationSecondMoment: measured,
  /** ‖∂L/∂W‖ of the kernel on this step's training batch. */
  gradNorm: measured,
  biasGradNorm: measured,
  /** E[δ²], δ = ∂L/∂(pre-activation): the backward signal, per layer. */
  backwardSecondMoment: measured,
  weightStd: measured,
  /** ‖ΔW‖/‖W‖ of the update applied at this step; null where no update follows (last step). */
  updateRatio: measured,
  deadFraction: z.number(),
  saturatedFraction: z.number(),
  distinctUnits: z.number().int(),
  /** Hidden layers only (absent for the output and in documents from before histograms). */
  histogram: activationHistogramSchema.optional(),
  /** Mean pairwise similarity of the units' incoming weights (stats.ts unitSimilarity): 1 = all alike. */
  unitSimilarity: z.number().optional(),
  /** Convolutions (PyTorch probe and watch): the activation's moments per output channel. */
  channels: z.object({ activationMean: z.array(measured), activationVariance: z.array(measured) }).optional(),
  /** Convolutions: the smallest and largest per-channel variance of the activation over the probe batch and positions. */
  channelVarianceMin: measured.optional(),
  channelVarianceMax: measured.optional(),
  /** Step 0 only: what the mean-field recursion predicts for this layer, beside the measurement. */
  predicted: predictedLayerStatsSchema.optional(),
});
export type LayerStepStats = z.infer<typeof layerStepStatsSchema>;

export const stepMetricsSchema = z.object({
  step: z.number().int(),
  /** Mean training loss since the previous record (the batch loss at step 0). */
  loss: measured,
  /** Accuracy on this step's training batch. */
  accuracy: measured,
  /** Accuracy on the first `validationSubset` held-out images. */
  validationAccuracy: measured,
  layers: z.array(layerStepStatsSchema),
  /** watch(): the user's training loop did not report its loss, so a null loss is not divergence. */
  lossUnknown: z.boolean().optional(),
  /** Layer graph runs: every BatchNormalization's γ, β and its batch statistics on the probe batch (means over channels). */
  normalization: z
    .array(z.object({ name: z.string(), gammaMean: measured, gammaStd: measured, betaMean: measured, batchMean: measured, batchVariance: measured }))
    .optional(),
});
export type StepMetrics = z.infer<typeof stepMetricsSchema>;

export const flagSchema = z.object({
  kind: z.enum(FLAG_KINDS),
  /** 1-based index into `layers` (the output layer is last); 0 = the whole network. */
  layer: z.number().int(),
  step: z.number().int(),
  evidence: z.string(),
  /** Id of the explanatory note under media/notes/. */
  note: z.string(),
  /** The numbers behind `evidence`, for charts and tests. */
  values: z.record(z.number()).optional(),
});
export type Flag = z.infer<typeof flagSchema>;

export const dataInfoSchema = z.object({
  source: z.string(),
  kind: z.enum(DATA_KINDS),
  description: z.string(),
  train: z.number().int(),
  test: z.number().int(),
});
export type DataInfo = z.infer<typeof dataInfoSchema>;

export const backendNameSchema = z.enum(BACKEND_NAMES);

export const runTimingSchema = z.object({
  seconds: z.number(),
  samplesPerSecond: z.number(),
  /**
   * To the run's first metrics record from when its probe process received the run: the process'
   * start for the first run of a process (start-up included), its `start` line for a later run
   * in a reused process.
   */
  firstMetricSeconds: z.number(),
  /** CPU time the probe process spent in the training loop (less than `seconds` when other work shares the cores). */
  cpuSeconds: z.number().optional(),
  /** The most threads the runner allowed this run's kernels at any point (its share of the jobs; absent before thread budgets). */
  threads: z.number().int().min(1).optional(),
});

export const runFinalSchema = z.object({
  validationAccuracy: measured,
  loss: measured,
  /** Steps actually trained (fewer than asked when the run diverged). */
  steps: z.number().int(),
});

/** PyTorch runs: the interpreter, torch version and device that ran the model. */
export const runtimeInfoSchema = z.object({ python: z.string(), torch: z.string(), device: z.string(), deviceReason: z.string(), executable: z.string() });

/** PyTorch runs: the user's model as it was found and fed. */
export const modelInfoSchema = z.object({
  file: z.string(),
  name: z.string(),
  parameters: z.number().int(),
  trainableParameters: z.number().int(),
  output: z.enum(['logits', 'probs', 'logprobs']),
  input: z.string(),
  unusedLayers: z.array(z.string()),
});

/** Probe process → host. */
export const probeEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    runId: z.string(),
    backend: backendNameSchema,
    backendReason: z.string(),
    data: dataInfoSchema,
    layers: z.array(layerInfoSchema),
    /** Layer graph runs: every layer of the network as built (the measured ones are in `layers`). */
    network: z.array(networkLayerSchema).optional(),
    /** Input images' E[x²] on the probe batch: where the theory's recursion starts. */
    inputSecondMoment: z.number(),
    runtime: runtimeInfoSchema.optional(),
    model: modelInfoSchema.optional(),
    /** Input images' E[x] on the probe batch (all 784 features). */
    inputMean: z.number().optional(),
  }),
  z.object({ type: z.literal('step'), runId: z.string(), metrics: stepMetricsSchema }),
  z.object({ type: z.literal('flag'), runId: z.string(), flag: flagSchema }),
  z.object({
    type: z.literal('finished'),
    runId: z.string(),
    final: runFinalSchema,
    timing: runTimingSchema,
    numTensorsBefore: z.number().int(),
    numTensorsAfter: z.number().int(),
  }),
  /**
   * `traceback`: the user's code failed (PyTorch runs); the full trace for the output channel.
   * `network`: a model as written that failed before it started (after its shapes were planned):
   * the network it tried to build, so the panel header and the CLI still say which.
   */
  z.object({ type: z.literal('failed'), runId: z.string(), reason: z.string(), traceback: z.string().optional(), network: z.array(networkLayerSchema).optional() }),
]);
export type ProbeEvent = z.infer<typeof probeEventSchema>;

/**
 * A run as the results document keeps it (src/results.ts reduces probe events into these),
 * without its growing lists; the panel's run header is this plus the planned steps.
 */
export const runSummarySchema = z.object({
  runId: z.string().min(1),
  initializer: z.string(),
  spec: initSpecSchema.nullable(),
  activation: z.string(),
  hidden: z.array(z.number().int()),
  status: z.enum(RUN_STATUSES),
  error: z.string().optional(),
  backend: backendNameSchema.optional(),
  backendReason: z.string().optional(),
  inputSecondMoment: z.number().optional(),
  /** The run's random seed (several per initializer with --seeds). */
  seed: z.number().int().optional(),
  layers: z.array(layerInfoSchema),
  final: runFinalSchema.optional(),
  timing: runTimingSchema.optional(),
  tensorLeak: z.number().int().optional(),
  model: modelInfoSchema.optional(),
  runtime: runtimeInfoSchema.optional(),
  /** Layer graph runs: every layer as built, with its output shape and parameter count (the panel's header describes the network from it). */
  network: z.array(networkLayerSchema).optional(),
});

const intervalSchema = z.object({ mean: z.number().nullable(), low: z.number().nullable(), high: z.number().nullable() });

/**
 * Several seeds of one initializer (`--seeds N`, `initlens.seeds`): mean and 95% Student-t
 * interval over the finished seeds, and in how many seeds each (kind, layer) flag fired.
 */
export const seedSummarySchema = z.object({
  initializer: z.string(),
  seeds: z.number().int(),
  /** Seeds whose run finished (the interval is over these). */
  finished: z.number().int(),
  seedValues: z.array(z.number().int().nullable()),
  validationAccuracy: intervalSchema,
  loss: intervalSchema,
  flags: z.array(z.object({ kind: z.enum(FLAG_KINDS), layer: z.number().int(), seeds: z.number().int() })),
});
export type SeedSummary = z.infer<typeof seedSummarySchema>;

export const runRecordSchema = runSummarySchema.extend({
  steps: z.array(stepMetricsSchema),
  flags: z.array(flagSchema),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** The most threads one probe process is ever told it may use (a guard against a bad line, not a tuning knob). */
export const MAX_PROBE_THREADS = 64;
const threadCountSchema = z.number().int().min(1).max(MAX_PROBE_THREADS);

/**
 * Host → probe process (JSON lines on stdin). `start` begins a run (`threads`: how many threads
 * its kernels may use, 1 when absent); `threads` changes that budget while a run goes (the
 * runner hands idle cores to the runs still going, never more threads in total than its jobs).
 * Cancel is a kill: the process holds nothing worth saving.
 */
export const probeCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), request: runRequestSchema, threads: threadCountSchema.optional() }),
  z.object({ type: z.literal('threads'), count: threadCountSchema }),
]);
export type ProbeCommand = z.infer<typeof probeCommandSchema>;

/** Parses one JSON line from the other side; returns an error string instead of throwing. */
export function parseLine<T>(schema: z.ZodType<T>, line: string): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, error: `not JSON: ${line.slice(0, 80)}` };
  }
  return parseWith(schema, raw);
}

/** JSON with NaN/Infinity turned into null, matching `measured`. */
export function toJsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

