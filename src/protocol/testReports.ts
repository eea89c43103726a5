/**
 * Test plumbing, all in one place: what each webview reports of what it drew, so the
 * integration and UI tests can check the picture without reading pixels. A webview sends its
 * `testReport` only after its host asked with `reportForTests`, and a host asks only in test mode
 * (each feature's testHooks.ts); in normal use neither message crosses a channel. Each channel
 * (panel.ts, sidebar.ts, propagation.ts) takes its two messages from here.
 */
import { z } from 'zod';
import { RUN_STATUSES } from './vocabulary';

const text = (max = 4000) => z.string().max(max);

/** Host → webview: report what you draw, after every render from now on. */
export const reportForTestsSchema = z.object({ type: z.literal('reportForTests') });

/** Webview → host: one report, of the view's own shape. */
function testReportMessage<T extends z.ZodTypeAny>(report: T) {
  return z.object({ type: z.literal('testReport'), report });
}

/** The Compare panel: what it last drew; tests read it through `initlens._panelState`. */
export const panelTestReportSchema = z.object({
  seq: z.number().int(),
  runs: z.array(
    z.object({
      runId: z.string(),
      initializer: z.string(),
      status: z.enum(RUN_STATUSES),
      steps: z.number().int(),
      flags: z.array(z.string()),
      /** The backend cell's tooltip: the engine's description of how the run trains (kernels, threads). */
      backendReason: z.string().optional(),
    }),
  ),
  notesShown: z.array(z.string()),
  /** Points drawn on the charts over all series (a chart with no data counts 0). */
  points: z.number().int(),
  theme: z.string(),
  /** Several seeds: the caption over the charts and the summary table's rows as shown. */
  seedCaption: z.string().optional(),
  seedRows: z.array(z.string()).optional(),
  /** Several seeds: x positions with a drawn interval band (low < high) over all charts. */
  bandPoints: z.number().int().optional(),
});
export type PanelTestReport = z.infer<typeof panelTestReportSchema>;
export const panelTestReportMessageSchema = testReportMessage(panelTestReportSchema);

/** The sidebar: what it shows; tests read it through `initlens._sidebarState`. */
export const sidebarTestReportSchema = z.object({
  fields: z.record(z.object({ value: text(), problem: text().optional(), disabled: z.boolean() })),
  catalog: z.array(text(100)).max(100),
  checked: z.array(text(400)).max(200),
  custom: z.array(text(400)).max(100),
  customMessage: text().optional(),
  trustNotice: text().optional(),
  backend: text(),
  data: text(),
  progress: z.array(text()).max(1000),
  /** Several seeds: the caption and each initializer's row as shown. */
  seeds: z.array(text()).max(101).optional(),
  history: z.array(z.object({ id: text(100), text: text() })).max(100),
  openNotes: z.array(text(200)).max(100),
  notice: text().optional(),
});
export type SidebarTestReport = z.infer<typeof sidebarTestReportSchema>;
export const sidebarTestReportMessageSchema = testReportMessage(sidebarTestReportSchema);

/** The Signal Propagation view: how many data points (or grid cells) each chart drew; 0 = none yet. */
export const propagationTestReportSchema = z.object({ charts: z.array(z.object({ chart: z.string(), points: z.number().int().nonnegative() })) });
export type PropagationTestReport = z.infer<typeof propagationTestReportSchema>;
export const propagationTestReportMessageSchema = testReportMessage(propagationTestReportSchema);
