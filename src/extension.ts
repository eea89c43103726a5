/** activate(): build one context object, register commands and providers. Nothing else. */
import * as vscode from 'vscode';
import { ProbeSession } from './host/session';
import type { InitLensContext } from './host/context';
import { registerCompare } from './compare/register';
import { registerSidebar } from './sidebar/register';
import { registerEditor } from './editor/register';
import { registerWatchRuns } from './host/watchRuns';
import { registerSignalPropagation } from './propagation/register';
import { registerWalkthrough } from './walkthrough';

export function activate(extension: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('InitLens', { log: true });
  const session = new ProbeSession(extension, log);
  extension.subscriptions.push(log, session, session.history);
  const ctx: InitLensContext = { extension, session, log };
  const compare = registerCompare(ctx);
  registerSidebar(ctx, compare);
  registerEditor(ctx, compare);
  registerWatchRuns(ctx, compare);
  registerSignalPropagation(ctx);
  registerWalkthrough(extension);
}

export function deactivate(): void {}
