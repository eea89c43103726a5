/**
 * The extension's one probe session: starts runs in probe processes (never in the extension
 * host's thread), folds their events into the results document, keeps the latest document on
 * disk (so a window reload brings back the results so far) and records finished comparisons
 * in the history. The panel and the sidebar are views of it.
 */
import * as vscode from 'vscode';
import { startRuns } from '../probe/runner';
import { summarizeSeeds } from '../probe/seedSummary';
import { hasSeveralSeeds } from '../view/intervals';
import type { PytorchOptions, RunnerHandle } from '../probe/runner';
import { applyEvent, markCancelled, newDocument } from '../results';
import type { ResultsDocument, RunRecord } from '../results';
import type { ProbeEvent, RunRequest } from '../protocol';
import { HistoryStore } from './history';

export type SessionChange =
  | { type: 'begin'; doc: ResultsDocument }
  | { type: 'event'; event: ProbeEvent; run: RunRecord; doc: ResultsDocument }
  | { type: 'end'; doc: ResultsDocument; cancelled: boolean }
  | { type: 'show'; doc: ResultsDocument };

const CURRENT_FILE = 'current-run.json';
const SAVE_THROTTLE_MS = 1000;

export class ProbeSession implements vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<SessionChange>();
  readonly onDidChange = this.changes.event;
  readonly history: HistoryStore;
  private handle: RunnerHandle | undefined;
  private doc: ResultsDocument | undefined;
  private cancelled = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly log: vscode.LogOutputChannel;
  /** How the next PyTorch runs start (the interpreter found for their file); set by the CodeLens command. */
  pytorch: PytorchOptions | undefined;

  constructor(private readonly context: vscode.ExtensionContext, log: vscode.LogOutputChannel) {
    this.log = log;
    this.history = new HistoryStore(context);
  }

  get current(): ResultsDocument | undefined {
    return this.doc;
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  private storageFile(): vscode.Uri {
    const base = this.context.storageUri ?? this.context.globalStorageUri;
    return vscode.Uri.joinPath(base, CURRENT_FILE);
  }

  /** The document saved before a reload, runs still in flight then marked cancelled. */
  async restore(): Promise<ResultsDocument | undefined> {
    if (this.doc) return this.doc;
    const file = this.storageFile();
    try {
      const raw = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file))) as ResultsDocument;
      if (raw?.tool !== 'initlens' || !Array.isArray(raw.runs)) return undefined;
      markCancelled(raw);
      this.doc = raw;
      return raw;
    } catch {
      return undefined;
    }
  }

  /** Starts a comparison; the caller has already asked what to do with one in flight. */
  start(requests: RunRequest[], jobs: number): ResultsDocument {
    if (this.handle) throw new Error('a comparison is already running');
    const doc = newDocument(requests);
    this.doc = doc;
    this.cancelled = false;
    void vscode.commands.executeCommand('setContext', 'initlens.running', true);
    this.changes.fire({ type: 'begin', doc });
    const handle = startRuns(requests, {
      jobs: jobs > 0 ? jobs : undefined,
      pytorch: () => this.pytorch,
      onEvent: (event) => {
        if (this.doc !== doc) return;
        const run = applyEvent(doc, event);
        if (!run) return;
        this.changes.fire({ type: 'event', event, run, doc });
        this.scheduleSave();
      },
      onLog: (line) => this.log.info(line),
    });
    this.handle = handle;
    void handle.done.then(() => this.finish(doc, handle));
    return doc;
  }

  /** Queues more runs onto the comparison in flight. */
  enqueue(requests: RunRequest[]): void {
    if (!this.handle || !this.doc) throw new Error('nothing is running');
    const fresh = newDocument(requests).runs;
    this.doc.runs.push(...fresh);
    this.handle.enqueue(requests);
    this.changes.fire({ type: 'begin', doc: this.doc });
  }

  async stop(): Promise<void> {
    if (!this.handle) return;
    this.cancelled = true;
    await this.handle.cancel();
  }

  /**
   * One event of a run that lives outside this session (watch() in the user's own training):
   * shown in the panel while no comparison runs here, and kept in the history when it ends.
   */
  ingest(doc: ResultsDocument, event: ProbeEvent): void {
    const run = applyEvent(doc, event);
    if (!run) return;
    if (!this.handle) {
      if (this.doc !== doc) {
        this.doc = doc;
        this.changes.fire({ type: 'begin', doc });
      }
      this.changes.fire({ type: 'event', event, run, doc });
    }
    if (event.type === 'finished' || event.type === 'failed') {
      void this.history.add(doc);
      if (this.doc === doc) this.changes.fire({ type: 'end', doc, cancelled: false });
    }
  }

  /** Shows a stored document (history) without running anything. */
  show(doc: ResultsDocument): void {
    if (this.handle) return;
    this.doc = doc;
    this.changes.fire({ type: 'show', doc });
  }

  private async finish(doc: ResultsDocument, handle: RunnerHandle): Promise<void> {
    if (this.handle !== handle) return;
    this.handle = undefined;
    if (this.cancelled) markCancelled(doc);
    // Several seeds per initializer: the JSON export carries the summary beside the runs, as the CLI's does.
    if (hasSeveralSeeds(doc.runs)) doc.summary = summarizeSeeds(doc.runs);
    void vscode.commands.executeCommand('setContext', 'initlens.running', false);
    await this.save();
    if (doc.runs.some((r) => r.steps.length > 0)) await this.history.add(doc);
    this.changes.fire({ type: 'end', doc, cancelled: this.cancelled });
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_THROTTLE_MS);
  }

  private async save(): Promise<void> {
    const file = this.storageFile();
    if (!this.doc) return;
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(JSON.stringify(this.doc)));
    } catch (err) {
      this.log.warn(`could not save the current results: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    void this.handle?.cancel();
    this.changes.dispose();
  }
}
