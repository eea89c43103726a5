/**
 * The cancellable progress notification while a comparison runs: Cancel stops the probes (the
 * results so far stay in the panel). One notification per comparison, closed when it ends.
 */
import * as vscode from 'vscode';
import type { ProbeSession } from '../host/session';
import type { ResultsDocument } from '../results';
import { comparisonProgress } from './progressCore';

export function showProgress(session: ProbeSession, doc: ResultsDocument, plannedSteps: (runId: string) => number | undefined): void {
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'InitLens: comparing initializers', cancellable: true },
    (progress, token) =>
      new Promise<void>((resolve) => {
        let reported = 0;
        let lastMessage = '';
        let lastAt = 0;
        const update = (): void => {
          // Probe events arrive in bursts; a notification redrawn 4×/s reads as live already.
          const now = Date.now();
          if (now - lastAt < 250) return;
          lastAt = now;
          const p = comparisonProgress(doc, plannedSteps);
          const percent = Math.floor(100 * p.fraction);
          if (percent === reported && p.message === lastMessage) return;
          progress.report({ increment: Math.max(0, percent - reported), message: p.message });
          reported = Math.max(reported, percent);
          lastMessage = p.message;
        };
        const finish = (): void => {
          listener.dispose();
          cancel.dispose();
          resolve();
        };
        const listener = session.onDidChange((change) => {
          if (change.doc !== doc) {
            // Another document took over (history shown, new comparison): this one is over.
            if (change.type === 'begin' || change.type === 'show') finish();
            return;
          }
          if (change.type === 'end') finish();
          else update();
        });
        const cancel = token.onCancellationRequested(() => void session.stop());
        if (!session.running || session.current !== doc) finish();
        else update();
      }),
  );
}
