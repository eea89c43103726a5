// Placeholder until the Compare panel lands (issue: Compare Initializers panel).
import * as vscode from 'vscode';
import type { CompareApi, InitLensContext } from '../host/context';

export function registerCompare(ctx: InitLensContext): CompareApi {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('initlens.compareInitializers', () => {
      void vscode.window.showInformationMessage('InitLens: the Compare panel is not built yet.');
    }),
  );
  return {
    runComparison: async () => undefined,
    showDocument: async () => undefined,
  };
}
