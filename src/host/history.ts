/**
 * The last 20 comparisons of this workspace: a small index in workspaceState, each document as
 * a JSON file in the workspace's storage folder (documents can be large; the index stays small).
 */
import * as vscode from 'vscode';
import type { ResultsDocument } from '../results';
import { formatHidden } from '../view/network';

export const HISTORY_LIMIT = 20;
const INDEX_KEY = 'initlens.history';

export interface HistoryEntry {
  id: string;
  when: string;
  network: string;
  initializers: string[];
  accuracies: (number | null)[];
  flags: string[][];
}

/** The user's own model (a PyTorch run, watch() of their training): its name, file and steps say what it was, not the settings' network. */
function modelNetwork(doc: ResultsDocument): string {
  const run = doc.runs[0];
  const model = run?.model;
  if (!model) return 'unknown network';
  const file = model.file ? ` in ${model.file.split(/[\\/]/).pop() ?? model.file}` : '';
  const steps = run.final?.steps ?? doc.config?.steps ?? run.steps.at(-1)?.step;
  return `${model.name}${file}${steps !== undefined ? `, ${steps} steps` : ''}`;
}

export function summarize(doc: ResultsDocument, id: string): HistoryEntry {
  const c = doc.config;
  return {
    id,
    when: doc.createdAt,
    network: doc.runs[0]?.model || !c ? modelNetwork(doc) : `784→${formatHidden(c.hidden)}→10 ${c.activation}, ${c.steps} steps`,
    initializers: doc.runs.map((r) => r.initializer),
    accuracies: doc.runs.map((r) => r.final?.validationAccuracy ?? null),
    flags: doc.runs.map((r) => [...new Set(r.flags.map((f) => f.kind))]),
  };
}

export class HistoryStore {
  private readonly changes = new vscode.EventEmitter<HistoryEntry[]>();
  readonly onDidChange = this.changes.event;

  constructor(private readonly context: vscode.ExtensionContext) {}

  private folder(): vscode.Uri {
    return vscode.Uri.joinPath(this.context.storageUri ?? this.context.globalStorageUri, 'history');
  }

  entries(): HistoryEntry[] {
    return this.context.workspaceState.get<HistoryEntry[]>(INDEX_KEY, []);
  }

  async add(doc: ResultsDocument): Promise<HistoryEntry> {
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const entry = summarize(doc, id);
    await vscode.workspace.fs.createDirectory(this.folder());
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(this.folder(), `${id}.json`), new TextEncoder().encode(JSON.stringify(doc)));
    const all = [entry, ...this.entries()];
    for (const old of all.splice(HISTORY_LIMIT)) await this.deleteFile(old.id);
    await this.context.workspaceState.update(INDEX_KEY, all);
    this.changes.fire(all);
    return entry;
  }

  async load(id: string): Promise<ResultsDocument | undefined> {
    if (!this.entries().some((e) => e.id === id)) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.folder(), `${id}.json`)))) as ResultsDocument;
    } catch {
      return undefined;
    }
  }

  async remove(id: string): Promise<void> {
    const all = this.entries().filter((e) => e.id !== id);
    await this.deleteFile(id);
    await this.context.workspaceState.update(INDEX_KEY, all);
    this.changes.fire(all);
  }

  async clear(): Promise<void> {
    for (const e of this.entries()) await this.deleteFile(e.id);
    await this.context.workspaceState.update(INDEX_KEY, []);
    this.changes.fire([]);
  }

  private async deleteFile(id: string): Promise<void> {
    if (!/^[a-z0-9-]+$/.test(id)) return;
    try {
      await vscode.workspace.fs.delete(vscode.Uri.joinPath(this.folder(), `${id}.json`));
    } catch {
      // already gone
    }
  }

  dispose(): void {
    this.changes.dispose();
  }
}
