/**
 * Per-layer histograms of the hidden activations on the probe batch, recorded on measured steps
 * (fastai's "colorful dimension" plots: one histogram per step, stacked over training, shows a
 * layer collapsing to zero or saturating). The bins of a layer are fixed at step 0 so that the
 * histograms of later steps line up; values outside the range count in the end bins, so a
 * histogram's counts always sum to batch × units.
 */
import { tf } from '../tfjs';
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { Activation } from '../initializers/spec';
import { ELU_ALPHA, SELU_ALPHA, SELU_SCALE } from '../initializers/activationMoments';
import { forward } from '../network';
import type { DenseLayerPlan, NetworkParams } from '../network';

export const HISTOGRAM_BINS = 32;
/** |a| below this share of the range's larger end counts as near zero. */
export const NEAR_ZERO_SHARE = 0.01;

export interface HistogramRange {
  lo: number;
  hi: number;
}

export interface ActivationHistogram extends HistogramRange {
  counts: number[];
  /** Share of activations with |a| < NEAR_ZERO_SHARE·max(|lo|, |hi|). */
  nearZero: number;
}

/** The lower bound an activation's output cannot go below, or undefined when unbounded. */
function floorOf(activation: Activation): number | undefined {
  switch (activation) {
    case 'relu':
    case 'sigmoid':
      return 0;
    case 'tanh':
      return -1;
    case 'elu':
      return -ELU_ALPHA;
    case 'selu':
      return -SELU_SCALE * SELU_ALPHA;
    case 'gelu':
      // min of x·Φ(x), at x ≈ −0.75.
      return -0.17;
    default:
      return undefined;
  }
}

/**
 * Bins for one layer from its step-0 activations' root mean square: tanh and sigmoid use their
 * whole output range; unbounded activations 4 RMS above zero (and below, down to their floor).
 */
export function histogramRange(activation: Activation, rms: number): HistogramRange {
  if (activation === 'tanh') return { lo: -1, hi: 1 };
  if (activation === 'sigmoid') return { lo: 0, hi: 1 };
  const hi = Number.isFinite(rms) && rms > 0 ? 4 * rms : 1;
  const floor = floorOf(activation);
  return { lo: floor === undefined ? -hi : Math.max(floor, -hi), hi };
}

/** Counts of one activation tensor in `bins` fixed bins, plus the near-zero count, as one tensor. */
function binned(a: Tensor, range: HistogramRange, bins: number): Tensor {
  const flat = tf.reshape(a, [-1]) as Tensor1D;
  const width = (range.hi - range.lo) / bins;
  // NaN/Inf would cast to an arbitrary bin; clip first puts ±Inf at the ends, NaN is mapped to 0.
  const safe = tf.where(tf.isNaN(flat), tf.zerosLike(flat), flat);
  const index = tf.cast(tf.clipByValue(tf.floor(tf.div(tf.sub(safe, range.lo), width)), 0, bins - 1), 'int32') as Tensor1D;
  const counts = tf.bincount(index, tf.tensor1d([], 'float32'), bins);
  const limit = NEAR_ZERO_SHARE * Math.max(Math.abs(range.lo), Math.abs(range.hi));
  const near = tf.sum(tf.cast(tf.less(tf.abs(safe), limit), 'float32'));
  return tf.concat([counts, tf.reshape(near, [1])]);
}

/**
 * Records the hidden layers' activation histograms on the probe batch. The ranges come from the
 * first call (step 0) and stay.
 */
export class ActivationHistograms {
  private ranges: HistogramRange[] | undefined;

  constructor(
    private readonly plan: readonly DenseLayerPlan[],
    private readonly bins = HISTOGRAM_BINS,
  ) {}

  /** The bins fixed by the first record (step 0), or undefined before it. */
  get fixedRanges(): readonly HistogramRange[] | undefined {
    return this.ranges;
  }

  /** The number of bins per layer. */
  get binCount(): number {
    return this.bins;
  }

  /**
   * Histograms from counts made elsewhere in the fixed bins (the probe's own kernels bin the
   * activations while they measure them): per hidden layer its counts and near-zero count, of
   * `rows` rows.
   */
  fromCounts(counts: readonly number[][], near: ArrayLike<number>, rows: number): (ActivationHistogram | undefined)[] {
    const ranges = this.ranges;
    if (!ranges) throw new Error('ActivationHistograms.fromCounts before the first record');
    return this.plan.map((layer, i) => (i < ranges.length ? { ...ranges[i], counts: counts[i], nearZero: near[i] / (rows * layer.fanOut) } : undefined));
  }

  /**
   * The same from activations computed elsewhere (the probe's own kernels): `forEach` calls its
   * visitor with every layer's activations, chunk by chunk, for `rows` rows in all.
   */
  recordFrom(forEach: (visit: (layer: number, a: Float32Array) => void) => void, rows: number): (ActivationHistogram | undefined)[] {
    const hidden = this.plan.filter((l) => !l.isOutput).length;
    if (!this.ranges) {
      const sums = new Float64Array(hidden);
      forEach((i, a) => {
        if (i >= hidden) return;
        let s = 0;
        for (let e = 0; e < a.length; e++) s += a[e] * a[e];
        sums[i] += s;
      });
      this.ranges = Array.from({ length: hidden }, (_, i) => histogramRange(this.plan[i].activation as Activation, Math.sqrt(sums[i] / (rows * this.plan[i].fanOut))));
    }
    const ranges = this.ranges;
    const counts = ranges.map(() => new Array<number>(this.bins).fill(0));
    const near = new Float64Array(hidden);
    forEach((i, a) => {
      if (i >= hidden) return;
      const { lo, hi } = ranges[i];
      const width = (hi - lo) / this.bins;
      const limit = NEAR_ZERO_SHARE * Math.max(Math.abs(lo), Math.abs(hi));
      const c = counts[i];
      for (let e = 0; e < a.length; e++) {
        const v = a[e] === a[e] ? a[e] : 0;
        const k = Math.floor((v - lo) / width);
        c[k >= this.bins ? this.bins - 1 : k > 0 ? k : 0] += 1;
        if (Math.abs(v) < limit) near[i] += 1;
      }
    });
    return this.plan.map((layer, i) => (i < hidden ? { ...ranges[i], counts: counts[i], nearZero: near[i] / (rows * layer.fanOut) } : undefined));
  }

  /** One histogram per layer of the plan; undefined for the softmax output. */
  record(params: NetworkParams, x: Tensor2D, cols?: Int32Array): (ActivationHistogram | undefined)[] {
    const hidden = this.plan.filter((l) => !l.isOutput);
    const packed = tf.tidy(() => {
      const trace = forward(this.plan, params.kernels, params.biases, x, cols);
      if (!this.ranges) {
        const rms = tf.stack(hidden.map((_, i) => tf.sqrt(tf.mean(tf.square(trace.act[i]))))).dataSync();
        this.ranges = hidden.map((layer, i) => histogramRange(layer.activation as Activation, rms[i]));
      }
      const ranges = this.ranges;
      return tf.stack(hidden.map((_, i) => binned(trace.act[i], ranges[i], this.bins)));
    });
    const values = packed.dataSync();
    const total = x.shape[0];
    packed.dispose();
    return this.plan.map((layer, i) => {
      if (layer.isOutput || !this.ranges) return undefined;
      const row = values.subarray(i * (this.bins + 1), (i + 1) * (this.bins + 1));
      const { lo, hi } = this.ranges[i];
      return { lo, hi, counts: Array.from(row.subarray(0, this.bins), Math.round), nearZero: row[this.bins] / (total * layer.fanOut) };
    });
  }
}
