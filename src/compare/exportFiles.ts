/**
 * Writing results to disk: JSON (the ResultsDocument as-is, the CLI's --json schema), CSV, chart
 * PNGs and the Markdown report with its images. Paths come from a save dialog or, for commands
 * run with an argument (tests, keybindings), from the argument; nothing is written outside
 * what the person chose or the workspace folder.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import type { InitLensContext } from '../host/context';
import { loadNote } from '../notes';
import type { ChartImage } from '../protocol/panel';
import type { ResultsDocument } from '../results';
import type { ComparePanel } from './panel';
import { toCsv } from './exportCsv';
import { reportFileStem, reportMarkdown } from './reportMarkdown';
import { firstLine, issueLine } from '../protocol/parse';

const NOTHING = 'InitLens: nothing to export yet. Run “InitLens: Compare Initializers” first.';

const exportArgsSchema = z
  .object({ format: z.enum(['json', 'csv', 'png']).optional(), target: z.string().min(1).optional() })
  .strict();
const reportArgsSchema = z.object({ folder: z.string().min(1).optional() }).strict();

function workspaceFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

function stamp(): string {
  return reportFileStem(new Date()).replace(/^initlens-report-/, '');
}

export function pngBytes(image: ChartImage): Uint8Array {
  return Buffer.from(image.dataUrl.slice(image.dataUrl.indexOf(',') + 1), 'base64');
}

function parseArgs<T>(schema: z.ZodType<T>, raw: unknown, what: string): T | undefined {
  if (raw === undefined || raw === null || raw instanceof vscode.Uri) return {} as T;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  void vscode.window.showErrorMessage(`InitLens: ${what}: ${issueLine(parsed.error)}`);
  return undefined;
}

async function askFolder(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: 'Save here', title });
  return picked?.[0];
}

async function writeImages(folder: vscode.Uri, images: readonly ChartImage[]): Promise<vscode.Uri[]> {
  await vscode.workspace.fs.createDirectory(folder);
  const written: vscode.Uri[] = [];
  for (const image of images) {
    const file = vscode.Uri.joinPath(folder, `${image.id}.png`);
    await vscode.workspace.fs.writeFile(file, pngBytes(image));
    written.push(file);
  }
  return written;
}

/** `initlens.exportResults`: asks the format unless given; returns the files written. */
export async function exportResults(ctx: InitLensContext, raw: unknown, openPanel: () => ComparePanel): Promise<vscode.Uri[] | undefined> {
  const args = parseArgs(exportArgsSchema, raw, 'Export Results');
  if (!args) return undefined;
  const doc = ctx.session.current;
  if (!doc) {
    void vscode.window.showInformationMessage(NOTHING);
    return undefined;
  }
  let format = args.format;
  if (!format) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'JSON', format: 'json' as const, detail: 'The results document as-is (same schema as `initlens compare --json`)' },
        { label: 'CSV', format: 'csv' as const, detail: 'One row per run × recorded step × layer' },
        { label: 'PNG', format: 'png' as const, detail: 'Every chart of the Compare panel, one PNG each, into a folder' },
      ],
      { title: 'InitLens: Export Results', placeHolder: 'Export as…' },
    );
    if (!picked) return undefined;
    format = picked.format;
  }
  try {
    if (format === 'png') return await exportPngs(ctx, args.target, openPanel);
    const target = args.target
      ? vscode.Uri.file(args.target)
      : await vscode.window.showSaveDialog({
          defaultUri: workspaceFolder() ? vscode.Uri.joinPath(workspaceFolder()!, `initlens-results-${stamp()}.${format}`) : undefined,
          filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
          title: `InitLens: Export Results as ${format.toUpperCase()}`,
        });
    if (!target) return undefined;
    const text = format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : toCsv(doc);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`InitLens: results saved to ${vscode.workspace.asRelativePath(target)}`);
    return [target];
  } catch (err) {
    void vscode.window.showErrorMessage(`InitLens: could not export the results: ${firstLine(err)}`);
    ctx.log.error(`export failed: ${String(err)}`);
    return undefined;
  }
}

async function exportPngs(ctx: InitLensContext, target: string | undefined, openPanel: () => ComparePanel): Promise<vscode.Uri[] | undefined> {
  const base = workspaceFolder();
  const folder = target ? vscode.Uri.file(target) : base ? vscode.Uri.joinPath(base, `initlens-charts-${stamp()}`) : await askFolder('InitLens: folder for the chart PNGs');
  if (!folder) return undefined;
  const images = await openPanel().captureCharts();
  if (images.length === 0) {
    void vscode.window.showInformationMessage('InitLens: the panel has no charts to export yet.');
    return [];
  }
  const written = await writeImages(folder, images);
  ctx.log.info(`exported ${written.length} chart PNGs to ${folder.fsPath}`);
  void vscode.window.showInformationMessage(`InitLens: ${written.length} charts saved to ${vscode.workspace.asRelativePath(folder)}`);
  return written;
}

/** A chart's own "Save PNG" button in the panel. */
export async function saveChartPng(ctx: InitLensContext, image: ChartImage): Promise<void> {
  const base = workspaceFolder();
  const target = await vscode.window.showSaveDialog({
    defaultUri: base ? vscode.Uri.joinPath(base, `initlens-${image.id}-${stamp()}.png`) : undefined,
    filters: { PNG: ['png'] },
    title: `InitLens: Save “${image.title}” as PNG`,
  });
  if (!target) return;
  try {
    await vscode.workspace.fs.writeFile(target, pngBytes(image));
    void vscode.window.showInformationMessage(`InitLens: chart saved to ${vscode.workspace.asRelativePath(target)}`);
  } catch (err) {
    void vscode.window.showErrorMessage(`InitLens: could not save the chart: ${firstLine(err)}`);
    ctx.log.error(`saving a chart failed: ${String(err)}`);
  }
}

export interface ReportContext {
  title: string;
  skipped: string[];
  plannedSteps: (runId: string) => number | undefined;
}

/** `initlens.saveReport`: initlens-report-<date>.md plus a folder of chart PNGs beside it. */
export async function saveReport(
  ctx: InitLensContext,
  raw: unknown,
  openPanel: () => ComparePanel,
  info: () => ReportContext,
): Promise<vscode.Uri | undefined> {
  const args = parseArgs(reportArgsSchema, raw, 'Save Report');
  if (!args) return undefined;
  const doc: ResultsDocument | undefined = ctx.session.current;
  if (!doc) {
    void vscode.window.showInformationMessage(NOTHING);
    return undefined;
  }
  const base = args.folder ? vscode.Uri.file(args.folder) : (workspaceFolder() ?? (await askFolder('InitLens: folder for the report')));
  if (!base) return undefined;
  try {
    const stem = reportFileStem(new Date());
    let images: ChartImage[] = [];
    try {
      images = await openPanel().captureCharts();
    } catch (err) {
      void vscode.window.showWarningMessage(`InitLens: the report is saved without charts: ${firstLine(err)}`);
    }
    await writeImages(vscode.Uri.joinPath(base, stem), images);
    const { title, skipped, plannedSteps } = info();
    const markdown = reportMarkdown({
      doc,
      title,
      skipped,
      images: images.map((i) => ({ title: i.title, path: `${stem}/${i.id}.png` })),
      note: (id) => loadNote(id),
      stepsPlanned: plannedSteps,
    });
    const file = vscode.Uri.joinPath(base, `${stem}.md`);
    await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(markdown));
    ctx.log.info(`report saved to ${file.fsPath}`);
    void vscode.window.showInformationMessage(`InitLens: report saved to ${vscode.workspace.asRelativePath(file)}`, 'Open').then((answer) => {
      if (answer === 'Open') void vscode.commands.executeCommand('markdown.showPreview', file);
    });
    return file;
  } catch (err) {
    void vscode.window.showErrorMessage(`InitLens: could not save the report: ${firstLine(err)}`);
    ctx.log.error(`report failed: ${String(err)}`);
    return undefined;
  }
}
