/**
 * Channel 2: extension host ⇄ Compare panel webview. One discriminated union per direction, each
 * validated at runtime on the receiving side (the webview is another program; and the host's
 * messages are checked in the webview too, so a protocol drift shows up as a logged drop, not as
 * a half-drawn chart).
 *
 * Data moves as a snapshot (after the webview says it is ready, and after it was hidden) and
 * then as deltas: per run only the step records and flags the webview has not seen yet, plus
 * the run's header when its status changed. Whole histories are never resent per step.
 */
import { z } from 'zod';
import { parseWith } from './parse';
import type { Parsed } from './parse';
import { backendNameSchema, flagSchema, probeConfigSchema, runSummarySchema, seedSummarySchema, stepMetricsSchema } from './index';
import { panelTestReportMessageSchema, reportForTestsSchema } from './testReports';

/** Everything about a run except its growing lists (steps, flags). */
export const runHeaderSchema = runSummarySchema.extend({
  /** Steps the run was asked for: progress and the step slider's end. */
  stepsPlanned: z.number().int().optional(),
});
export type RunHeader = z.infer<typeof runHeaderSchema>;

export const panelRunSchema = runHeaderSchema.extend({
  steps: z.array(stepMetricsSchema),
  flags: z.array(flagSchema),
});
export type PanelRun = z.infer<typeof panelRunSchema>;

/** A note as the webview renders it: markdown, turned into HTML and sanitized in the webview. */
export const panelNoteSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string(),
  summary: z.string(),
  body: z.string(),
});
export type PanelNote = z.infer<typeof panelNoteSchema>;

export const panelMetaSchema = z.object({
  /** What is being compared: the network's name, or the editor's model ("Probe this model"). */
  title: z.string(),
  /** Layers of the editor's model the probe could not build, each with its reason. */
  skipped: z.array(z.string()),
  running: z.boolean(),
  createdAt: z.string(),
  config: probeConfigSchema.nullable(),
  data: z
    .object({ source: z.string(), train: z.number().int(), test: z.number().int(), kind: z.string().optional(), description: z.string().optional() })
    .nullable(),
  backend: backendNameSchema.nullable(),
  /**
   * With several seeds per initializer (initlens.seeds): the engine's summary per initializer,
   * mean and 95% interval of the final accuracy and loss, and in how many seeds each flag fired.
   * Absent when every initializer ran once.
   */
  seeds: z.array(seedSummarySchema).optional(),
});
export type PanelMeta = z.infer<typeof panelMetaSchema>;

export const runDeltaSchema = z.object({
  runId: z.string().min(1),
  /** Present when the run is new to the webview or its status/final/timing changed. */
  header: runHeaderSchema.optional(),
  /** Step records after the last one sent, in order. */
  steps: z.array(stepMetricsSchema),
  flags: z.array(flagSchema),
});
export type RunDelta = z.infer<typeof runDeltaSchema>;

export const CHART_IDS = ['activationVariance', 'gradNorm', 'loss', 'accuracy', 'heatmap'] as const;
export type ChartId = (typeof CHART_IDS)[number];

/** Host → webview. */
export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), seq: z.number().int(), meta: panelMetaSchema.nullable(), runs: z.array(panelRunSchema), notes: z.array(panelNoteSchema) }),
  z.object({
    type: z.literal('delta'),
    seq: z.number().int(),
    runs: z.array(runDeltaSchema),
    notes: z.array(panelNoteSchema),
    meta: panelMetaSchema.optional(),
  }),
  /** Asks for every chart as a PNG (report, export from the command palette). */
  z.object({ type: z.literal('captureCharts'), requestId: z.number().int() }),
  reportForTestsSchema,
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

export const PANEL_ACTIONS = ['compare', 'stop', 'exportJson', 'exportCsv', 'exportPng', 'saveReport'] as const;
export type PanelAction = (typeof PANEL_ACTIONS)[number];

/** data:image/png;base64,… and nothing else: the host decodes it into a file. */
export const pngDataUrlSchema = z.string().regex(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);

export const chartImageSchema = z.object({ id: z.enum(CHART_IDS), title: z.string().max(200), dataUrl: pngDataUrlSchema });
export type ChartImage = z.infer<typeof chartImageSchema>;

/** Webview → host. */
export const webviewMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('action'), action: z.enum(PANEL_ACTIONS) }),
  /** One chart's PNG, from its own "Save PNG" button. */
  z.object({ type: z.literal('savePng'), image: chartImageSchema }),
  z.object({ type: z.literal('charts'), requestId: z.number().int(), images: z.array(chartImageSchema) }),
  panelTestReportMessageSchema,
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string().max(2000) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

export type { Parsed } from './parse';

/** Checks a message from the webview; unknown or malformed ones come back as a one-line error. */
export function parseWebviewMessage(raw: unknown): Parsed<WebviewMessage> {
  return parseWith(webviewMessageSchema, raw);
}

/** Checks a message from the host (in the webview). */
export function parseHostMessage(raw: unknown): Parsed<HostMessage> {
  return parseWith(hostMessageSchema, raw);
}
