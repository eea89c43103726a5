/**
 * The editor features: hovers, warnings with quick fixes and CodeLens on initializers in Python,
 * JavaScript and TypeScript files and notebook cells, and the commands they run. Registration
 * only: documents are scanned after activation returns, when opened, edited or hovered.
 */
import type { CompareApi, InitLensContext } from '../host/context';
import { DOCUMENT_SELECTOR, DocumentModels } from './documents';
import { registerHover } from './hoverProvider';
import { registerDiagnostics } from './diagnostics';
import { registerCodeActions } from './codeActions';
import { registerCodeLens } from './codeLens';
import { registerEditorCommands } from './commands';
import { registerTorchModels } from './torchLens';

export function registerEditor(ctx: InitLensContext, compare: CompareApi): void {
  const models = new DocumentModels();
  ctx.extension.subscriptions.push(
    models,
    registerEditorCommands(ctx, compare),
    registerHover(models, DOCUMENT_SELECTOR),
    registerDiagnostics(models, ctx.log),
    registerCodeActions(models, DOCUMENT_SELECTOR),
    registerCodeLens(models, DOCUMENT_SELECTOR),
    registerTorchModels(ctx, compare),
  );
}
