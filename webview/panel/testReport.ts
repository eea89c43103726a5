/**
 * What the Compare panel last drew, for the tests: sent only after the host asked, in test mode
 * (src/protocol/testReports.ts); the integration tests read it through `initlens._panelState`
 * (src/compare/testHooks.ts). The panel itself never reads it.
 */
import type { PanelTestReport } from '../../src/protocol/testReports';
import type { PanelModel } from './model';

export interface DrawnFacts {
  /** The page with charts is shown (not the empty page). */
  charts: boolean;
  notesShown: string[];
  points: number;
  theme: string;
  /** Several seeds: the caption over the charts, the summary's rows as shown, the x positions with a band. */
  seedCaption: string;
  seedRows: string[];
  bandPoints: number;
}

export function testReport(model: PanelModel, drawn: DrawnFacts): PanelTestReport {
  return {
    seq: model.seq,
    runs: model.runs.map((r) => ({ runId: r.runId, initializer: r.initializer, status: r.status, steps: r.steps.length, flags: r.flags.map((f) => f.kind), ...(r.backendReason ? { backendReason: r.backendReason } : {}) })),
    notesShown: drawn.charts ? drawn.notesShown : [],
    points: drawn.points,
    theme: drawn.theme,
    ...(drawn.charts && model.meta?.seeds ? { seedCaption: drawn.seedCaption, seedRows: drawn.seedRows, bandPoints: drawn.bandPoints } : {}),
  };
}
