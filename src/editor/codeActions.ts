/** Adapts the rules' fixes to VS Code quick fixes, attached to the warnings they resolve. */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, findingsFor } from './diagnostics';
import type { DocumentModels } from './documents';

export function registerCodeActions(models: DocumentModels, selector: vscode.DocumentSelector): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(
    selector,
    {
      provideCodeActions(document, range, context) {
        const actions: vscode.CodeAction[] = [];
        for (const finding of findingsFor(models, document)) {
          if (!finding.fix) continue;
          const findingRange = new vscode.Range(document.positionAt(finding.start), document.positionAt(finding.end));
          if (!findingRange.intersection(range)) continue;
          const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
          const edit = new vscode.WorkspaceEdit();
          const { start, end, newText } = finding.fix.edit;
          edit.replace(document.uri, new vscode.Range(document.positionAt(start), document.positionAt(end)), newText);
          action.edit = edit;
          action.isPreferred = true;
          action.diagnostics = context.diagnostics.filter(
            (d) => d.source === DIAGNOSTIC_SOURCE && d.range.isEqual(findingRange) && typeof d.code === 'object' && d.code.value === finding.rule,
          );
          actions.push(action);
        }
        return actions;
      },
    },
    { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
  );
}
