/**
 * The Compare feature's test hooks, all in one place: commands the integration and UI tests
 * call to read what the panel's webview last drew. Not in the manifest, so never in the palette.
 */
import * as vscode from 'vscode';
import type { CompareController } from './register';

export function registerCompareTestHooks(controller: CompareController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('initlens._panelState', () => {
      const panel = controller.openPanel;
      const extras = controller.extras();
      return {
        open: panel !== undefined,
        visible: panel?.panel.visible ?? false,
        ready: panel?.isReady ?? false,
        counters: panel ? { ...panel.counters } : undefined,
        rendered: panel?.lastRendered,
        title: extras.title,
        skipped: extras.skipped,
        running: extras.running,
      };
    }),
  ];
}
