/**
 * The dense probe's training step on our own WebAssembly SIMD kernels (kernels/matmul.ts):
 * forward, softmax cross-entropy, backward, with every array in one WebAssembly memory that the
 * Adam kernel updates in place. Per step: one product per layer forward (bias and relu/leaky
 * relu fused into its store), two backward (∂W = hᵀδ, and δ' = δWᵀ ⊙ f'(h) with the derivative
 * fused), no tfjs op and no repacking of weights. Other activations run as JS loops between
 * the products. The tfjs path (backprop.ts) computes the same numbers and stays for tfjs-node
 * and the cpu backend; a unit test compares whole probes run both ways.
 */
import type { DenseLayerPlan } from './network';
import { LEAKY_SLOPE } from './network';
import { SELU_ALPHA, SELU_SCALE } from './initializers/activationMoments';
import { softmaxCrossEntropy } from './backprop';
import { forRuns } from './inputs';
import type { CompactRows, CompactScratch } from './inputs';
import { distinctUnits, SATURATION_LEVEL, unitSimilarity } from './stats';
import type { ForwardStats } from './stats';
import { WasmArena } from './kernels/matmul';
import type { MatmulKernels } from './kernels/matmul';
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

/** a = f(z), in place unless `out` is given. */
function applyActivation(z: Float32Array, activation: Activation, out: Float32Array): void {
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

/** back ⊙= f'(z), from a = f(z) (and z, which gelu needs). */
function multiplyDerivative(back: Float32Array, a: Float32Array, z: Float32Array, activation: Activation): void {
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
  private readonly firstRows: Block;
  private readonly firstGrad: Block;
  private readonly oneHot: Float32Array;
  /** Forward-only passes: pre-activation and two activation buffers, FORWARD_ROWS × widest layer. */
  private readonly fz: Block;
  private readonly fa: [Block, Block];
  readonly layout: ArenaLayout;
  /** The input batch goes here (compactRows writes into it; inputs.ts). */
  readonly scratch: CompactScratch;

  constructor(
    kernels: MatmulKernels,
    private readonly plan: readonly DenseLayerPlan[],
    private readonly batch: number,
    inputSize: number,
    /** Extra float32 the caller's optimizer will allocate in the arena (Adam's m and v). */
    extraFloats: number,
  ) {
    const xRows = Math.max(batch, FORWARD_ROWS);
    const widest = Math.max(...plan.map((l) => l.fanOut));
    const counts: number[] = [xRows * inputSize, inputSize * plan[0].fanOut, inputSize * plan[0].fanOut, extraFloats, 3 * FORWARD_ROWS * widest];
    for (const l of plan) counts.push(l.fanIn * l.fanOut, l.fanOut, l.fanIn * l.fanOut, l.fanOut, batch * l.fanOut, batch * l.fanOut, batch * l.fanOut);
    this.arena = new WasmArena(kernels, WasmArena.bytesFor(counts) + 64 * plan.length * 4 + 65536);
    const offsets: number[] = [];
    const take = (n: number): number => {
      const at = this.arena.alloc(n);
      offsets.push(at, n);
      return at;
    };
    const xAt = take(xRows * inputSize);
    const fAt = [0, 1, 2].map(() => take(FORWARD_ROWS * widest));
    const firstRowsAt = take(inputSize * plan[0].fanOut);
    const firstGradAt = take(inputSize * plan[0].fanOut);
    const w = plan.map((l) => take(l.fanIn * l.fanOut));
    const b = plan.map((l) => take(l.fanOut));
    const gw = plan.map((l) => take(l.fanIn * l.fanOut));
    const gb = plan.map((l) => take(l.fanOut));
    const deltas = plan.map((l) => take(batch * l.fanOut));
    const acts = plan.map((l) => take(batch * l.fanOut));
    const pres = plan.map((l) => (l.isOutput || l.activation === 'gelu' ? take(batch * l.fanOut) : -1));
    // Views only after every allocation: the memory does not grow any more (the optimizer's
    // m and v fit in what was reserved).
    const block = (at: number, n: number): Block => ({ at, view: this.arena.f32(at, n) });
    this.x = block(xAt, xRows * inputSize);
    this.fz = block(fAt[0], FORWARD_ROWS * widest);
    this.fa = [block(fAt[1], FORWARD_ROWS * widest), block(fAt[2], FORWARD_ROWS * widest)];
    this.firstRows = block(firstRowsAt, inputSize * plan[0].fanOut);
    this.firstGrad = block(firstGradAt, inputSize * plan[0].fanOut);
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
    this.oneHot = new Float32Array(batch * plan[plan.length - 1].fanOut);
    const usedWords = new Uint32Array(Math.ceil(inputSize / 4));
    this.scratch = { used: new Uint8Array(usedWords.buffer, 0, inputSize), usedWords, out: this.x.view.subarray(0, batch * inputSize) };
    this.layout = {
      arena: this.arena,
      weights: [...w, ...b],
      grads: [...gw, ...gb],
    };
  }

  /** The first layer's kernel rows for the used columns (a copy of a few hundred kB, not a repack). */
  private firstLayerRows(cols: Int32Array | undefined): Block {
    if (!cols) return this.weights[0];
    const all = this.weights[0].view;
    const units = this.plan[0].fanOut;
    forRuns(cols, (column, index, count) => this.firstRows.view.set(all.subarray(column * units, (column + count) * units), index * units));
    return this.firstRows;
  }

  /**
   * Forward passes over `set` in chunks of FORWARD_ROWS rows; `visit` sees every layer's
   * pre-activation z and activation a (softmax for the output) of each chunk, row-major.
   */
  private forwardOnly(set: CompactRows, visit: (layer: number, z: Float32Array, a: Float32Array, rows: number, from: number) => void): void {
    const { plan, arena } = this;
    const w0 = this.firstLayerRows(set.cols);
    for (let from = 0; from < set.rows; from += FORWARD_ROWS) {
      const rows = Math.min(FORWARD_ROWS, set.rows - from);
      this.x.view.set(set.pixels.subarray(from * set.width, (from + rows) * set.width));
      let inAt = this.x.at;
      let inWidth = set.width;
      plan.forEach((l, i) => {
        const n = rows * l.fanOut;
        const a = this.fa[i % 2];
        arena.matmul({ a: inAt, b: i === 0 ? w0.at : this.weights[i].at, c: this.fz.at, m: rows, n: l.fanOut, k: inWidth, bias: this.biases[i].at });
        const z = this.fz.view.subarray(0, n);
        if (l.isOutput) softmaxRows(z, a.view, rows, l.fanOut);
        else applyActivation(z, l.activation as Activation, a.view.subarray(0, n));
        visit(i, z, a.view.subarray(0, n), rows, from);
        inAt = a.at;
        inWidth = l.fanOut;
      });
    }
  }

  /** Every layer's activations on `set`, chunk by chunk (activation histograms). */
  forEachActivation(set: CompactRows, visit: (layer: number, a: Float32Array) => void): void {
    this.forwardOnly(set, (i, _z, a) => visit(i, a));
  }

  /** Every layer's statistics on the probe batch (stats.ts' measureForward, in JS and float64). */
  measure(set: CompactRows): ForwardStats[] {
    const { plan } = this;
    const sums = plan.map(() => ({ z: 0, zz: 0, a: 0, aa: 0, saturated: 0 }));
    const unitMax = plan.map((l) => new Float64Array(l.fanOut).fill(-Infinity));
    this.forwardOnly(set, (i, z, a, rows) => {
      const s = sums[i];
      const units = plan[i].fanOut;
      const max = unitMax[i];
      let zs = 0;
      let zz = 0;
      let as = 0;
      let aa = 0;
      for (let r = 0; r < rows; r++) {
        const o = r * units;
        for (let j = 0; j < units; j++) {
          const zv = z[o + j];
          const av = a[o + j];
          zs += zv;
          zz += zv * zv;
          as += av;
          aa += av * av;
          if (zv > max[j] || zv !== zv) max[j] = zv; // a NaN sticks, as in tf.max
        }
      }
      s.z += zs;
      s.zz += zz;
      s.a += as;
      s.aa += aa;
      const activation = plan[i].activation;
      if (activation === 'tanh') for (let e = 0; e < a.length; e++) s.saturated += Math.abs(a[e]) > SATURATION_LEVEL ? 1 : 0;
      if (activation === 'sigmoid') for (let e = 0; e < a.length; e++) s.saturated += a[e] < 1 - SATURATION_LEVEL || a[e] > SATURATION_LEVEL ? 1 : 0;
    });
    return plan.map((l, i) => {
      const count = set.rows * l.fanOut;
      const s = sums[i];
      const zMean = s.z / count;
      const aMean = s.a / count;
      let dead = 0;
      if (!l.isOutput) for (const m of unitMax[i]) if (m <= 0) dead++;
      const w = this.weights[i].view;
      let ws = 0;
      let ww = 0;
      for (let e = 0; e < w.length; e++) {
        ws += w[e];
        ww += w[e] * w[e];
      }
      const wMean = ws / w.length;
      return {
        preActivationMean: zMean,
        preActivationVariance: Math.max(0, s.zz / count - zMean * zMean),
        activationMean: aMean,
        activationVariance: Math.max(0, s.aa / count - aMean * aMean),
        activationSecondMoment: s.aa / count,
        deadFraction: dead / l.fanOut,
        saturatedFraction: s.saturated / count,
        weightStd: Math.sqrt(Math.max(0, ww / w.length - wMean * wMean)),
        distinctUnits: distinctUnits(w, this.biases[i].view, l.fanIn, l.fanOut),
        unitSimilarity: unitSimilarity(w, this.biases[i].view, l.fanIn, l.fanOut),
      };
    });
  }

  /** Mean cross-entropy and accuracy over a set whose labels (class indices) are given. */
  evaluate(set: CompactRows, labels: Uint8Array): { loss: number; accuracy: number } {
    const L = this.plan.length;
    const classes = this.plan[L - 1].fanOut;
    let lossSum = 0;
    let correct = 0;
    const oneHot = new Float32Array(FORWARD_ROWS * classes);
    this.forwardOnly(set, (i, z, _a, rows, from) => {
      if (i !== L - 1) return;
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
   * One forward and backward pass on the batch compactRows wrote into `scratch` (`rows` rows of
   * `width` used columns `cols`), labels as class indices. Fills the gradients and deltas.
   */
  step(rows: number, width: number, cols: Int32Array | undefined, labels: Uint8Array): StepResult {
    if (rows !== this.batch) throw new Error(`KernelNet: batch of ${rows} rows, planned for ${this.batch}`);
    const { plan, arena } = this;
    const L = plan.length;
    const first = plan[0];
    const w0 = this.firstLayerRows(cols);
    // Forward.
    let inAt = this.x.at;
    let inWidth = width;
    for (let i = 0; i < L; i++) {
      const l = plan[i];
      const fused = l.isOutput ? undefined : FUSED[l.activation as Activation];
      const pre = this.pres[i];
      const out = l.isOutput ? this.logits : fused || !pre ? this.acts[i] : pre;
      arena.matmul({
        a: inAt,
        b: i === 0 ? w0.at : this.weights[i].at,
        c: out.at,
        m: rows,
        n: l.fanOut,
        k: inWidth,
        bias: this.biases[i].at,
        activation: fused ?? 'linear',
        slope: LEAKY_SLOPE,
      });
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
      const input = i === 0 ? this.x.at : this.acts[i - 1].at;
      const fanIn = i === 0 ? width : l.fanIn;
      const grad = i === 0 && cols ? this.firstGrad : this.kernelGrads[i];
      arena.matmul({ a: input, transA: true, b: delta.at, c: grad.at, m: fanIn, n: l.fanOut, k: rows });
      const gb = this.biasGrads[i].view;
      gb.fill(0);
      const d = delta.view;
      for (let r = 0; r < rows; r++) {
        const o = r * l.fanOut;
        for (let j = 0; j < l.fanOut; j++) gb[j] += d[o + j];
      }
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
    if (cols) {
      const full = this.kernelGrads[0].view;
      const units = first.fanOut;
      full.fill(0);
      const compact = this.firstGrad.view;
      forRuns(cols, (column, index, count) => full.set(compact.subarray(index * units, (index + count) * units), column * units));
    }
    return { loss: head.loss, accuracy: head.accuracy };
  }
}
