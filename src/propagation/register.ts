/**
 * "InitLens: Signal Propagation": a webview panel with the four pictures of signal propagation at
 * initialization for the chosen activation and initializers. The sweep, phase diagram and
 * Jacobian spectra come from `initlens propagate all --json` in a child process (tfjs never runs
 * in the extension host); the trainability map from the probe process pool (cancellable,
 * cached in global storage); the histograms from the current Compare run, or — when there is
 * none — from short probes of the chosen initializers that the view starts itself.
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { InitLensContext } from '../host/context';
import { webviewHtml } from '../host/webviewHtml';
import { propagationDocumentSchema, propagationWebviewMessageSchema } from '../protocol/propagation';
import type { HistogramRunsJson, PropagationDocument, PropagationHostMessage } from '../protocol/propagation';
import { firstLine, parseWith } from '../protocol/parse';
import { DEFAULT_CONFIG } from '../probe/config';
import type { Activation } from '../probe/initializers/spec';
import { startRuns } from '../probe/runner';
import type { RunnerHandle } from '../probe/runner';
import { applyEvent, newDocument } from '../results';
import type { ResultsDocument } from '../results';
import { mapJson } from '../probe/propagation/documents';
import { runTrainabilityMap, TrainabilityCache } from '../probe/propagation/trainability';
import type { TrainabilityGrid } from '../probe/propagation/trainability';
import { histogramRuns } from './histograms';
import { HISTOGRAM_PROBE_DEFAULTS, histogramProbeRequests, histogramProbeSource } from '../probe/propagation/histogramProbes';
import type { HistogramProbeOptions } from '../probe/propagation/histogramProbes';
import { propagationCsv } from '../view/propagationCsv';
import { PROPAGATION_NOTES } from './notes';
import { PropagationTestReports } from './testHooks';
import { isTestMode } from '../host/testMode';
import { SEED_INITIALIZER_IDS } from '../protocol/vocabulary';
import { CATALOG_IDS } from '../probe/initializers/catalog';
import { parseInitializer } from '../probe/initializers/parse';

export const SIGNAL_VIEW_TYPE = 'initlens.signalPropagation';
/** The picker's choices: the catalog's initializers that take no arguments. */
const CHOICES = CATALOG_IDS.filter((id) => id !== 'constant' && id !== 'variance_scaling');
/** The view's sizes: the 100 layers, 128 units so a sweep takes seconds. */
const VIEW_SIZES = ['--depth', '100', '--width', '128', '--images', '128'];
const MAP_SIGMA_W2 = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
const MAP_DEPTHS = [2, 4, 8, 12, 16, 24, 32, 48];

export function registerSignalPropagation(ctx: InitLensContext): void {
  let view: SignalView | undefined;
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('initlens.signalPropagation', (activation?: unknown) => {
      const act: Activation = activation === 'tanh' ? 'tanh' : 'relu';
      if (view) view.reveal(typeof activation === 'string' ? act : undefined);
      else {
        view = new SignalView(ctx, act);
        view.onDidClose(() => (view = undefined));
      }
    }),
  );
}

class SignalView {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;
  private ready = false;
  private doc: PropagationDocument | null = null;
  private busy: string | null = null;
  private error: string | null = null;
  /** Test mode only (testHooks.ts). */
  private readonly testReports: PropagationTestReports | undefined;
  private ownProbes: ResultsDocument | undefined;
  private probes: RunnerHandle | undefined;
  private child: ReturnType<typeof spawn> | undefined;
  private mapCancel: (() => Promise<void>) | undefined;
  private generation = 0;

  constructor(
    private readonly ctx: InitLensContext,
    private activation: Activation,
  ) {
    this.testReports = isTestMode(ctx.extension) ? new PropagationTestReports(ctx.log) : undefined;
    const root = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview');
    this.panel = vscode.window.createWebviewPanel(SIGNAL_VIEW_TYPE, 'InitLens: Signal Propagation', { viewColumn: vscode.ViewColumn.Active }, { enableScripts: true, localResourceRoots: [root] });
    this.panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'icons', 'initlens.svg');
    this.panel.webview.html = webviewHtml({
      cspSource: this.panel.webview.cspSource,
      scriptUri: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'propagation.js')).toString(),
      styleUri: this.panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'propagation.css')).toString(),
      title: 'InitLens: Signal Propagation',
    });
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      this.panel.onDidDispose(() => this.dispose()),
      ctx.session.onDidChange(() => this.send()),
    );
    this.compute();
  }

  reveal(activation: Activation | undefined): void {
    this.panel.reveal();
    if (activation && activation !== this.activation) {
      this.activation = activation;
      this.compute();
    }
  }

  private initializers: string[] = [...SEED_INITIALIZER_IDS];

  private onMessage(raw: unknown): void {
    const parsed = parseWith(propagationWebviewMessageSchema, raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`signal propagation view: dropped a message: ${parsed.error}`);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'ready':
        this.ready = true;
        if (this.testReports) void this.panel.webview.postMessage({ type: 'reportForTests' } satisfies PropagationHostMessage);
        this.send();
        return;
      case 'activation':
        if (m.activation !== this.activation) {
          this.activation = m.activation;
          this.compute();
        }
        return;
      case 'initializers': {
        const chosen = [...new Set(m.initializers)];
        const bad = chosen.map((text) => {
          try {
            parseInitializer(text);
            return undefined;
          } catch (err) {
            return `${text}: ${firstLine(err)}`;
          }
        });
        const reason = bad.find((b) => b !== undefined);
        if (reason) {
          this.error = reason;
          this.send();
          return;
        }
        if (chosen.join(',') !== this.initializers.join(',')) {
          this.initializers = chosen;
          this.compute();
        }
        return;
      }
      case 'runMap':
        void this.runMap();
        return;
      case 'cancel':
        void this.mapCancel?.();
        return;
      case 'exportCsv':
        void this.exportCsv();
        return;
      case 'savePng':
        void this.savePng(m.name, m.dataUrl);
        return;
      case 'testReport':
        this.testReports?.record(m.report);
        return;
    }
  }

  private histograms(): { runs: HistogramRunsJson; source: string } {
    const fromSession = histogramRuns(this.ctx.session.current);
    if (fromSession.length) return { runs: fromSession, source: 'the current Compare run' };
    return { runs: histogramRuns(this.ownProbes), source: histogramProbeSource(this.histogramProbeOptions()) };
  }

  private histogramProbeOptions(): HistogramProbeOptions {
    return { ...HISTOGRAM_PROBE_DEFAULTS, activation: this.activation, initializers: this.initializers, seed: DEFAULT_CONFIG.seed, data: 'mnist' };
  }

  private send(): void {
    if (!this.ready) return;
    const h = this.histograms();
    const message: PropagationHostMessage = {
      type: 'state',
      activation: this.activation,
      initializers: this.initializers,
      choices: CHOICES,
      doc: this.doc,
      histograms: h.runs,
      histogramSource: h.source,
      busy: this.busy,
      error: this.error,
      notes: PROPAGATION_NOTES,
    };
    void this.panel.webview.postMessage(message);
  }

  private setBusy(busy: string | null): void {
    this.busy = busy;
    this.send();
  }

  /** Sweep, phase diagram and spectra in a child process; short probes for histograms if needed. */
  private compute(): void {
    const generation = ++this.generation;
    this.child?.kill();
    // Probes of the previous choice would only draw histograms nobody asked for any more.
    void this.probes?.cancel();
    this.ownProbes = undefined;
    // The trainability map depends on the activation only: it outlives a change of initializers.
    const map = this.doc?.map;
    this.doc = null;
    this.error = null;
    this.setBusy(`computing the depth sweep, phase diagram and Jacobian spectra for ${this.activation}…`);
    const cli = join(this.ctx.extension.extensionPath, 'dist', 'cli.js');
    const args = [cli, 'propagate', 'all', '--activation', this.activation, '--init', this.initializers.join(','), ...VIEW_SIZES, '--data', 'mnist', '--json'];
    const child = spawn(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (generation !== this.generation) return;
      this.child = undefined;
      if (code !== 0) {
        this.error = err.trim().split('\n').pop() ?? `initlens propagate exited with code ${code}`;
        this.setBusy(null);
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(out);
      } catch {
        json = undefined;
      }
      const parsed = parseWith(propagationDocumentSchema, json);
      if (!parsed.ok) {
        this.error = `unexpected output from initlens propagate: ${parsed.error}`;
        this.setBusy(null);
        return;
      }
      // Keep a map computed for this activation.
      this.doc = { ...parsed.value, ...(map && map.activation === this.activation ? { map } : {}) };
      this.setBusy(null);
      if (!histogramRuns(this.ctx.session.current).length) this.runOwnProbes(generation);
    });
  }

  private runOwnProbes(generation: number): void {
    void this.probes?.cancel();
    const requests = histogramProbeRequests(this.histogramProbeOptions());
    const doc = newDocument(requests);
    this.ownProbes = doc;
    this.setBusy('training short probes for the histograms…');
    let last = 0;
    this.probes = startRuns(requests, {
      jobs: 2,
      onEvent: (event) => {
        if (generation !== this.generation) return;
        applyEvent(doc, event);
        const now = Date.now();
        if (now - last > 250) {
          last = now;
          this.send();
        }
      },
    });
    void this.probes.done.then(() => {
      if (generation === this.generation) this.setBusy(null);
    });
  }

  private async runMap(): Promise<void> {
    if (this.mapCancel) return;
    const grid: TrainabilityGrid = {
      sigmaW2: MAP_SIGMA_W2,
      depths: MAP_DEPTHS,
      width: 64,
      config: { ...DEFAULT_CONFIG, activation: this.activation, steps: 100, optimizer: 'sgd', lr: 0.01, data: 'mnist' },
    };
    const cache = new TrainabilityCache(vscode.Uri.joinPath(this.ctx.extension.globalStorageUri, 'trainability.json').fsPath);
    const start = performance.now();
    const handle = runTrainabilityMap(grid, {
      cache,
      onCell: (_c, done, total) => this.setBusy(`trainability map: ${done} of ${total} cells`),
      onLog: (line) => this.ctx.log.debug(line),
    });
    let cancelled = false;
    this.mapCancel = async () => {
      cancelled = true;
      await handle.cancel();
    };
    this.setBusy('trainability map: starting…');
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'InitLens: trainability map', cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => void this.mapCancel?.());
      let reported = 0;
      const timer = setInterval(() => {
        const m = /(\d+) of (\d+)/.exec(this.busy ?? '');
        if (m && Number(m[1]) > reported) {
          progress.report({ message: `${m[1]} of ${m[2]} cells`, increment: ((Number(m[1]) - reported) / Number(m[2])) * 100 });
          reported = Number(m[1]);
        }
      }, 500);
      const cells = await handle.done;
      clearInterval(timer);
      const map = mapJson(grid, cells, (performance.now() - start) / 1000, cancelled);
      this.doc = { ...(this.doc ?? { tool: 'initlens', kind: 'propagation', activation: this.activation }), map };
    });
    this.mapCancel = undefined;
    this.setBusy(null);
  }

  private async exportCsv(): Promise<void> {
    const target = await vscode.window.showSaveDialog({ filters: { CSV: ['csv'] }, title: 'InitLens: Export signal propagation as CSV' });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(propagationCsv(this.doc, this.histograms().runs), 'utf8'));
  }

  private async savePng(name: string, dataUrl: string): Promise<void> {
    const m = /^data:image\/png;base64,(.*)$/.exec(dataUrl);
    if (!m) return;
    const target = await vscode.window.showSaveDialog({ filters: { PNG: ['png'] }, title: `InitLens: Save “${name}” as PNG` });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(m[1], 'base64'));
  }

  private dispose(): void {
    this.generation++;
    this.child?.kill();
    void this.probes?.cancel();
    void this.mapCancel?.();
    for (const d of this.disposables) d.dispose();
    this.closed.fire();
    this.closed.dispose();
  }
}
