/**
 * The signal through a deep dense stack at initialization, measured on real digits, forward only:
 * per layer the pre-activations' second moment q_l = E[h²] and the mean correlation c_l between
 * the pre-activation vectors of two different images (Poole et al. 2016, "Exponential
 * expressivity in deep neural networks through transient chaos"). The stack is built exactly as a
 * probe builds it (same planner, same samplers and per-layer seeds, zero biases, LSUV applied),
 * so the points are what a Compare run of that network measures at step 0.
 */
import { tf } from '../tfjs';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';
import type { DigitSet } from '../data/types';
import type { Activation } from '../initializers/spec';
import { DEFAULT_CONFIG } from '../config';
import { activate, disposeParams, initParams, planNetwork } from '../network';
import { lsuvRescale } from '../lsuv';
import { weightVariance } from '../initializers/theory';
import { formatSpec } from '../initializers/parse';
import { cMap, propagateForward } from '../theory/meanField';

export interface DepthSweepRequest {
  activation: Activation;
  depth: number;
  width: number;
  /** Written initializer of every hidden layer (any form InitLens reads). */
  initializer: string;
  seed: number;
  /** Images the moments are averaged over (the first of the training split). */
  images: number;
}

export interface SweepLayer {
  /** 1-based hidden layer. */
  layer: number;
  /** E[h²] over images and units. */
  secondMoment: number;
  /** Mean over pairs of different images of cos(h_a, h_b); NaN where the layer's pre-activations are (numerically) all zero. */
  correlation: number;
  /** The mean-field recursion's E[h²] from the measured input moments and the sampled kernels' moments. */
  theorySecondMoment: number;
  /** The c-map iterated from the inputs' mean cosine (= the first layer's, in expectation over the weights). */
  theoryCorrelation: number;
}

export interface DepthSweep {
  initializer: string;
  /** fan_in·Var(W) of the first hidden layer (784 inputs) and of the square layers after it. */
  sigmaW2First: number;
  sigmaW2: number;
  /** E[x] and E[x²] of the input pixels over the images (all 784 features). */
  inputMean: number;
  inputSecondMoment: number;
  /** Mean pairwise cosine of the input images: c_0. */
  inputCorrelation: number;
  layers: SweepLayer[];
}

export const SWEEP_LIMITS = { maxDepth: 200, maxWidth: 2048, maxImages: 1024 } as const;

function pixels(set: DigitSet, count: number): Tensor2D {
  const size = set.rows * set.cols;
  const n = Math.min(count, set.count);
  const out = new Float32Array(n * size);
  for (let i = 0; i < out.length; i++) out[i] = set.images[i] / 255;
  return tf.tensor2d(out, [n, size]);
}

/** [E[h²], mean off-diagonal cosine, E[h]] of the rows of h, as a tensor of three. */
function moments(h: Tensor2D): Tensor2D {
  return tf.tidy(() => {
    const n = h.shape[0];
    const gram = tf.matMul(h, h, false, true);
    const norms = tf.sqrt(tf.maximum(tf.sum(tf.square(h), 1), 1e-30)) as Tensor1D;
    const cos = tf.div(gram, tf.outerProduct(norms, norms));
    // Off-diagonal mean: the diagonal is 1 (or 0 for an all-zero row), removed by subtraction.
    const diagonal = tf.sum(tf.mul(cos, tf.eye(n)));
    const offDiagonal = n > 1 ? tf.div(tf.sub(tf.sum(cos), diagonal), n * (n - 1)) : tf.scalar(1);
    return tf.reshape(tf.stack([tf.mean(tf.square(h)), offDiagonal, tf.mean(h)]), [1, 3]) as Tensor2D;
  });
}

export function depthSweep(request: DepthSweepRequest, train: DigitSet): DepthSweep {
  const { activation, depth, width, initializer, seed } = request;
  const inputSize = train.rows * train.cols;
  const plan = planNetwork(
    { runId: 'sweep', label: initializer, initializer, config: { ...DEFAULT_CONFIG, hidden: new Array<number>(depth).fill(width), activation, seed } },
    inputSize,
    10,
  ).slice(0, depth);
  const params = initParams(plan, seed, 'sweep');
  const x = pixels(train, request.images);
  try {
    plan.forEach((layer, i) => {
      if (layer.initializer.spec.kind === 'lsuv') lsuvRescale(plan, params, x, i, layer.initializer.spec);
    });
    const rows: Tensor2D[] = [moments(x)];
    let a: Tensor2D = x;
    for (let i = 0; i < depth; i++) {
      const previous = a;
      const [next, stats] = tf.tidy(() => {
        const h = tf.fused.matMul({ a: previous, b: params.kernels[i] as Tensor2D, bias: params.biases[i] }) as Tensor2D;
        return [activate(h, activation), moments(h)] as const;
      });
      rows.push(stats);
      if (previous !== x) previous.dispose();
      a = next;
    }
    if (a !== x) a.dispose();
    const packed = tf.concat(rows);
    const values = packed.dataSync();
    // The sampled kernels' own moments (after LSUV's rescaling when used): what the recursion needs.
    const kernelMoments = tf.tidy(() => tf.stack(params.kernels.map((k) => tf.stack([tf.moments(k).mean, tf.moments(k).variance]))).dataSync());
    tf.dispose([packed, ...rows]);
    const spec = plan[0].initializer.spec;
    const theory = propagateForward(
      { mean: values[2], secondMoment: values[0] },
      plan.map((layer, i) => ({ fanIn: layer.fanIn, fanOut: layer.fanOut, activation, weightMean: kernelMoments[2 * i], weightVariance: kernelMoments[2 * i + 1] })),
    );
    const correlations: number[] = [];
    let c = values[1];
    theory.forEach((t, i) => {
      correlations.push(c);
      const sigmaW2 = plan[i].fanOut * kernelMoments[2 * (i + 1) + 1];
      if (i + 1 < depth) c = cMap(activation, t.preActivationVariance, c, sigmaW2, 0);
    });
    return {
      initializer: formatSpec(spec),
      sigmaW2First: plan[0].fanIn * weightVariance(spec, plan[0].fanIn, plan[0].fanOut),
      sigmaW2: depth > 1 ? plan[1].fanIn * weightVariance(plan[1].initializer.spec, plan[1].fanIn, plan[1].fanOut) : plan[0].fanIn * weightVariance(spec, plan[0].fanIn, plan[0].fanOut),
      inputMean: values[2],
      inputSecondMoment: values[0],
      inputCorrelation: values[1],
      layers: plan.map((_, i) => ({
        layer: i + 1,
        secondMoment: values[3 * (i + 1)],
        // Rows whose squared norm is below the 1e-30 floor (all zero, or float32 underflow after
        // a vanishing signal) have no angle: their "cosine" would read as 0, so it is NaN (null in JSON).
        correlation: width * values[3 * (i + 1)] > 1e-30 ? values[3 * (i + 1) + 1] : NaN,
        theorySecondMoment: theory[i].preActivationVariance + theory[i].preActivationMean ** 2,
        theoryCorrelation: correlations[i],
      })),
    };
  } finally {
    disposeParams(params);
    x.dispose();
  }
}
