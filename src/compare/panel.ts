/**
 * The Compare panel's webview host: one WebviewPanel at a time, a ready handshake, a snapshot
 * then throttled deltas of the session's document, and nothing sent while the panel is hidden
 * (retainContextWhenHidden is off, so a panel shown again reloads, says ready, and gets a fresh
 * snapshot). Every message from the webview is validated; bad ones are logged and dropped.
 */
import * as vscode from 'vscode';
import { loadNote } from '../notes';
import type { InitLensContext } from '../host/context';
import type { ResultsDocument } from '../results';
import { parseWebviewMessage } from '../protocol/panel';
import type { ChartImage, HostMessage, PanelAction, PanelNote } from '../protocol/panel';
import { DeltaTracker } from './delta';
import type { PanelExtras } from './delta';
import { Throttle } from './throttle';
import { webviewHtml } from '../host/webviewHtml';
import type { CompareTestReports } from './testHooks';

export const VIEW_TYPE = 'initlens.compare';
/** ≤ 10 updates per second reach the webview, whatever the probes emit. */
export const UPDATE_INTERVAL_MS = 100;
const CAPTURE_TIMEOUT_MS = 15_000;

export interface PanelCounters {
  readyCount: number;
  snapshots: number;
  deltas: number;
  dropped: number;
  lastDropped?: string;
}

export interface PanelHostOptions {
  ctx: InitLensContext;
  /** What the panel shows besides the document: its title and skipped layers. */
  extras: () => PanelExtras;
  plannedSteps: (runId: string) => number | undefined;
  onAction: (action: PanelAction) => void;
  onSavePng: (image: ChartImage) => void;
  /** Test mode only (testHooks.ts): the panel asks its webview for test reports and hands them here. */
  testReports?: CompareTestReports;
}

function toPanelNote(id: string): PanelNote | undefined {
  const note = loadNote(id);
  return note ? { id: note.id, title: note.title, summary: note.summary, body: note.body } : undefined;
}

export class ComparePanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly tracker: DeltaTracker;
  private readonly throttle: Throttle;
  private ready = false;
  private seq = 0;
  private captureId = 0;
  private readonly captures = new Map<number, (images: ChartImage[]) => void>();
  private disposed = false;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;
  readonly counters: PanelCounters = { readyCount: 0, snapshots: 0, deltas: 0, dropped: 0 };

  static create(options: PanelHostOptions): ComparePanel {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'InitLens: Compare', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {});
    return new ComparePanel(panel, options);
  }

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: PanelHostOptions,
  ) {
    const { ctx } = options;
    const root = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview');
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'icons', 'initlens.svg');
    panel.webview.options = { enableScripts: true, localResourceRoots: [root] };
    panel.webview.html = webviewHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'panel.css')).toString(),
      title: 'InitLens: Compare',
    });
    this.tracker = new DeltaTracker(toPanelNote, options.plannedSteps);
    this.throttle = new Throttle(UPDATE_INTERVAL_MS, () => this.flush());
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        // A hidden webview is torn down; it says ready again when shown and gets a snapshot.
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
      ctx.session.onDidChange((change) => {
        if (change.type === 'end') {
          this.throttle.poke();
          this.throttle.flushNow();
        } else {
          this.throttle.poke();
        }
      }),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Something besides the session changed (title, skipped layers): send it soon. */
  refresh(): void {
    this.throttle.poke();
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message).then(undefined, (err: unknown) => {
      this.options.ctx.log.warn(`compare panel: could not post ${message.type}: ${String(err)}`);
    });
  }

  private sendSnapshot(doc: ResultsDocument | undefined): void {
    const snap = this.tracker.snapshot(doc, this.options.extras());
    this.counters.snapshots += 1;
    this.post({ type: 'snapshot', seq: ++this.seq, ...snap });
  }

  private flush(): void {
    if (this.disposed || !this.ready || !this.panel.visible) return;
    const doc = this.options.ctx.session.current;
    if (doc !== this.tracker.document) {
      this.sendSnapshot(doc);
      return;
    }
    const delta = this.tracker.delta(this.options.extras());
    if (!delta) return;
    this.counters.deltas += 1;
    this.post({ type: 'delta', seq: ++this.seq, ...delta });
  }

  private receive(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.counters.dropped += 1;
      this.counters.lastDropped = parsed.error;
      this.options.ctx.log.warn(`compare panel: dropped a malformed message (${parsed.error})`);
      return;
    }
    const message = parsed.value;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.counters.readyCount += 1;
        if (this.options.testReports) this.post({ type: 'reportForTests' });
        this.sendSnapshot(this.options.ctx.session.current);
        break;
      case 'action':
        this.options.onAction(message.action);
        break;
      case 'savePng':
        this.options.onSavePng(message.image);
        break;
      case 'charts': {
        const resolve = this.captures.get(message.requestId);
        this.captures.delete(message.requestId);
        resolve?.(message.images);
        break;
      }
      case 'testReport':
        this.options.testReports?.record(this, message.report);
        break;
      case 'log':
        this.options.ctx.log[message.level](`compare webview: ${message.message}`);
        break;
    }
  }

  /** Every chart as a PNG, drawn by the webview; waits for the webview to be ready. */
  async captureCharts(): Promise<ChartImage[]> {
    const deadline = Date.now() + CAPTURE_TIMEOUT_MS;
    while (!this.ready && !this.disposed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (!this.ready) throw new Error('the Compare panel did not load in time to draw its charts');
    const requestId = ++this.captureId;
    return new Promise<ChartImage[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.captures.delete(requestId);
        reject(new Error('the Compare panel did not send its charts in time'));
      }, CAPTURE_TIMEOUT_MS);
      this.captures.set(requestId, (images) => {
        clearTimeout(timer);
        resolve(images);
      });
      // The webview may hold an update the throttle has not sent yet: charts must show it.
      this.throttle.flushNow();
      this.post({ type: 'captureCharts', requestId });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ready = false;
    this.throttle.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.closed.fire();
    this.closed.dispose();
  }
}
