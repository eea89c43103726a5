/**
 * The Signal Propagation document: what `initlens propagate … --json` prints and what the Signal
 * Propagation view draws. The view reads it from a child process, so it is validated here.
 * Infinite depth scales (criticality) travel as null.
 */
import { z } from 'zod';
import { propagationTestReportMessageSchema, reportForTestsSchema } from './testReports';

const nullableNumber = z.number().nullable();

export const sweepSchema = z.object({
  activation: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  images: z.number().int(),
  runs: z.array(
    z.object({
      initializer: z.string(),
      sigmaW2: z.number(),
      inputSecondMoment: z.number(),
      inputCorrelation: z.number(),
      layers: z.array(z.object({ layer: z.number().int(), q: nullableNumber, c: nullableNumber, qTheory: nullableNumber, cTheory: nullableNumber })),
    }),
  ),
});
export type SweepJson = z.infer<typeof sweepSchema>;

export const phaseSchema = z.object({
  activation: z.string(),
  sigmaW2: z.array(z.number()),
  sigmaB2: z.array(z.number()),
  chi1: z.array(z.array(z.number())),
  critical: z.array(z.object({ sigmaB2: z.number(), sigmaW2: nullableNumber })),
  /** The exact critical σ_w² at one σ_b² (bisection on χ₁ = 1). */
  criticalAt: z.object({ sigmaB2: z.number(), sigmaW2: nullableNumber }),
  initializers: z.array(z.object({ initializer: z.string(), sigmaW2: z.number(), sigmaB2: z.number(), chi1: z.number(), phase: z.string(), depthScale: nullableNumber })),
});
export type PhaseJson = z.infer<typeof phaseSchema>;

export const jacobianSchema = z.object({
  activation: z.string(),
  depth: z.number().int(),
  width: z.number().int(),
  sigmaB2: z.number(),
  spectra: z.array(
    z.object({
      initializer: z.string(),
      inputVariance: z.number(),
      max: z.number(),
      min: z.number(),
      mean: z.number(),
      variance: z.number(),
      /** log10 of the squared singular values in fixed bins. */
      logHistogram: z.object({ lo: z.number(), hi: z.number(), counts: z.array(z.number().int()) }),
    }),
  ),
});
export type JacobianJson = z.infer<typeof jacobianSchema>;

export const mapSchema = z.object({
  activation: z.string(),
  width: z.number().int(),
  steps: z.number().int(),
  sigmaW2: z.array(z.number()),
  depths: z.array(z.number().int()),
  cells: z.array(z.object({ sigmaW2: z.number(), depth: z.number().int(), accuracy: nullableNumber, loss: nullableNumber, error: z.string().optional(), cached: z.boolean() })),
  /** Schoenholz et al.: networks train to about 6·ξ; per σ_w² of the grid (null = ∞). */
  depthScale: z.array(nullableNumber),
  seconds: z.number(),
  cancelled: z.boolean(),
});
export type MapJson = z.infer<typeof mapSchema>;

/** Per-layer activation histograms over a Compare run's measured steps (fastai's colorful dimension). */
export const histogramRunsSchema = z.array(
  z.object({
    initializer: z.string(),
    layers: z.array(
      z.object({
        name: z.string(),
        lo: z.number(),
        hi: z.number(),
        steps: z.array(z.number().int()),
        /** counts[k][b]: bin b at steps[k]. */
        counts: z.array(z.array(z.number())),
        nearZero: z.array(z.number()),
      }),
    ),
  }),
);
export type HistogramRunsJson = z.infer<typeof histogramRunsSchema>;

/** `initlens propagate histograms`: the histograms and where they were recorded. */
export const histogramsSchema = z.object({
  /** "short probes …" or the results file they were read from. */
  source: z.string(),
  runs: histogramRunsSchema,
});
export type HistogramsJson = z.infer<typeof histogramsSchema>;

export const propagationDocumentSchema = z.object({
  tool: z.literal('initlens'),
  kind: z.literal('propagation'),
  activation: z.string(),
  sweep: sweepSchema.optional(),
  phase: phaseSchema.optional(),
  jacobian: jacobianSchema.optional(),
  map: mapSchema.optional(),
  histograms: histogramsSchema.optional(),
});
export type PropagationDocument = z.infer<typeof propagationDocumentSchema>;


export const ACTIVATION_CHOICES = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'leaky_relu', 'gelu', 'linear'] as const;
/** At most this many initializers in the view at once (each is a sweep, a spectrum and a probe). */
export const MAX_VIEW_INITIALIZERS = 8;

/** Host → Signal Propagation webview: the whole state each time (a few hundred kB at most). */
export const propagationStateSchema = z.object({
  type: z.literal('state'),
  activation: z.enum(ACTIVATION_CHOICES),
  initializers: z.array(z.string()),
  /** The initializers the view's picker offers (catalog names that need no arguments). */
  choices: z.array(z.string()),
  doc: propagationDocumentSchema.nullable(),
  histograms: histogramRunsSchema,
  /** Where the histograms come from (a Compare run, or the view's own short probes). */
  histogramSource: z.string(),
  /** What is being computed right now, for the status line; null when idle. */
  busy: z.string().nullable(),
  error: z.string().nullable(),
  notes: z.array(z.object({ chart: z.string(), text: z.string() })),
});
export type PropagationState = z.infer<typeof propagationStateSchema>;

export const propagationHostMessageSchema = z.discriminatedUnion('type', [propagationStateSchema, reportForTestsSchema]);
export type PropagationHostMessage = z.infer<typeof propagationHostMessageSchema>;

/** Signal Propagation webview → host. */
export const propagationWebviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('activation'), activation: z.enum(ACTIVATION_CHOICES) }),
  /** The picker's choice, in the order to draw them. */
  z.object({ type: z.literal('initializers'), initializers: z.array(z.string().min(1).max(200)).min(1).max(MAX_VIEW_INITIALIZERS) }),
  z.object({ type: z.literal('runMap') }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('exportCsv') }),
  z.object({ type: z.literal('savePng'), name: z.string().max(100), dataUrl: z.string().max(20_000_000) }),
  propagationTestReportMessageSchema,
]);
export type PropagationWebviewMessage = z.infer<typeof propagationWebviewMessageSchema>;
