/**
 * The editor's commands: open a note, probe or compare a written initializer (hover links),
 * probe or compare a model (CodeLens). Arguments come from anywhere a command can be invoked,
 * so each is validated; a bad one gets a one-line message, never a stack trace.
 */
import * as vscode from 'vscode';
import { markWalkthrough } from '../walkthrough';
import { z } from 'zod';
import type { CompareApi, InitLensContext } from '../host/context';
import { readSettings } from '../host/settings';
import { listNotes } from '../notes';
import { compareAlternatives, initializerCommandArgsSchema, probeWithInitializer } from './initializerRequests';
import type { PlannedComparison } from './initializerRequests';
import { keptWrittenKernels, modelComparisonRequests, modelPlanSchema, modelRequests } from './modelPlan';
import type { ModelPlan } from './modelPlan';
import type { ProbeConfig } from '../probe/config';
import { firstLine, issueLine } from '../protocol/parse';

export const modelCommandArgsSchema = z.union([z.object({ plan: modelPlanSchema }), z.object({ problem: z.string().max(4000) })]);
export type ModelCommandArgs = z.infer<typeof modelCommandArgsSchema>;

const noteIdSchema = z.string().regex(/^[a-z0-9-]+$/);


/** Every run id unique across comparisons started from the editor. */
function idPrefix(): string {
  return `editor-${Date.now().toString(36)}`;
}

export function registerEditorCommands(ctx: InitLensContext, compare: CompareApi): vscode.Disposable {
  const { log } = ctx;
  const notesFolder = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'notes');

  const run = async (what: string, plan: () => PlannedComparison): Promise<void> => {
    let planned: PlannedComparison;
    try {
      planned = plan();
    } catch (err) {
      void vscode.window.showErrorMessage(`InitLens: ${firstLine(err)}`);
      return;
    }
    log.info(`${what}: ${planned.title} (${planned.requests.length} run${planned.requests.length === 1 ? '' : 's'})`);
    await compare.runComparison(planned.requests, { title: planned.title, skipped: planned.skipped });
  };

  /** Parses a command argument; logs and tells the user when it isn't what the command takes. */
  const argument = <T>(command: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    log.warn(`${command}: dropped malformed argument (${issueLine(parsed.error)})`);
    void vscode.window.showWarningMessage(`InitLens: ${command} was called without a valid argument.`);
    return undefined;
  };

  /** The two CodeLens commands: same argument, same refusal of an unreadable model, different runs. */
  const modelCommand = (
    command: string,
    what: string,
    requests: (plan: ModelPlan, base: ProbeConfig, idPrefix: string, options: { replaceAll?: boolean }) => PlannedComparison,
    choose?: (plan: ModelPlan) => Promise<{ replaceAll?: boolean } | undefined>,
  ): vscode.Disposable =>
    vscode.commands.registerCommand(command, async (value: unknown) => {
      const args = argument(command, modelCommandArgsSchema, value);
      if (!args) return;
      if ('problem' in args) {
        void vscode.window.showWarningMessage(`InitLens can't probe this model: ${args.problem}`);
        return;
      }
      // A CodeLens runs its command under a delegate id, so the walkthrough's onCommand never sees it.
      markWalkthrough('probed');
      const options = choose ? await choose(args.plan) : {};
      if (!options) return;
      await run(what, () => requests(args.plan, readSettings().config, idPrefix(), options));
    });

  /** Compare on a model that writes some kernels' initializers and leaves others: keep the written ones, or replace all? */
  const keepOrReplace = async (plan: ModelPlan): Promise<{ replaceAll?: boolean } | undefined> => {
    const kept = keptWrittenKernels(plan);
    if (kept.length === 0) return {};
    const keep = { label: 'Keep the written initializers', detail: `The candidates go on the kernels left to the default; ${kept.join(', ')} keep${kept.length === 1 ? 's' : ''} its own`, replaceAll: false };
    const replace = { label: 'Replace all', detail: 'Every kernel takes each candidate, written ones too (the output layer keeps its own)', replaceAll: true };
    const picked = await vscode.window.showQuickPick([keep, replace], { title: `Compare initializers for ${plan.title}` });
    return picked ? { replaceAll: picked.replaceAll } : undefined;
  };

  const openNote = async (id?: unknown): Promise<void> => {
    const notes = listNotes(notesFolder.fsPath);
    let noteId: string | undefined;
    if (id === undefined) {
      const picked = await vscode.window.showQuickPick(
        notes.map((n) => ({ label: n.title, detail: n.summary, id: n.id })),
        { title: 'InitLens: Open Note', matchOnDetail: true },
      );
      noteId = picked?.id;
      if (!noteId) return;
    } else {
      const parsed = noteIdSchema.safeParse(id);
      noteId = parsed.success ? parsed.data : undefined;
    }
    if (!noteId || !notes.some((n) => n.id === noteId)) {
      log.warn(`initlens.openNote: no note ${JSON.stringify(id)}`);
      void vscode.window.showWarningMessage(`InitLens: there is no note called ${JSON.stringify(String(id)).slice(0, 60)}.`);
      return;
    }
    const uri = vscode.Uri.joinPath(notesFolder, `${noteId}.md`);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch (err) {
      // Without the built-in Markdown extension: the note as text is still the note.
      log.warn(`markdown.showPreview: ${firstLine(err)}`);
      await vscode.window.showTextDocument(uri, { preview: true });
    }
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('initlens.openNote', openNote),
    vscode.commands.registerCommand('initlens.probeWithInitializer', async (value: unknown) => {
      const args = argument('initlens.probeWithInitializer', initializerCommandArgsSchema, value);
      if (args) await run('probe with initializer', () => probeWithInitializer(args, readSettings().config, idPrefix()));
    }),
    vscode.commands.registerCommand('initlens.compareAlternatives', async (value: unknown) => {
      const args = argument('initlens.compareAlternatives', initializerCommandArgsSchema, value);
      if (args) await run('compare alternatives', () => compareAlternatives(args, readSettings().config, idPrefix()));
    }),
    modelCommand('initlens.probeModel', 'probe model', modelRequests),
    modelCommand('initlens.compareForModel', 'compare initializers for model', modelComparisonRequests, keepOrReplace),
  );
}
