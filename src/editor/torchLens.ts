/**
 * "Probe this model in PyTorch" / "Compare initializers in PyTorch" above the PyTorch models of
 * a saved Python file (torchModels.ts finds them), running the user's own code in their own
 * Python. That executes workspace code, so it happens only on a click, and only in a trusted
 * workspace: in Restricted Mode the lens says why it is unavailable.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import type { CompareApi, InitLensContext } from '../host/context';
import { readSettings } from '../host/settings';
import { pytorchOptions } from '../host/python';
import { findTorchModels } from './torchModels';
import { RESTRICTED_REASON } from './labels';
import { torchRequests } from '../probe/pytorch/requests';
import { firstLine, issueLine } from '../protocol/parse';

const argsSchema = z.object({ file: z.string().min(1).max(4096), name: z.string().regex(/^[A-Za-z_]\w*$/).max(200) });
type TorchModelArgs = z.infer<typeof argsSchema>;

/** Candidates of "Compare initializers in PyTorch", next to the model as written. */
export const TORCH_CANDIDATES = ['he_normal', 'glorot_normal'];


export function registerTorchModels(ctx: InitLensContext, compare: CompareApi): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(document) {
      if (document.uri.scheme !== 'file' || document.languageId !== 'python') return [];
      const sites = findTorchModels(document.getText());
      return sites.flatMap((site) => {
        const range = new vscode.Range(site.line, 0, site.line, 0);
        if (!vscode.workspace.isTrusted) {
          return [new vscode.CodeLens(range, { title: 'InitLens: PyTorch probe unavailable in Restricted Mode', tooltip: RESTRICTED_REASON, command: 'initlens.explainRestrictedPytorch' })];
        }
        const args: TorchModelArgs = { file: document.uri.fsPath, name: site.name };
        const tooltip = `Runs ${site.name} from this file in your Python (initlens.pythonPath, the Python extension's environment, or PATH) on the bundled MNIST digits`;
        return [
          new vscode.CodeLens(range, { title: '$(flame) Probe this model in PyTorch', tooltip, command: 'initlens.probeTorchModel', arguments: [args] }),
          new vscode.CodeLens(range, { title: 'Compare initializers in PyTorch', tooltip: `${tooltip}: as written and re-drawn with ${TORCH_CANDIDATES.join(', ')}`, command: 'initlens.compareTorchModel', arguments: [args] }),
        ];
      });
    },
  };

  const run = async (value: unknown, compareInits: boolean): Promise<void> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(RESTRICTED_REASON);
      return;
    }
    const parsed = argsSchema.safeParse(value);
    if (!parsed.success) {
      ctx.log.warn(`probe PyTorch model: dropped malformed argument (${issueLine(parsed.error)})`);
      void vscode.window.showWarningMessage('InitLens: this command needs a PyTorch model (use the CodeLens above it).');
      return;
    }
    const { file, name } = parsed.data;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    // The runner imports the file from disk: what is on screen must be what runs.
    if (doc?.isDirty) await doc.save();
    const options = await pytorchOptions(vscode.Uri.file(file));
    if ('problem' in options) {
      ctx.log.warn(`PyTorch: ${options.problem}`);
      void vscode.window.showErrorMessage(`InitLens: ${options.problem}`);
      return;
    }
    ctx.log.info(`PyTorch: ${name} from ${file} with ${options.python} (device ${options.device}, timeout ${options.timeoutSeconds} s)`);
    let requests;
    try {
      requests = torchRequests({ file, name }, readSettings().config, compareInits ? TORCH_CANDIDATES : [], { asWritten: true, idPrefix: `torch-${Date.now().toString(36)}-` });
    } catch (err) {
      void vscode.window.showErrorMessage(`InitLens: ${firstLine(err)}`);
      return;
    }
    ctx.session.pytorch = options;
    await compare.runComparison(requests, { title: `PyTorch model ${name} (${vscode.workspace.asRelativePath(file)})` });
  };

  return vscode.Disposable.from(
    changed,
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, provider),
    vscode.workspace.onDidGrantWorkspaceTrust(() => changed.fire()),
    vscode.commands.registerCommand('initlens.probeTorchModel', (value: unknown) => run(value, false)),
    vscode.commands.registerCommand('initlens.compareTorchModel', (value: unknown) => run(value, true)),
    vscode.commands.registerCommand('initlens.explainRestrictedPytorch', () => void vscode.window.showWarningMessage(RESTRICTED_REASON)),
  );
}
