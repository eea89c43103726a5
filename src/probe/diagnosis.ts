/**
 * Verdicts from measurements: pure functions of what the probe recorded, so the CLI, the panel
 * and the tests all see the same flags. Thresholds (documented in README, "Diagnosis"):
 *
 * - vanishing / exploding (signal, step 0): theory predicts the signal's second moment q_l = E[a_l²]
 *   changes by a gain g_l per layer (relu: ½·fan_in·Var(W); He init makes g = 1). We compare
 *   the measured q_l with the input's q_0: falling below q_0/10 is vanishing, above 10·q_0 is
 *   exploding — a tenfold change no well-scaled initializer produces at any depth.
 * - vanishing / exploding (gradients, step 0, ≥ 2 hidden layers): the backward signal
 *   E[δ²] (δ = ∂L/∂pre-activation) of the first hidden layer against the last hidden layer,
 *   same factor of 10.
 * - exploding (training): a layer's gradient norm grows beyond 1000× its step-0 value.
 * - dead (relu): at least half of a layer's units are never positive on the probe batch.
 * - saturated (tanh, sigmoid): more than 10% of a layer's outputs are saturated (|tanh| > 0.99,
 *   sigmoid outside [0.01, 0.99]); with unit-variance pre-activations tanh saturates 0.8%.
 * - symmetric: a layer has fewer distinct units than units (identical incoming weights and bias).
 * - diverged: the loss or a gradient became NaN/Inf; the run stops there.
 */
import type { Flag, FlagKind, LayerInfo, StepMetrics } from '../protocol';
import { formatNumber } from '../view/number';

export const THRESHOLDS = {
  signalFactor: 10,
  backwardFactor: 10,
  gradGrowth: 1000,
  deadFraction: 0.5,
  saturatedFraction: 0.1,
} as const;

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

export class Diagnoser {
  private readonly seen = new Set<string>();
  private step0?: StepMetrics;

  constructor(
    private readonly layers: readonly LayerInfo[],
    private readonly inputSecondMoment: number,
  ) {}

  /** New flags for this record; each (kind, layer) is reported once, at the first step it shows. */
  observe(m: StepMetrics): Flag[] {
    const flags: Flag[] = [];
    const add = (kind: FlagKind, layer: number, evidence: string, values: Record<string, number>): void => {
      const key = `${kind}:${layer}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
      flags.push({ kind, layer, step: m.step, evidence, note: NOTE_FOR[kind], values });
    };

    const diverged = m.loss === null || m.layers.some((l) => l.gradNorm === null || l.activationSecondMoment === null);
    if (diverged) {
      add('diverged', 0, `loss ${m.loss === null ? 'is NaN/Inf' : fmt(m.loss)} at step ${m.step}${m.loss !== null ? ' and a gradient or activation is NaN/Inf' : ''}; training stopped`, {});
      return flags;
    }
    if (!this.step0) this.step0 = m;
    const hidden = this.layers.map((info, i) => ({ info, i, s: m.layers[i] })).filter((x) => !x.info.isOutput);

    for (const { info, i, s } of hidden) {
      const layerNo = i + 1;
      // A convolution's units are its filters (its fan_out is receptive field × filters).
      const units = info.channels?.[1] ?? info.fanOut;
      const what = info.channels ? 'filters' : 'units';
      if (s.distinctUnits < units) {
        add('symmetric', layerNo, `only ${s.distinctUnits} of ${units} ${what} in ${info.name} are distinct: identical ${what} get identical updates`, {
          distinctUnits: s.distinctUnits,
          units,
        });
      }
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
      this.signalFlags(hidden, add);
      this.backwardFlags(hidden, add);
    } else {
      for (const [i, s] of m.layers.entries()) {
        const g0 = this.step0.layers[i].gradNorm ?? 0;
        const g = s.gradNorm ?? 0;
        if (g0 > 0 && g > THRESHOLDS.gradGrowth * g0) {
          add('exploding', i + 1, `gradient norm of ${this.layers[i].name} grew from ${fmt(g0)} at step 0 to ${fmt(g)} (over ${THRESHOLDS.gradGrowth}×)`, { gradNorm: g, gradNormStep0: g0 });
        }
      }
    }
    return flags;
  }

  private signalFlags(
    hidden: { info: LayerInfo; i: number; s: StepMetrics['layers'][number] }[],
    add: (kind: FlagKind, layer: number, evidence: string, values: Record<string, number>) => void,
  ): void {
    const q0 = this.inputSecondMoment;
    if (!(q0 > 0)) return;
    let predicted = 1;
    for (const { info, i, s } of hidden) {
      predicted *= info.predictedGain ?? 1;
      const q = s.activationSecondMoment ?? 0;
      const ratio = q / q0;
      const depth = i + 1;
      const perLayer = Math.pow(Math.max(ratio, 1e-30), 1 / depth);
      const values = { ratio, predictedRatio: predicted, measuredGainPerLayer: perLayer, predictedGainPerLayer: info.predictedGain ?? NaN };
      const theory = `per-layer gain ${ratio > 0 ? fmt(perLayer) : '0'} measured, ${info.predictedGain === null ? 'n/a' : fmt(info.predictedGain)} predicted for ${info.initializer} with ${info.activation}`;
      if (ratio < 1 / THRESHOLDS.signalFactor) {
        add('vanishing', depth, `signal E[a²] falls to ${fmt(ratio)}× the input's by ${info.name} (threshold ${fmt(1 / THRESHOLDS.signalFactor)}×); ${theory}`, values);
        return;
      }
      if (ratio > THRESHOLDS.signalFactor) {
        add('exploding', depth, `signal E[a²] grows to ${fmt(ratio)}× the input's by ${info.name} (threshold ${THRESHOLDS.signalFactor}×); ${theory}`, values);
        return;
      }
    }
  }

  private backwardFlags(
    hidden: { info: LayerInfo; i: number; s: StepMetrics['layers'][number] }[],
    add: (kind: FlagKind, layer: number, evidence: string, values: Record<string, number>) => void,
  ): void {
    if (hidden.length < 2) return;
    const first = hidden[0];
    const last = hidden[hidden.length - 1];
    const b1 = first.s.backwardSecondMoment ?? 0;
    const bL = last.s.backwardSecondMoment ?? 0;
    if (!(bL > 0)) return;
    const ratio = b1 / bL;
    const values = { ratio, firstLayerGradNorm: first.s.gradNorm ?? 0, lastLayerGradNorm: last.s.gradNorm ?? 0 };
    if (ratio < 1 / THRESHOLDS.backwardFactor) {
      add('vanishing', 1, `backward signal E[δ²] at ${first.info.name} is ${fmt(ratio)}× that at ${last.info.name} (threshold ${fmt(1 / THRESHOLDS.backwardFactor)}×): gradients shrink towards the input; kernel gradient norms ${fmt(values.firstLayerGradNorm)} vs ${fmt(values.lastLayerGradNorm)}`, values);
    } else if (ratio > THRESHOLDS.backwardFactor) {
      add('exploding', 1, `backward signal E[δ²] at ${first.info.name} is ${fmt(ratio)}× that at ${last.info.name} (threshold ${THRESHOLDS.backwardFactor}×): gradients grow towards the input; kernel gradient norms ${fmt(values.firstLayerGradNorm)} vs ${fmt(values.lastLayerGradNorm)}`, values);
    }
  }
}

