/**
 * A layer's moments on the probe batch, summed in float64 over (rows × channels) blocks whose
 * channel varies fastest (a dense layer's units, a convolution's filters in NHWC). Every engine
 * reads its statistics through these sums: tfjs' float32 reductions over the 5.5 million
 * activations of a first convolution read a variance 4.4% low (0.003522 where float64 gives
 * 0.003685, the Keras conv example at step 0), so the instrument would read differently with the
 * engine that ran it.
 */
export interface LayerMoments {
  count: number;
  zSum: number;
  zSq: number;
  aSum: number;
  aSq: number;
  /** Per channel: the largest pre-activation (−∞ before any), and Σa, Σa². */
  zMax: Float64Array;
  cSum: Float64Array;
  cSq: Float64Array;
}

export interface MomentSummary {
  preActivationMean: number;
  preActivationVariance: number;
  activationMean: number;
  activationVariance: number;
  activationSecondMoment: number;
  /** Channels whose pre-activation was never positive on the batch. */
  deadChannels: number;
  channelVarianceMin: number;
  channelVarianceMax: number;
}

export function newLayerMoments(channels: number): LayerMoments {
  return { count: 0, zSum: 0, zSq: 0, aSum: 0, aSq: 0, zMax: new Float64Array(channels).fill(-Infinity), cSum: new Float64Array(channels), cSq: new Float64Array(channels) };
}

/** Adds a block of pre-activations z and activations a (same layout, channel fastest). */
export function accumulateMoments(s: LayerMoments, z: ArrayLike<number>, a: ArrayLike<number>, channels: number): void {
  let zSum = 0;
  let zSq = 0;
  let aSum = 0;
  let aSq = 0;
  const n = z.length;
  for (let e = 0; e < n; e += channels) {
    for (let c = 0; c < channels; c++) {
      const zv = z[e + c];
      const av = a[e + c];
      zSum += zv;
      zSq += zv * zv;
      aSum += av;
      aSq += av * av;
      if (zv > s.zMax[c]) s.zMax[c] = zv;
      s.cSum[c] += av;
      s.cSq[c] += av * av;
    }
  }
  s.count += n;
  s.zSum += zSum;
  s.zSq += zSq;
  s.aSum += aSum;
  s.aSq += aSq;
}

/** Means and population variances (E[x²] − E[x]², in float64) of what was accumulated. */
export function summarizeMoments(s: LayerMoments): MomentSummary {
  const N = s.count;
  const C = s.zMax.length;
  const zMean = s.zSum / N;
  const aMean = s.aSum / N;
  let dead = 0;
  let cMin = Infinity;
  let cMax = -Infinity;
  const perChannel = N / C;
  for (let c = 0; c < C; c++) {
    if (s.zMax[c] <= 0) dead++;
    const mean = s.cSum[c] / perChannel;
    const v = Math.max(0, s.cSq[c] / perChannel - mean * mean);
    cMin = Math.min(cMin, v);
    cMax = Math.max(cMax, v);
  }
  return {
    preActivationMean: zMean,
    preActivationVariance: Math.max(0, s.zSq / N - zMean * zMean),
    activationMean: aMean,
    activationVariance: Math.max(0, s.aSq / N - aMean * aMean),
    activationSecondMoment: s.aSq / N,
    deadChannels: dead,
    channelVarianceMin: cMin,
    channelVarianceMax: cMax,
  };
}

/** The population standard deviation of a kernel's weights, summed in float64. */
export function weightStd(kernel: ArrayLike<number>): number {
  let sum = 0;
  let sq = 0;
  for (let e = 0; e < kernel.length; e++) {
    sum += kernel[e];
    sq += kernel[e] * kernel[e];
  }
  const mean = sum / kernel.length;
  return Math.sqrt(Math.max(0, sq / kernel.length - mean * mean));
}
