/**
 * The network a probe builds when it probes a model as written: a list of layers in source
 * order, each naming its inputs (a sequence when omitted: the previous layer). Part of the probe
 * channel (protocol.ts); the editor's model plan, the CLI and the PyTorch runner all speak it.
 */
import { z } from 'zod';
import { ACTIVATIONS } from './vocabulary';

const positive = z.number().int().positive().max(1_000_000);
const pair = z.tuple([positive, positive]);

export const GRAPH_ACTIVATIONS = [...ACTIVATIONS, 'softmax'] as const;
export const graphActivationSchema = z.enum(GRAPH_ACTIVATIONS);
export type GraphActivation = z.infer<typeof graphActivationSchema>;

/** `valid`, `same` (TensorFlow's split: the extra row/column at the bottom/right), or explicit symmetric [rows, cols] (PyTorch's padding=). */
export const paddingSchema = z.union([z.enum(['valid', 'same']), z.tuple([z.number().int().min(0).max(1000), z.number().int().min(0).max(1000)])]);
export type Padding = z.infer<typeof paddingSchema>;

const common = {
  /** As written or as the framework would name it: conv2d, max_pooling2d, self.fc1, … */
  name: z.string().min(1).max(200),
  /** Names of the layers feeding this one; omitted = the previous layer. */
  inputs: z.array(z.string().min(1).max(200)).min(1).max(16).optional(),
  /** 1-based source line, for messages. */
  line: z.number().int().positive().optional(),
  /** Input features / channels as written (PyTorch's in_features, in_channels, num_features): the builder refuses a mismatch. */
  inFeatures: z.number().int().positive().optional(),
};
/** Initializer text as InitLens reads it; omitted = the request's initializer (compare) or the framework default. */
const init = z.string().min(1).max(4000).optional();

export const graphLayerSchema = z.discriminatedUnion('kind', [
  /** Shape without the batch axis, in the model's own layout. */
  z.object({ kind: z.literal('input'), ...common, shape: z.array(positive).min(1).max(3) }),
  z.object({ kind: z.literal('dense'), ...common, units: positive, activation: graphActivationSchema, useBias: z.boolean(), kernelInitializer: init }),
  z.object({
    kind: z.literal('conv2d'),
    ...common,
    filters: positive,
    kernelSize: pair,
    strides: pair,
    padding: paddingSchema,
    activation: graphActivationSchema,
    useBias: z.boolean(),
    kernelInitializer: init,
  }),
  z.object({ kind: z.literal('max_pooling2d'), ...common, poolSize: pair, strides: pair, padding: paddingSchema }),
  z.object({ kind: z.literal('average_pooling2d'), ...common, poolSize: pair, strides: pair, padding: paddingSchema }),
  z.object({ kind: z.literal('global_average_pooling2d'), ...common }),
  z.object({ kind: z.literal('flatten'), ...common }),
  /** Target shape without the batch axis, in the model's own layout. */
  z.object({ kind: z.literal('reshape'), ...common, targetShape: z.array(positive).min(1).max(3) }),
  z.object({ kind: z.literal('dropout'), ...common, rate: z.number().min(0).max(0.999) }),
  z.object({
    kind: z.literal('batch_normalization'),
    ...common,
    /** Keras' meaning: moving = momentum·moving + (1 − momentum)·batch (PyTorch's 0.1 is Keras' 0.9). */
    momentum: z.number().min(0).max(1),
    epsilon: z.number().positive().max(1),
    gammaInitializer: z.string().min(1).max(4000),
    betaInitializer: z.string().min(1).max(4000),
    /** PyTorch keeps the unbiased batch variance in its running average; Keras the biased one. */
    unbiasedMovingVariance: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('layer_normalization'), ...common, epsilon: z.number().positive().max(1) }),
  z.object({ kind: z.literal('activation'), ...common, activation: graphActivationSchema }),
  z.object({ kind: z.literal('add'), ...common }),
  z.object({ kind: z.literal('concatenate'), ...common }),
]);
export type GraphLayer = z.infer<typeof graphLayerSchema>;
export type GraphLayerKind = GraphLayer['kind'];

export const graphSchema = z.object({
  /** channels_last: Keras and TensorFlow.js (NHWC); channels_first: PyTorch (NCHW). */
  layout: z.enum(['channels_last', 'channels_first']),
  layers: z.array(graphLayerSchema).min(2).max(1000),
});
export type GraphSpec = z.infer<typeof graphSchema>;

/** One layer of the built network as the started event describes it (every layer, not only the measured ones). */
export const networkLayerSchema = z.object({
  name: z.string(),
  kind: z.string(),
  /** Without the batch axis, in the model's own layout. */
  outputShape: z.array(z.number().int()),
  params: z.number().int(),
});
export type NetworkLayer = z.infer<typeof networkLayerSchema>;
