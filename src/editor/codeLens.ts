/** Adapts modelPlan.ts to VS Code: "Probe this model" lenses above Sequential models, or why not. */
import * as vscode from 'vscode';
import { planModel } from './modelPlan';
import type { DocumentModels } from './documents';
import { fileLabel } from './documents';
import type { ModelCommandArgs } from './commands';
import { readSettings } from '../host/settings';

export function registerCodeLens(models: DocumentModels, selector: vscode.DocumentSelector): vscode.Disposable {
  // The lenses say the step count (initlens.steps) where the choice is made: redraw when it changes.
  const changed = new vscode.EventEmitter<void>();
  const watch = vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('initlens.steps')) changed.fire();
  });
  const provider = vscode.languages.registerCodeLensProvider(selector, {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(document) {
      const steps = readSettings().config.steps;
      const model = models.get(document);
      if (!model) return [];
      const lenses: vscode.CodeLens[] = [];
      model.models.forEach((m, i) => {
        const line = document.positionAt(m.start).line;
        const range = new vscode.Range(line, 0, line, 0);
        const result = planModel(model, i, fileLabel(document));
        if (!result.ok) {
          const args: ModelCommandArgs = { problem: result.reason };
          lenses.push(new vscode.CodeLens(range, { title: `InitLens: can't probe this model — ${result.reason}`, tooltip: result.reason, command: 'initlens.probeModel', arguments: [args] }));
          return;
        }
        const tooltip = [result.plan.title, ...result.plan.skipped.map((s) => `• ${s}`)].join('\n');
        const args: ModelCommandArgs = { plan: result.plan };
        lenses.push(
          new vscode.CodeLens(range, { title: `$(beaker) Probe this model (${steps} steps)`, tooltip: `${tooltip}\n${steps} training steps (setting initlens.steps)`, command: 'initlens.probeModel', arguments: [args] }),
          new vscode.CodeLens(range, { title: `Compare initializers for this model (${steps} steps)`, tooltip, command: 'initlens.compareForModel', arguments: [args] }),
        );
      });
      return lenses;
    },
  });
  return vscode.Disposable.from(provider, watch, changed);
}
