/**
 * The dense probe's training step on our own WebAssembly SIMD kernels (kernels/matmul.ts):
 * forward, softmax cross-entropy, backward, with every array in one WebAssembly memory that the
 * Adam kernel updates in place. Per step: one product per layer forward (bias and relu/leaky
 * relu fused into its store), two backward (∂W = hᵀδ, and δ' = δWᵀ ⊙ f'(h) with the derivative
 * fused), no tfjs op and no repacking of weights. The first layer's two products skip the
 * input's zeros (sparse products over the pixels a digit lights; the same sums). Other
 * activations run as JS loops between the products. The tfjs path (backprop.ts) computes the same numbers and stays for tfjs-node
 * and the cpu backend; a unit test compares whole probes run both ways.
 */
import type { DenseLayerPlan } from './network';
import { LEAKY_SLOPE } from './network';
import { SELU_ALPHA, SELU_SCALE } from './initializers/activationMoments';
import { softmaxCrossEntropy } from './backprop';
import { PIXEL_SCALE } from './inputs';
import type { CompactRows } from './inputs';
import { distinctUnits, SATURATION_LEVEL, unitSimilarity } from './stats';
import type { ForwardStats } from './stats';
import { WasmArena } from './kernels/matmul';
import type { Csr, MatmulKernels, StatsActivation } from './kernels/matmul';
import { NEAR_ZERO_SHARE } from './propagation/activationHistograms';
import type { HistogramRange } from './propagation/activationHistograms';
import type { Activation } from './initializers/spec';

/** Where the optimizer's arrays live: offsets of each variable's weights and gradient in the arena. */
export interface ArenaLayout {
  arena: WasmArena;
  weights: number[];
  grads: number[];
}

/** erf(x) to ~1.2e-7 (Numerical Recipes' erfc, a Chebyshev fit), for the exact gelu. */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

const FUSED: Partial<Record<Activation, 'relu' | 'leaky_relu'>> = { relu: 'relu', leaky_relu: 'leaky_relu' };
/** The activations forward-only passes apply in the kernels (the training step keeps z for linear layers' backward). */
const FORWARD_FUSED: Partial<Record<Activation, 'linear' | 'relu' | 'leaky_relu'>> = { ...FUSED, linear: 'linear' };

/** a = f(z), in place unless `out` is given. */
export function applyActivation(z: Float32Array, activation: Activation, out: Float32Array): void {
  const n = z.length;
  switch (activation) {
    case 'tanh':
      for (let e = 0; e < n; e++) out[e] = Math.tanh(z[e]);
      return;
    case 'sigmoid':
      for (let e = 0; e < n; e++) out[e] = 1 / (1 + Math.exp(-z[e]));
      return;
    case 'elu':
      for (let e = 0; e < n; e++) out[e] = z[e] > 0 ? z[e] : Math.expm1(z[e]);
      return;
    case 'selu':
      for (let e = 0; e < n; e++) out[e] = z[e] > 0 ? SELU_SCALE * z[e] : SELU_SCALE * SELU_ALPHA * Math.expm1(z[e]);
      return;
    case 'gelu':
      for (let e = 0; e < n; e++) out[e] = 0.5 * z[e] * (1 + erf(z[e] * Math.SQRT1_2));
      return;
    case 'relu':
      for (let e = 0; e < n; e++) out[e] = z[e] > 0 ? z[e] : 0;
      return;
    case 'leaky_relu':
      for (let e = 0; e < n; e++) out[e] = z[e] > 0 ? z[e] : LEAKY_SLOPE * z[e];
      return;
    case 'linear':
      if (out !== z) out.set(z);
      return;
  }
}

/**
 * back ⊙= f'(z), from a = f(z) (and z, which gelu needs; only gelu reads it). A multiplication, as
 * tfjs' gradients and the kernels' derivative epilogue: an infinite or NaN back at a dead relu unit
 * stays NaN, so a diverging run is seen as diverging.
 */
export function multiplyDerivative(back: Float32Array, a: Float32Array, z: Float32Array, activation: Activation): void {
  const n = back.length;
  switch (activation) {
    case 'tanh':
      for (let e = 0; e < n; e++) back[e] *= 1 - a[e] * a[e];
      return;
    case 'sigmoid':
      for (let e = 0; e < n; e++) back[e] *= a[e] * (1 - a[e]);
      return;
    case 'elu':
      for (let e = 0; e < n; e++) back[e] *= a[e] > 0 ? 1 : a[e] + 1;
      return;
    case 'selu':
      for (let e = 0; e < n; e++) back[e] *= a[e] > 0 ? SELU_SCALE : a[e] + SELU_SCALE * SELU_ALPHA;
      return;
    case 'gelu': {
      const c = 1 / Math.sqrt(2 * Math.PI);
      for (let e = 0; e < n; e++) {
        const x = z[e];
        back[e] *= 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * c * Math.exp(-0.5 * x * x);
      }
      return;
    }
    case 'relu':
      for (let e = 0; e < n; e++) back[e] *= a[e] > 0 ? 1 : 0;
      return;
    case 'leaky_relu':
      for (let e = 0; e < n; e++) back[e] *= a[e] > 0 ? 1 : LEAKY_SLOPE;
      return;
    case 'linear':
      return;
  }
}

/** Rows per forward-only pass (statistics, evaluation): the 500 validation digits in one. */
export const FORWARD_ROWS = 512;

/** Histogram bins per layer the arena has room for (activationHistograms' HISTOGRAM_BINS is 32). */
const HISTOGRAM_BINS_MAX = 64;

/** Row-wise softmax of z into out. */
export function softmaxRows(z: Float32Array, out: Float32Array, rows: number, classes: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, z[o + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(z[o + k] - max);
    for (let k = 0; k < classes; k++) out[o + k] = Math.exp(z[o + k] - max) / sum;
  }
}

interface Block {
  at: number;
  view: Float32Array;
}

export interface StepResult {
  loss: number;
  accuracy: number;
}

/**
 * A dense stack's arrays in one arena and its training step. Weights and gradients are the
 * optimizer's (see `layout`): it updates them in place between steps.
 */
export class KernelNet {
  readonly arena: WasmArena;
  private readonly weights: Block[] = [];
  private readonly biases: Block[] = [];
  /** Full gradients, the first layer's with zero rows for the unused columns. */
  readonly kernelGrads: Block[] = [];
  readonly biasGrads: Block[] = [];
  /** δ = ∂L/∂z of each layer for the last step (batch rows). */
  readonly deltas: Block[] = [];
  private readonly acts: Block[] = [];
  private readonly pres: (Block | undefined)[] = [];
  private readonly logits: Block;
  private readonly x: Block;
  /** Forward-only chunks' input as a sparse matrix (its nonzeros). */
  private readonly inputCsr: Csr;
  /** The training batch: its pixels (bytes), as a sparse matrix, and transposed for ∂W = xᵀδ. */
  private readonly batchBytes: Uint8Array;
  private readonly batchBytesAt: number;
  private readonly batchCsr: Csr;
  private readonly batchCsc: Csr;
  /** PIXEL_SCALE in the arena, and room for two float64 (weight moments). */
  private readonly pixelScaleAt: number;
  private readonly momentScratchAt: number;
  /** Per used column of the input: the input feature it is (int32; compactRows' `cols`). */
  private readonly colMap: Int32Array;
  private readonly colMapAt: number;
  private readonly inputSize: number;
  /** Views of inputCsr's arrays, and the sparse chunks of the sets forward-only passes saw (the probe batch and the held-out digits come back every measured step). */
  private readonly csrViews: { ptr: Int32Array; col: Int32Array; val: Float32Array };
  private readonly csrCache = new WeakMap<CompactRows, { ptr: Int32Array; col: Int32Array; val: Float32Array }[]>();
  private readonly oneHot: Float32Array;
  /** Forward-only passes: pre-activation and two activation buffers, FORWARD_ROWS × widest layer. */
  private readonly fz: Block;
  private readonly fa: [Block, Block];
  /** Per layer: Σz, Σz², Σa, Σa² of a measuring pass (float64, in the arena for act_stats). */
  private readonly momentsAt: number[] = [];
  private readonly moments: Float64Array;
  /** Per layer: each unit's max pre-activation over a measuring pass. */
  private readonly unitMax: Block[] = [];
  /** Per hidden layer: histogram counts (int32) of a measuring pass. */
  private readonly binsAt: number[] = [];
  private readonly bins: Int32Array;
  readonly layout: ArenaLayout;

  constructor(
    kernels: MatmulKernels,
    private readonly plan: readonly DenseLayerPlan[],
    private readonly batch: number,
    inputSize: number,
    /** Extra float32 the caller's optimizer will allocate in the arena (Adam's m and v). */
    extraFloats: number,
  ) {
    const xRows = FORWARD_ROWS;
    const widest = Math.max(...plan.map((l) => l.fanOut));
    const counts: number[] = [xRows * inputSize, extraFloats, 3 * FORWARD_ROWS * widest];
    // Sparse input: row starts, columns and values of up to every element, for x and xᵀ.
    counts.push(inputSize, xRows + 1, xRows * inputSize, xRows * inputSize, inputSize + 1, batch * inputSize, batch * inputSize);
    counts.push(Math.ceil((batch * inputSize) / 4), batch + 1, batch * inputSize, batch * inputSize, 256, 4);
    counts.push(8 * plan.length, plan.length * HISTOGRAM_BINS_MAX);
    for (const l of plan) counts.push(l.fanIn * l.fanOut, l.fanOut, l.fanIn * l.fanOut, l.fanOut, batch * l.fanOut, batch * l.fanOut, batch * l.fanOut, l.fanOut);
    this.arena = new WasmArena(kernels, WasmArena.bytesFor(counts) + 64 * plan.length * 4 + 65536);
    const offsets: number[] = [];
    const take = (n: number): number => {
      const at = this.arena.alloc(n);
      offsets.push(at, n);
      return at;
    };
    const xAt = take(xRows * inputSize);
    const fAt = [0, 1, 2].map(() => take(FORWARD_ROWS * widest));
    this.colMapAt = take(inputSize);
    this.inputCsr = { rows: 0, ptr: take(xRows + 1), col: take(xRows * inputSize), val: take(xRows * inputSize) };
    this.batchCsc = { rows: 0, ptr: take(inputSize + 1), col: take(batch * inputSize), val: take(batch * inputSize) };
    this.batchBytesAt = take(Math.ceil((batch * inputSize) / 4));
    this.batchCsr = { rows: 0, ptr: take(batch + 1), col: take(batch * inputSize), val: take(batch * inputSize) };
    this.pixelScaleAt = take(256);
    this.momentScratchAt = take(4);
    const w = plan.map((l) => take(l.fanIn * l.fanOut));
    const b = plan.map((l) => take(l.fanOut));
    const gw = plan.map((l) => take(l.fanIn * l.fanOut));
    const gb = plan.map((l) => take(l.fanOut));
    const deltas = plan.map((l) => take(batch * l.fanOut));
    const acts = plan.map((l) => take(batch * l.fanOut));
    const pres = plan.map((l) => (l.isOutput || l.activation === 'gelu' ? take(batch * l.fanOut) : -1));
    const momentsAt = take(8 * plan.length);
    const binsAt = take(plan.length * HISTOGRAM_BINS_MAX);
    const unitMax = plan.map((l) => take(l.fanOut));
    // Views only after every allocation: the memory does not grow any more (the optimizer's
    // m and v fit in what was reserved).
    const block = (at: number, n: number): Block => ({ at, view: this.arena.f32(at, n) });
    this.x = block(xAt, xRows * inputSize);
    this.fz = block(fAt[0], FORWARD_ROWS * widest);
    this.fa = [block(fAt[1], FORWARD_ROWS * widest), block(fAt[2], FORWARD_ROWS * widest)];
    this.colMap = new Int32Array(this.arena.memory.buffer, this.colMapAt, inputSize);
    this.batchBytes = new Uint8Array(this.arena.memory.buffer, this.batchBytesAt, batch * inputSize);
    this.arena.f32(this.pixelScaleAt, 256).set(PIXEL_SCALE);
    const buffer = this.arena.memory.buffer;
    this.csrViews = { ptr: new Int32Array(buffer, this.inputCsr.ptr, xRows + 1), col: new Int32Array(buffer, this.inputCsr.col, xRows * inputSize), val: new Float32Array(buffer, this.inputCsr.val, xRows * inputSize) };
    this.inputSize = inputSize;
    plan.forEach((l, i) => {
      this.weights.push(block(w[i], l.fanIn * l.fanOut));
      this.biases.push(block(b[i], l.fanOut));
      this.kernelGrads.push(block(gw[i], l.fanIn * l.fanOut));
      this.biasGrads.push(block(gb[i], l.fanOut));
      this.deltas.push(block(deltas[i], batch * l.fanOut));
      this.acts.push(block(acts[i], batch * l.fanOut));
      this.pres.push(pres[i] >= 0 ? block(pres[i], batch * l.fanOut) : undefined);
    });
    this.logits = this.pres[plan.length - 1]!;
    this.moments = new Float64Array(this.arena.memory.buffer, momentsAt, 4 * plan.length);
    plan.forEach((l, i) => {
      this.momentsAt.push(momentsAt + 32 * i);
      this.binsAt.push(binsAt + 4 * HISTOGRAM_BINS_MAX * i);
      this.unitMax.push(block(unitMax[i], l.fanOut));
    });
    this.bins = new Int32Array(this.arena.memory.buffer, binsAt, plan.length * HISTOGRAM_BINS_MAX);
    this.oneHot = new Float32Array(batch * plan[plan.length - 1].fanOut);
    this.layout = {
      arena: this.arena,
      weights: [...w, ...b],
      grads: [...gw, ...gb],
    };
  }

  /**
   * A forward-only chunk (rows×width at x, the used columns `cols`) as a sparse matrix over all
   * input features: a digit lights ~150 of its 784 pixels, and the products skip the rest.
   */
  private sparseInput(rows: number, width: number, cols: Int32Array | undefined): Csr {
    if (cols) this.colMap.set(cols);
    else for (let c = 0; c < width; c++) this.colMap[c] = c;
    this.arena.csrBuild(this.x.at, rows, width, width, this.colMapAt, this.inputCsr);
    return this.inputCsr;
  }

  /** Chunk `chunk` (rows from `from`) of a forward-only set as a sparse input, built once per set and chunk. */
  private sparseChunk(set: CompactRows, chunk: number, from: number, rows: number): Csr {
    let chunks = this.csrCache.get(set);
    if (!chunks) this.csrCache.set(set, (chunks = []));
    const cached = chunks[chunk];
    const v = this.csrViews;
    if (cached) {
      v.ptr.set(cached.ptr);
      v.col.set(cached.col);
      v.val.set(cached.val);
      this.inputCsr.rows = rows;
      return this.inputCsr;
    }
    this.x.view.set(set.pixels.subarray(from * set.width, (from + rows) * set.width));
    const csr = this.sparseInput(rows, set.width, set.cols);
    const nnz = v.ptr[rows];
    chunks[chunk] = { ptr: v.ptr.slice(0, rows + 1), col: v.col.slice(0, nnz), val: v.val.slice(0, nnz) };
    return csr;
  }

  /**
   * Forward passes over `set` in chunks of FORWARD_ROWS rows; `visit` sees every layer's output
   * of each chunk, row-major. `mode` says what is computed: `logits` only the output layer's z
   * (evaluation), `activations` the hidden layers' a (histograms), `moments` every layer's z and
   * a = f(z) (softmax for the output) with the moments act_stats accumulates in `moments` and
   * `unitMax` (set to zero / −∞ here). relu and leaky relu are applied in the kernels.
   */
  private forwardOnly(set: CompactRows, mode: 'logits' | 'activations' | 'moments', visit: (layer: number, z: Float32Array, a: Float32Array, rows: number, from: number, aAt: number) => void): void {
    const { plan, arena } = this;
    const L = plan.length;
    if (mode === 'moments') {
      this.moments.fill(0);
      for (const m of this.unitMax) m.view.fill(-Infinity);
    }
    for (let from = 0; from < set.rows; from += FORWARD_ROWS) {
      const rows = Math.min(FORWARD_ROWS, set.rows - from);
      let inAt = this.x.at;
      let inWidth = set.width;
      for (let i = 0; i < L; i++) {
        const l = plan[i];
        const n = rows * l.fanOut;
        const a = this.fa[i % 2];
        if (mode === 'activations' && l.isOutput) break;
        const fused = l.isOutput ? undefined : FORWARD_FUSED[l.activation as Activation];
        // Without moments a fused activation goes into the product's store, straight into a.
        const direct = mode !== 'moments' && !l.isOutput;
        const out = direct && fused ? a : this.fz;
        const product = { c: out.at, n: l.fanOut, bias: this.biases[i].at, activation: direct ? (fused ?? 'linear') : 'linear', slope: LEAKY_SLOPE } as const;
        if (i === 0) arena.spmm({ ...product, s: this.sparseChunk(set, from / FORWARD_ROWS, from, rows), b: this.weights[0].at });
        else arena.matmul({ ...product, a: inAt, b: this.weights[i].at, m: rows, k: inWidth });
        const z = this.fz.view.subarray(0, n);
        const av = a.view.subarray(0, n);
        if (mode === 'moments') {
          let given: StatsActivation = 'given';
          if (l.isOutput) softmaxRows(z, av, rows, l.fanOut);
          else if (fused) given = fused;
          else applyActivation(z, l.activation as Activation, av);
          arena.actStats({ z: this.fz.at, a: a.at, rows, units: l.fanOut, activation: given, slope: LEAKY_SLOPE, acc: this.momentsAt[i], umax: this.unitMax[i].at });
        } else if (!l.isOutput && !fused) applyActivation(z, l.activation as Activation, av);
        if (mode === 'logits' && !l.isOutput) {
          inAt = a.at;
          inWidth = l.fanOut;
          continue;
        }
        visit(i, z, av, rows, from, a.at);
        inAt = a.at;
        inWidth = l.fanOut;
      }
    }
  }

  /** Every layer's activations on `set`, chunk by chunk (activation histograms). */
  forEachActivation(set: CompactRows, visit: (layer: number, a: Float32Array) => void): void {
    const hidden = this.plan.filter((l) => !l.isOutput).length;
    this.forwardOnly(set, 'activations', (i, _z, a) => {
      if (i < hidden) visit(i, a);
    });
  }

  /**
   * Every layer's statistics on the probe batch (stats.ts' measureForward: moments in float64),
   * and, given the histograms' fixed bins, the hidden layers' histogram counts from the same pass.
   */
  measure(set: CompactRows, histogram?: { ranges: readonly HistogramRange[]; bins: number }): { stats: ForwardStats[]; counts?: number[][]; near?: number[] } {
    const { plan, arena } = this;
    const saturated = new Float64Array(plan.length);
    const bins = histogram?.bins ?? 0;
    if (bins > HISTOGRAM_BINS_MAX) throw new Error(`KernelNet: at most ${HISTOGRAM_BINS_MAX} histogram bins`);
    const near = histogram ? new Array<number>(histogram.ranges.length).fill(0) : undefined;
    if (histogram) this.bins.fill(0);
    this.forwardOnly(set, 'moments', (i, _z, a, rows, _from, aAt) => {
      const activation = plan[i].activation;
      let s = 0;
      if (activation === 'tanh') for (let e = 0; e < a.length; e++) s += Math.abs(a[e]) > SATURATION_LEVEL ? 1 : 0;
      if (activation === 'sigmoid') for (let e = 0; e < a.length; e++) s += a[e] < 1 - SATURATION_LEVEL || a[e] > SATURATION_LEVEL ? 1 : 0;
      saturated[i] += s;
      if (histogram && near && i < histogram.ranges.length) {
        const { lo, hi } = histogram.ranges[i];
        const limit = NEAR_ZERO_SHARE * Math.max(Math.abs(lo), Math.abs(hi));
        near[i] += arena.histogram(aAt, rows * plan[i].fanOut, lo, (hi - lo) / bins, bins, limit, this.binsAt[i]);
      }
    });
    const stats = plan.map((l, i) => {
      const count = set.rows * l.fanOut;
      const [z, zz, as, aa] = this.moments.subarray(4 * i, 4 * i + 4);
      const zMean = z / count;
      const aMean = as / count;
      let dead = 0;
      if (!l.isOutput) for (const m of this.unitMax[i].view) if (m <= 0) dead++;
      const w = this.weights[i].view;
      const wMoments = new Float64Array(arena.memory.buffer, this.momentScratchAt, 2).fill(0);
      arena.moments(this.weights[i].at, w.length, this.momentScratchAt);
      const [ws, ww] = wMoments;
      const wMean = ws / w.length;
      return {
        preActivationMean: zMean,
        preActivationVariance: Math.max(0, zz / count - zMean * zMean),
        activationMean: aMean,
        activationVariance: Math.max(0, aa / count - aMean * aMean),
        activationSecondMoment: aa / count,
        deadFraction: dead / l.fanOut,
        saturatedFraction: saturated[i] / count,
        weightStd: Math.sqrt(Math.max(0, ww / w.length - wMean * wMean)),
        distinctUnits: distinctUnits(w, this.biases[i].view, l.fanIn, l.fanOut),
        unitSimilarity: unitSimilarity(w, this.biases[i].view, l.fanIn, l.fanOut),
      };
    });
    if (!histogram || !near) return { stats };
    const counts = histogram.ranges.map((_, i) => Array.from(this.bins.subarray(i * HISTOGRAM_BINS_MAX, i * HISTOGRAM_BINS_MAX + bins)));
    return { stats, counts, near };
  }

  /** Mean cross-entropy and accuracy over a set whose labels (class indices) are given. */
  evaluate(set: CompactRows, labels: Uint8Array): { loss: number; accuracy: number } {
    const L = this.plan.length;
    const classes = this.plan[L - 1].fanOut;
    let lossSum = 0;
    let correct = 0;
    const oneHot = new Float32Array(FORWARD_ROWS * classes);
    this.forwardOnly(set, 'logits', (_i, z, _a, rows, from) => {
      oneHot.fill(0);
      for (let r = 0; r < rows; r++) oneHot[r * classes + labels[from + r]] = 1;
      const head = softmaxCrossEntropy(z, oneHot, rows, classes);
      lossSum += head.loss * rows;
      correct += head.accuracy * rows;
    });
    return { loss: lossSum / set.rows, accuracy: correct / set.rows };
  }

  /** The views the optimizer reads gradients from, in its variable order (kernels, then biases). */
  gradViews(): Float32Array[] {
    return [...this.kernelGrads.map((g) => g.view), ...this.biasGrads.map((g) => g.view)];
  }

  /**
   * The training batch: rows `idx` of `images` (`size` bytes each, pixels scaled by PIXEL_SCALE),
   * copied into the arena and listed as the first layer's sparse input for `step`.
   */
  loadBatch(images: Uint8Array, size: number, idx: ArrayLike<number>): void {
    if (idx.length !== this.batch || size !== this.inputSize) throw new Error(`KernelNet: a batch of ${idx.length}×${size}, planned for ${this.batch}×${this.inputSize}`);
    for (let r = 0; r < idx.length; r++) this.batchBytes.set(images.subarray(idx[r] * size, (idx[r] + 1) * size), r * size);
    this.arena.csrFromBytes(this.batchBytesAt, idx.length, size, this.pixelScaleAt, this.batchCsr);
  }

  /**
   * One forward and backward pass on the batch `loadBatch` loaded, labels as class indices.
   * Fills the gradients and deltas.
   */
  step(rows: number, labels: Uint8Array): StepResult {
    if (rows !== this.batch) throw new Error(`KernelNet: batch of ${rows} rows, planned for ${this.batch}`);
    const { plan, arena } = this;
    const L = plan.length;
    // Forward.
    let inAt = 0;
    let inWidth = 0;
    for (let i = 0; i < L; i++) {
      const l = plan[i];
      const fused = l.isOutput ? undefined : FUSED[l.activation as Activation];
      const pre = this.pres[i];
      const out = l.isOutput ? this.logits : fused || !pre ? this.acts[i] : pre;
      const product = { c: out.at, n: l.fanOut, bias: this.biases[i].at, activation: fused ?? 'linear', slope: LEAKY_SLOPE } as const;
      if (i === 0) arena.spmm({ ...product, s: this.batchCsr, b: this.weights[0].at });
      else arena.matmul({ ...product, a: inAt, b: this.weights[i].at, m: rows, k: inWidth });
      if (!l.isOutput && !fused) applyActivation(out.view, l.activation as Activation, this.acts[i].view);
      inAt = this.acts[i].at;
      inWidth = l.fanOut;
    }
    // Head.
    const classes = plan[L - 1].fanOut;
    this.oneHot.fill(0);
    for (let r = 0; r < rows; r++) this.oneHot[r * classes + labels[r]] = 1;
    const head = softmaxCrossEntropy(this.logits.view, this.oneHot, rows, classes);
    this.deltas[L - 1].view.set(head.delta);
    // Backward.
    for (let i = L - 1; i >= 0; i--) {
      const l = plan[i];
      const delta = this.deltas[i];
      if (i === 0) {
        // ∂W = xᵀδ over every input feature: rows of unused features come out zero.
        arena.csrTranspose(this.batchCsr, this.inputSize, this.batchCsc);
        arena.spmm({ s: this.batchCsc, n: l.fanOut, b: delta.at, c: this.kernelGrads[0].at });
      } else arena.matmul({ a: this.acts[i - 1].at, transA: true, b: delta.at, c: this.kernelGrads[i].at, m: l.fanIn, n: l.fanOut, k: rows });
      arena.colSums(delta.at, rows, l.fanOut, this.biasGrads[i].at);
      if (i === 0) break;
      const below = plan[i - 1];
      const fused = FUSED[below.activation as Activation];
      arena.matmul({
        a: delta.at,
        b: this.weights[i].at,
        transB: true,
        c: this.deltas[i - 1].at,
        m: rows,
        n: l.fanIn,
        k: l.fanOut,
        activation: fused ?? 'linear',
        derivativeOf: fused ? this.acts[i - 1].at : undefined,
        slope: LEAKY_SLOPE,
      });
      if (!fused) multiplyDerivative(this.deltas[i - 1].view, this.acts[i - 1].view, (this.pres[i - 1] ?? this.acts[i - 1]).view, below.activation as Activation);
    }
    return { loss: head.loss, accuracy: head.accuracy };
  }
}
