/**
 * The Compare feature's test hooks, all in one place, registered only in test mode: the panel
 * asks its webview for a test report after each render (src/protocol/testReports.ts) and the
 * latest per panel is kept here; `initlens._panelState` gives the integration tests that and the
 * panel's state. Not in the manifest, so never in the palette.
 */
import * as vscode from 'vscode';
import type { PanelTestReport } from '../protocol/testReports';
import type { ComparePanel } from './panel';
import type { CompareController } from './register';

/** The latest test report of each panel's webview. */
export class CompareTestReports {
  private readonly latest = new WeakMap<ComparePanel, PanelTestReport>();

  record(panel: ComparePanel, report: PanelTestReport): void {
    this.latest.set(panel, report);
  }

  of(panel: ComparePanel | undefined): PanelTestReport | undefined {
    return panel ? this.latest.get(panel) : undefined;
  }
}

export function registerCompareTestHooks(controller: CompareController, reports: CompareTestReports): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('initlens._panelState', () => {
      const panel = controller.openPanel;
      const extras = controller.extras();
      return {
        open: panel !== undefined,
        visible: panel?.panel.visible ?? false,
        ready: panel?.isReady ?? false,
        counters: panel ? { ...panel.counters } : undefined,
        rendered: reports.of(panel),
        title: extras.title,
        skipped: extras.skipped,
        running: extras.running,
      };
    }),
  ];
}
