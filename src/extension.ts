import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('initlens.compareInitializers', () => {
      void vscode.window.showInformationMessage('InitLens: the Compare panel is not built yet.');
    }),
  );
}

export function deactivate(): void {}
