/**
 * What the mean-field recursion predicts for the probe's own network at step 0, from the
 * measured input moments: per layer the pre-activation variance, the activation's second moment
 * E[a²] and the backward signal E[δ²] (anchored at the output layer's measured E[δ²]), and the
 * per-layer gain of E[a²] the panel's theory line and the diagnosis use. Pure math: no tfjs.
 */
import type { Activation, InitSpec } from '../initializers/spec';
import { weightMean, weightVariance } from '../initializers/theory';
import { propagateBackward, propagateForward } from './meanField';
import type { InputMoments, LayerPrediction, MeanFieldLayer } from './meanField';
import type { PredictedLayerStats } from '../../protocol';

/** The part of a planned layer the theory reads (structurally DenseLayerPlan, without tfjs). */
export interface PlannedLayer {
  fanIn: number;
  fanOut: number;
  activation: Activation | 'softmax';
  initializer: { spec: InitSpec };
  isOutput: boolean;
}

/** Kinds whose entries are independent draws: only for them does E[w] act as a common offset. */
function isIid(spec: InitSpec): boolean {
  return spec.kind !== 'orthogonal' && spec.kind !== 'identity' && spec.kind !== 'lsuv';
}

/**
 * The theory's view of the planned layers. `calibratedWeightStd[i]`, when given, replaces the
 * formula's Var(w) of a layer whose scale is data-dependent (LSUV): its rescaled kernel's std.
 */
export function meanFieldLayers(plan: readonly PlannedLayer[], calibratedWeightStd?: readonly (number | undefined)[]): MeanFieldLayer[] {
  return plan.map((layer, i) => {
    const spec = layer.initializer.spec;
    const calibrated = calibratedWeightStd?.[i];
    const variance = spec.kind === 'lsuv' && calibrated !== undefined ? calibrated ** 2 : weightVariance(spec, layer.fanIn, layer.fanOut);
    return {
      fanIn: layer.fanIn,
      fanOut: layer.fanOut,
      activation: layer.isOutput ? 'softmax' : layer.activation,
      weightVariance: variance,
      weightMean: isIid(spec) ? weightMean(spec, layer.fanIn, layer.fanOut) : 0,
      // The probe's biases start at zero.
      biasVariance: 0,
      biasMean: 0,
    };
  });
}

export interface NetworkPrediction {
  layers: MeanFieldLayer[];
  forward: LayerPrediction[];
  /**
   * Per hidden layer, the predicted gain E[a_l²]/E[a_{l−1}²] of the activations' second moment
   * (a_0 = the input x); null for the output layer. The product up to layer l times the input's
   * E[x²] is the predicted E[a_l²]: the panel's theory line.
   */
  gains: (number | null)[];
}

export function predictNetwork(plan: readonly PlannedLayer[], input: InputMoments, calibratedWeightStd?: readonly (number | undefined)[]): NetworkPrediction {
  const layers = meanFieldLayers(plan, calibratedWeightStd);
  const forward = propagateForward(input, layers);
  let previous = input.secondMoment;
  const gains = forward.map((p) => {
    if (p.activationSecondMoment === null) return null;
    const gain = previous > 0 ? p.activationSecondMoment / previous : null;
    previous = p.activationSecondMoment;
    return gain;
  });
  return { layers, forward, gains };
}

/** The step-0 predictions side by side with the measurements, given the output's measured E[δ²]. */
export function predictedStats(prediction: NetworkPrediction, outputBackwardSecondMoment: number | null): PredictedLayerStats[] {
  const backward = outputBackwardSecondMoment !== null && Number.isFinite(outputBackwardSecondMoment) ? propagateBackward(prediction.forward, prediction.layers, outputBackwardSecondMoment) : undefined;
  const finite = (x: number | null | undefined): number | null => (x !== null && x !== undefined && Number.isFinite(x) ? x : null);
  return prediction.forward.map((p, i) => ({
    preActivationVariance: finite(p.preActivationVariance),
    activationSecondMoment: finite(p.activationSecondMoment),
    backwardSecondMoment: finite(backward?.[i]),
  }));
}
