/** Adapts hover.ts to VS Code: a MarkdownString that may run InitLens' own commands and nothing else. */
import * as vscode from 'vscode';
import { HOVER_COMMANDS, hoverAt } from './hover';
import type { DocumentModels } from './documents';
import { fileLabel } from './documents';
import { markWalkthrough } from '../walkthrough';

export function registerHover(models: DocumentModels, selector: vscode.DocumentSelector): vscode.Disposable {
  return vscode.languages.registerHoverProvider(selector, {
    provideHover(document, position) {
      const model = models.get(document);
      if (!model) return undefined;
      const hover = hoverAt(model, document.offsetAt(position), { fileName: fileLabel(document), text: () => document.getText() });
      if (!hover) return undefined;
      markWalkthrough('hovered');
      const markdown = new vscode.MarkdownString(hover.markdown, true);
      markdown.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
      return new vscode.Hover(markdown, new vscode.Range(document.positionAt(hover.start), document.positionAt(hover.end)));
    },
  });
}
