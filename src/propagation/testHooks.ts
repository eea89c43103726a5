/**
 * The Signal Propagation view's test hooks, all in one place, used only in test mode: the view
 * asks its page for a test report after each render (src/protocol/testReports.ts); what each
 * chart drew is kept here and written to the log (debug) when it changes, so a failed test's
 * log says which chart stayed empty.
 */
import type * as vscode from 'vscode';
import type { PropagationTestReport } from '../protocol/testReports';

export class PropagationTestReports {
  charts: PropagationTestReport['charts'] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {}

  record(report: PropagationTestReport): void {
    const line = (charts: PropagationTestReport['charts']): string => charts.map((c) => `${c.chart} ${c.points}`).join(', ');
    if (line(report.charts) !== line(this.charts)) this.log.debug(`signal propagation view drew: ${line(report.charts)}`);
    this.charts = report.charts;
  }
}
