/**
 * Adapts modelPlan.ts to VS Code: "Probe this model" / "Compare initializers for this model"
 * above each model of a document (the network as written), or why it can't be probed as written.
 */
import * as vscode from 'vscode';
import type { DocumentModels } from './documents';
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
      const lenses: vscode.CodeLens[] = [];
      for (const lens of models.lenses(document)) {
        const range = new vscode.Range(lens.line, 0, lens.line, 0);
        if (!lens.plan) {
          const args: ModelCommandArgs = { problem: (lens.reasons ?? [lens.problem ?? '']).join('; ') };
          lenses.push(new vscode.CodeLens(range, { title: `InitLens: can't probe this model — ${lens.problem ?? ''}`, tooltip: lens.summary, command: 'initlens.probeModel', arguments: [args] }));
          continue;
        }
        const args: ModelCommandArgs = { plan: lens.plan };
        lenses.push(
          new vscode.CodeLens(range, { title: `$(beaker) Probe this model (${steps} steps)`, tooltip: `${lens.summary}\n${steps} training steps (setting initlens.steps)`, command: 'initlens.probeModel', arguments: [args] }),
          new vscode.CodeLens(range, { title: `Compare initializers for this model (${steps} steps)`, tooltip: `${lens.summary}\nThe seed notebook's four initializers on every kernel the source leaves to the default, and the model as written`, command: 'initlens.compareForModel', arguments: [args] }),
        );
      }
      return lenses;
    },
  });
  return vscode.Disposable.from(provider, watch, changed);
}
