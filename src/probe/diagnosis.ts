/**
 * Verdicts from measurements: pure functions of what the probe recorded, so the CLI, the panel
 * and the tests all see the same flags. The rules (README, "Diagnosis", says where each number
 * comes from):
 *
 * - vanishing / exploding (signal, step 0, ≥ 2 hidden layers): the trend of the activations'
 *   second moment E[a²] across the hidden stack, first hidden layer to last — not the distance
 *   from the raw input's E[x²], which a well-scaled layer at unit variance is 9× away from. It
 *   fires where E[a_l²]/E[a_1²] leaves [1/T, T], T = max(10, e^{4·√(5(H−1)/n)}): a tenfold change,
 *   or four standard deviations of the finite-width fluctuation of log E[a²] for ReLU
 *   (Var ≈ 5L/n, Hanin & Rolnick 2018) when the stack is so deep or narrow that chance alone
 *   could move it tenfold. The evidence gives the measured and the mean-field-predicted gain.
 * - vanishing / exploding (gradients, step 0, ≥ 3 hidden layers): E[δ²] of the second hidden
 *   layer against the last leaves [1/T, T], T = max(100, e^{4·√(5L/n)}): a tenfold change of the
 *   gradient's rms (E[δ²] is its square), or the same fluctuation bound backwards. The first
 *   layer's φ′ sits at the data's scale, so like a_1 forward it starts the trend.
 * - exploding (training): a layer's kernel gradient norm exceeds 1000× a healthy scale: the larger
 *   of its own step-0 norm and the output layer's step-0 bias gradient norm ‖mean(p − y)‖, which
 *   the loss at chance sets and no initializer can vanish — so a run that starts vanished and
 *   recovers is not called exploding for recovering.
 * - dead (relu): at least half of a layer's units are never positive on the probe batch.
 * - saturated (tanh, sigmoid): more than 10% of a layer's outputs are saturated (|tanh| > 0.99,
 *   sigmoid outside [0.01, 0.99]); with unit-variance pre-activations tanh saturates 0.8%.
 * - symmetric: units that are identical (fewer distinct units than units) and still so at the
 *   first record after training updates, or near-identical (mean pairwise similarity of incoming
 *   weights ≥ 0.999, stats.ts unitSimilarity) with differences that have not grown tenfold by
 *   then. Symmetry at step 0 alone is not flagged: the
 *   next layer's random weights send different gradients to identical units, which breaks it at
 *   the first update (Zeros + tanh); it persists only when those gradients are identical or zero
 *   (Zeros + ReLU: relu′(0) = 0).
 * - diverged: the loss or a gradient became NaN/Inf; the run stops there.
 * The softmax output layer is excluded from every hidden-layer rule. In a layer graph, a layer
 * whose output a BatchNormalization or LayerNormalization normalizes (when its variance is at
 * least ε), or that ends a residual branch starting at zero (Fixup, SkipInit, zero γ), is left out
 * of the vanishing/exploding trends: its weight scale is not the signal's (graph/roles.ts says
 * which, with the numbers, in `LayerInfo.scaleRole`). A normalization on a layer's input path
 * resets the signal's scale: the forward trend restarts at that layer, and the backward trend is
 * not judged across it.
 */
import type { Flag, FlagKind, LayerInfo, StepMetrics } from '../protocol';
import { formatNumber } from '../view/number';

export const THRESHOLDS = {
  /** Tenfold change of E[a²] across the hidden stack (at least; see trendThreshold). */
  signalFactor: 10,
  /**
   * Hundredfold change of E[δ²], i.e. tenfold in the gradient's rms, which scales the weight
   * gradient norm and so each layer's learning speed: an order of magnitude between layers.
   */
  backwardFactor: 100,
  /** Standard deviations of the finite-width fluctuation a trend must exceed. */
  fluctuationSigmas: 4,
  /** Var[log E[a_L²]] ≈ this·L/n for ReLU (Hanin & Rolnick 2018): E[relu⁴]/E[relu²]² − 1 = 5. */
  fluctuationPerLayer: 5,
  gradGrowth: 1000,
  deadFraction: 0.5,
  saturatedFraction: 0.1,
  /** unitSimilarity at or above this counts as near-symmetric: units differ by ≲ 3% of their common part. */
  nearSymmetry: 0.999,
  /** Near-duplicates whose differences (1 − similarity) grew this much since step 0 are breaking apart. */
  symmetryBreakGrowth: 10,
} as const;

/**
 * The factor a trend over `layers` layers of width `width` must exceed: tenfold, or 4σ of the
 * finite-width fluctuation of log E[a²] when that is larger (deep or narrow stacks).
 */
export function trendThreshold(factor: number, layers: number, width: number): number {
  const sigma = Math.sqrt((THRESHOLDS.fluctuationPerLayer * Math.max(0, layers)) / Math.max(1, width));
  return Math.max(factor, Math.exp(THRESHOLDS.fluctuationSigmas * sigma));
}

export const NOTE_FOR: Record<FlagKind, string> = {
  vanishing: 'vanishing-gradients',
  exploding: 'exploding-gradients',
  symmetric: 'zero-symmetry',
  dead: 'dead-relu',
  saturated: 'saturation',
  diverged: 'exploding-gradients',
};

const fmt = formatNumber;
const pct = (x: number): string => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

type HiddenLayer = { info: LayerInfo; i: number; s: StepMetrics['layers'][number] };
type Add = (kind: FlagKind, layer: number, evidence: string, values: Record<string, number>, note?: string) => void;

export class Diagnoser {
  private readonly seen = new Set<string>();
  private step0?: StepMetrics;

  constructor(
    private readonly layers: readonly LayerInfo[],
    /** The input's E[x²] (kept for the evidence; the rules judge trends across depth). */
    private readonly inputSecondMoment: number,
  ) {}

  /** New flags for this record; each (kind, layer) is reported once, at the first step it shows. */
  observe(m: StepMetrics): Flag[] {
    const flags: Flag[] = [];
    const add: Add = (kind, layer, evidence, values, note) => {
      const key = `${kind}:${layer}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
      // A value that is NaN/Inf (no prediction for this layer) is left out: the protocol's flag values are numbers, and a flag
      // carrying null would be dropped at the process boundary with its evidence.
      const finite = Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
      flags.push({ kind, layer, step: m.step, evidence, note: note ?? NOTE_FOR[kind], values: finite });
    };

    const diverged = (m.loss === null && m.lossUnknown !== true) || m.layers.some((l) => l.gradNorm === null || l.activationSecondMoment === null);
    if (diverged) {
      add('diverged', 0, `loss ${m.loss === null ? 'is NaN/Inf' : fmt(m.loss)} at step ${m.step}${m.loss !== null ? ' and a gradient or activation is NaN/Inf' : ''}; training stopped`, {});
      return flags;
    }
    if (!this.step0) this.step0 = m;
    const hidden: HiddenLayer[] = this.layers.map((info, i) => ({ info, i, s: m.layers[i] })).filter((x) => !x.info.isOutput);

    for (const { info, i, s } of hidden) {
      const layerNo = i + 1;
      if (info.activation === 'relu' && s.deadFraction >= THRESHOLDS.deadFraction) {
        add('dead', layerNo, `${pct(s.deadFraction)} of ${info.name}'s units are never positive on the probe batch (threshold ${pct(THRESHOLDS.deadFraction)}): they get zero gradient`, {
          deadFraction: s.deadFraction,
        });
      }
      if ((info.activation === 'tanh' || info.activation === 'sigmoid') && s.saturatedFraction > THRESHOLDS.saturatedFraction) {
        add('saturated', layerNo, `${pct(s.saturatedFraction)} of ${info.name}'s ${info.activation} outputs are saturated (threshold ${pct(THRESHOLDS.saturatedFraction)}); pre-activation variance ${fmt(s.preActivationVariance ?? 0)}`, {
          saturatedFraction: s.saturatedFraction,
          preActivationVariance: s.preActivationVariance ?? 0,
        });
      }
    }

    if (m === this.step0) {
      // A layer whose scale a normalization after it cancels, or the zero end of a residual branch, is not a step in the signal's trend (roles.ts).
      this.signalFlags(
        hidden.filter((h) => !h.info.scaleRole?.forward),
        add,
      );
      this.backwardFlags(
        hidden.filter((h) => !h.info.scaleRole?.backward),
        add,
      );
    } else {
      this.symmetryFlags(hidden, m, add);
      this.growthFlags(m, add);
    }
    return flags;
  }

  /**
   * Identical units still identical after training updates, or near-duplicates whose
   * differences have not even grown tenfold (a constant init whose units the updates drive apart
   * is breaking its symmetry, as is a near-constant one).
   */
  private symmetryFlags(hidden: HiddenLayer[], m: StepMetrics, add: Add): void {
    const step0 = this.step0;
    if (!step0) return;
    for (const { info, i, s } of hidden) {
      const before = step0.layers[i];
      // A convolution's units are its filters (its fan_out is receptive field × filters).
      const units = info.channels?.[1] ?? info.fanOut;
      const identical = s.distinctUnits < units && before.distinctUnits < units;
      const spread0 = 1 - (before.unitSimilarity ?? 0);
      const spread = 1 - (s.unitSimilarity ?? 0);
      const nearDuplicates = units > 1 && before.distinctUnits === units && isNearSymmetric(before, units) && isNearSymmetric(s, units) && spread <= THRESHOLDS.symmetryBreakGrowth * spread0;
      if (!identical && !nearDuplicates) continue;
      const how = identical
        ? `only ${s.distinctUnits} of ${units} units in ${info.name} are distinct (${before.distinctUnits} at step 0)`
        : `${info.name}'s ${units} units are near-duplicates (mean pairwise similarity of their weights ${(s.unitSimilarity ?? 1).toFixed(6)}, threshold ${THRESHOLDS.nearSymmetry}; ${(before.unitSimilarity ?? 1).toFixed(6)} at step 0)`;
      const why = (s.gradNorm ?? 0) === 0 ? 'they receive no gradient at all' : 'their outgoing weights send them (nearly) identical updates';
      add('symmetric', i + 1, `${how} and still at step ${m.step}, after ${m.step} updates: ${why}`, {
        distinctUnits: s.distinctUnits,
        units,
        unitSimilarity: s.unitSimilarity ?? NaN,
        distinctUnitsStep0: before.distinctUnits,
      });
    }
  }

  /** Gradient norms far beyond a healthy scale during training (not beyond a vanished start). */
  private growthFlags(m: StepMetrics, add: Add): void {
    const step0 = this.step0;
    if (!step0) return;
    const floor = step0.layers[this.layers.length - 1]?.biasGradNorm ?? 0;
    for (const [i, s] of m.layers.entries()) {
      const g0 = step0.layers[i].gradNorm ?? 0;
      const healthy = Math.max(g0, floor);
      const g = s.gradNorm ?? 0;
      if (healthy > 0 && g > THRESHOLDS.gradGrowth * healthy) {
        const ref = g0 >= floor ? `its step-0 value ${fmt(g0)}` : `the healthy scale ${fmt(floor)} (the output bias gradient at step 0; this layer started at ${fmt(g0)})`;
        add('exploding', i + 1, `gradient norm of ${this.layers[i].name} reached ${fmt(g)} at step ${m.step}, over ${THRESHOLDS.gradGrowth}× ${ref}`, {
          gradNorm: g,
          gradNormStep0: g0,
          healthyScale: healthy,
        });
      }
    }
  }

  /** The geometric-mean per-layer gain the theory predicts from hidden layer 1 to layer `to` (index into hidden). */
  private static predictedTrend(hidden: HiddenLayer[], to: number): number {
    let product = 1;
    for (let k = 1; k <= to; k++) product *= hidden[k].info.predictedGain ?? NaN;
    return product;
  }

  private signalFlags(all: HiddenLayer[], add: Add): void {
    // A normalization on a layer's input path resets the signal's scale: the trend restarts there.
    let start = -1;
    all.forEach((h, k) => {
      if (h.info.afterNormalization !== undefined) start = k;
    });
    if (start > 0) this.signalFlags(all.slice(0, start), add);
    const hidden = start > 0 ? all.slice(start) : all;
    if (hidden.length < 2) return;
    const first = hidden[0];
    const q1 = first.s.activationSecondMoment ?? 0;
    if (!(q1 > 0)) return;
    const width = Math.min(...hidden.map((h) => h.info.fanOut));
    for (let k = 1; k < hidden.length; k++) {
      const { info, i, s } = hidden[k];
      const ratio = (s.activationSecondMoment ?? 0) / q1;
      const threshold = trendThreshold(THRESHOLDS.signalFactor, k, width);
      if (ratio >= 1 / threshold && ratio <= threshold) continue;
      const perLayer = Math.pow(Math.max(ratio, 1e-300), 1 / k);
      const predictedRatio = Diagnoser.predictedTrend(hidden, k);
      const predictedPerLayer = Math.pow(predictedRatio, 1 / k);
      const values = { ratio, threshold, measuredGainPerLayer: perLayer, predictedRatio, predictedGainPerLayer: predictedPerLayer, inputSecondMoment: this.inputSecondMoment };
      const theory = `per-layer gain ${ratio > 0 ? fmt(perLayer) : '0'} measured, ${Number.isFinite(predictedPerLayer) ? fmt(predictedPerLayer) : 'n/a'} predicted by the mean-field recursion for ${info.initializer} with ${info.activation}`;
      const span = `from ${first.info.name} to ${info.name} (${k} ${k === 1 ? 'layer' : 'layers'})`;
      // A normalized layer judged anyway (ε dominates its variance) says why its scale still counts.
      const role = info.scaleRole ?? first.info.scaleRole;
      const why = role ? `; ${role.evidence}` : '';
      if (ratio < 1) {
        add('vanishing', i + 1, `signal E[a²] falls to ${fmt(ratio)}× ${span}, beyond the ${fmt(threshold)}× a healthy stack stays within; ${theory}${why}`, values, role?.note);
      } else {
        add('exploding', i + 1, `signal E[a²] grows to ${fmt(ratio)}× ${span}, beyond the ${fmt(threshold)}× a healthy stack stays within; ${theory}${why}`, values, role?.note);
      }
      return;
    }
  }

  /**
   * E[δ²] from the last hidden layer down to the second: the first's φ′ is evaluated at
   * pre-activations whose scale the raw data sets (as a_1 in the forward rule), so it starts the
   * trend rather than joining it.
   */
  private backwardFlags(hidden: HiddenLayer[], add: Add): void {
    if (hidden.length < 3) return;
    // Backwards through a normalization E[δ²] is rescaled by γ/σ of the batch, not by the initializers: no trend across one.
    if (hidden.slice(1).some((h) => h.info.afterNormalization !== undefined)) return;
    const first = hidden[1];
    const last = hidden[hidden.length - 1];
    const b1 = first.s.backwardSecondMoment ?? 0;
    const bL = last.s.backwardSecondMoment ?? 0;
    if (!(bL > 0)) return;
    const ratio = b1 / bL;
    const width = Math.min(...hidden.map((h) => h.info.fanOut));
    const layers = hidden.length - 2;
    const threshold = trendThreshold(THRESHOLDS.backwardFactor, layers, width);
    const p1 = first.s.predicted?.backwardSecondMoment;
    const pL = last.s.predicted?.backwardSecondMoment;
    const predictedRatio = p1 !== undefined && p1 !== null && pL ? p1 / pL : NaN;
    const values = { ratio, threshold, predictedRatio, firstLayerGradNorm: hidden[0].s.gradNorm ?? 0, lastLayerGradNorm: last.s.gradNorm ?? 0 };
    const theory = `${Number.isFinite(predictedRatio) ? `${fmt(predictedRatio)}× predicted by the mean-field recursion` : 'no prediction'}; kernel gradient norms ${fmt(values.firstLayerGradNorm)} at ${hidden[0].info.name} vs ${fmt(values.lastLayerGradNorm)}`;
    const span = `${first.info.name} is ${fmt(ratio)}× that at ${last.info.name} (${layers} ${layers === 1 ? 'layer' : 'layers'} apart`;
    if (ratio < 1 / threshold) {
      add('vanishing', first.i + 1, `backward signal E[δ²] at ${span}, threshold ${fmt(1 / threshold)}×): gradients shrink towards the input; ${theory}`, values);
    } else if (ratio > threshold) {
      add('exploding', first.i + 1, `backward signal E[δ²] at ${span}, threshold ${fmt(threshold)}×): gradients grow towards the input; ${theory}`, values);
    }
  }
}

/** Units whose weights are near-duplicates (all of them alike, to within ~3%). */
function isNearSymmetric(s: StepMetrics['layers'][number], units: number): boolean {
  return units > 1 && (s.unitSimilarity ?? 0) >= THRESHOLDS.nearSymmetry;
}
