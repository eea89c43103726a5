/** The InitLens sidebar: registers the webview view and the commands it owns. */
import * as vscode from 'vscode';
import type { CompareApi, InitLensContext } from '../host/context';
import { SIDEBAR_VIEW_ID, SidebarView } from './view';
import { registerSidebarTestHooks } from './testHooks';
import { isTestMode } from '../host/testMode';

export function registerSidebar(ctx: InitLensContext, compare: CompareApi): void {
  const testMode = isTestMode(ctx.extension);
  const view = new SidebarView(ctx, compare, testMode);
  ctx.extension.subscriptions.push(
    view,
    vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, view),
    vscode.commands.registerCommand('initlens.clearHistory', () => clearHistory(ctx)),
  );
  // Test-only commands (testHooks.ts): never registered for people.
  if (testMode) ctx.extension.subscriptions.push(...registerSidebarTestHooks(view));
}

/** Clears the run history after asking: the stored results go with it. */
async function clearHistory(ctx: InitLensContext): Promise<void> {
  const count = ctx.session.history.entries().length;
  if (count === 0) {
    void vscode.window.showInformationMessage('InitLens: the run history is already empty.');
    return;
  }
  const clear = 'Clear History';
  const choice = await vscode.window.showWarningMessage(
    `Clear ${count === 1 ? 'the stored comparison' : `all ${count} stored comparisons`} from the InitLens run history?`,
    { modal: true, detail: 'Their results are deleted from this workspace; this cannot be undone.' },
    clear,
  );
  if (choice === clear) await ctx.session.history.clear();
}
