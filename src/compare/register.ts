/**
 * "Compare Initializers": the commands (compare, stop, export, save report), the one Compare
 * panel and its serializer, the progress notification, and the CompareApi the editor and the
 * sidebar use. CompareController owns the feature's state (the panel, what it shows, the steps
 * each run was asked for) and lifetime (disposed with the extension). Wiring only: requests
 * come from requests.ts, results from the session.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import type { CompareApi, InitLensContext } from '../host/context';
import { readSettings } from '../host/settings';
import type { RunRequest } from '../protocol';
import type { ResultsDocument } from '../results';
import type { PanelAction } from '../protocol/panel';
import { buildRequests, networkConfig, networkTitle, readCompareArgs, withSeeds } from './requests';
import { describeNetwork } from '../view/network';
import type { NetworkId } from './requests';
import { pickInitializers, pickNetwork } from './pick';
import { ComparePanel, VIEW_TYPE } from './panel';
import { showProgress } from './progress';
import { exportResults, saveChartPng, saveReport } from './exportFiles';
import type { PanelHostOptions } from './panel';
import { CompareTestReports, registerCompareTestHooks } from './testHooks';
import { isTestMode } from '../host/testMode';
import { firstLine } from '../protocol/parse';

interface Meta {
  doc: ResultsDocument | undefined;
  title: string;
  skipped: string[];
}

/** What the webview keeps in its state, for the serializer after a reload. */
const savedStateSchema = z.object({ title: z.string().max(500).optional(), skipped: z.array(z.string().max(500)).max(500).optional() }).passthrough();

const STOP = 'Stop the running comparison';
const QUEUE = 'Queue after it';

export function registerCompare(ctx: InitLensContext): CompareApi {
  // Test-only (testHooks.ts): never registered for people.
  const testReports = isTestMode(ctx.extension) ? new CompareTestReports() : undefined;
  const controller = new CompareController(ctx, testReports);
  ctx.extension.subscriptions.push(
    controller,
    // With an argument the command resolves once the comparison has started (tests, other
    // extensions); without one it returns at once and the QuickPicks carry on by themselves.
    vscode.commands.registerCommand('initlens.compareInitializers', (arg?: unknown) => {
      const done = controller.compareCommand(arg);
      return typeof arg === 'object' && arg !== null ? done : undefined;
    }),
    vscode.commands.registerCommand('initlens.stop', () => ctx.session.stop()),
    vscode.commands.registerCommand('initlens.exportResults', (arg?: unknown) => controller.exportResults(arg)),
    vscode.commands.registerCommand('initlens.saveReport', (arg?: unknown) => controller.saveReport(arg)),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (webviewPanel: vscode.WebviewPanel, state: unknown) => controller.restorePanel(webviewPanel, state),
    }),
    ...(testReports ? registerCompareTestHooks(controller, testReports) : []),
  );
  return controller;
}

export class CompareController implements CompareApi, vscode.Disposable {
  private panel: ComparePanel | undefined;
  private meta: Meta = { doc: undefined, title: '', skipped: [] };
  /** Steps asked for per run, for the runs of the current document only (replaced on each new comparison). */
  private planned = new Map<string, number>();
  private readonly panelOptions: PanelHostOptions;

  constructor(
    private readonly ctx: InitLensContext,
    testReports?: CompareTestReports,
  ) {
    this.panelOptions = {
      ctx,
      testReports,
      extras: () => this.extras(),
      plannedSteps: this.plannedSteps,
      onAction: (action: PanelAction) => void this.runAction(action),
      onSavePng: (image) => void saveChartPng(ctx, image),
    };
  }

  private get session(): InitLensContext['session'] {
    return this.ctx.session;
  }

  /** The open panel, if any (test hooks read it). */
  get openPanel(): ComparePanel | undefined {
    return this.panel;
  }

  private titleFor(doc: ResultsDocument | undefined): string {
    const { meta } = this;
    if (doc && meta.doc === doc && meta.title) return meta.title;
    if (meta.doc === undefined && meta.title) return meta.title;
    return doc?.config ? describeNetwork(doc.config) : 'No comparison yet';
  }

  extras(): { title: string; skipped: string[]; running: boolean } {
    const doc = this.session.current;
    const own = doc !== undefined && this.meta.doc === doc;
    return { title: this.titleFor(doc), skipped: own || this.meta.doc === undefined ? this.meta.skipped : [], running: this.session.running };
  }

  private readonly plannedSteps = (runId: string): number | undefined => this.planned.get(runId) ?? this.session.current?.config?.steps;

  private attach(created: ComparePanel): ComparePanel {
    this.panel = created;
    created.onDidClose(() => {
      if (this.panel === created) this.panel = undefined;
      if (!this.session.running) return;
      void vscode.window.showWarningMessage('InitLens: the comparison is still running. Stop it?', 'Stop', 'Keep running').then((answer) => {
        if (answer === 'Stop') void this.session.stop();
      });
    });
    return created;
  }

  private show(): ComparePanel {
    if (this.panel) {
      this.panel.reveal();
      return this.panel;
    }
    return this.attach(ComparePanel.create(this.panelOptions));
  }

  exportResults(arg: unknown): ReturnType<typeof exportResults> {
    return exportResults(this.ctx, arg, () => this.show());
  }

  saveReport(arg: unknown): ReturnType<typeof saveReport> {
    return saveReport(this.ctx, arg, () => this.show(), () => ({ title: this.titleFor(this.session.current), skipped: this.extras().skipped, plannedSteps: this.plannedSteps }));
  }

  private async runAction(action: PanelAction): Promise<void> {
    switch (action) {
      case 'compare':
        // "New comparison": the same flow as the command, QuickPicks first.
        await this.compareCommand();
        return;
      case 'stop':
        await this.session.stop();
        return;
      case 'exportJson':
        await this.exportResults({ format: 'json' });
        return;
      case 'exportCsv':
        await this.exportResults({ format: 'csv' });
        return;
      case 'exportPng':
        await this.exportResults({ format: 'png' });
        return;
      case 'saveReport':
        await this.saveReport({});
        return;
    }
  }

  /** Starts (or queues) requests and shows them; asks first when a comparison is running. */
  async runComparison(requests: RunRequest[], options: { title?: string; skipped?: string[]; ifRunning?: 'stop' | 'queue' } = {}): Promise<void> {
    const { session } = this;
    if (requests.length === 0) {
      void vscode.window.showWarningMessage('InitLens: nothing to compare.');
      return;
    }
    let queue = false;
    if (session.running) {
      const answer =
        options.ifRunning === 'stop'
          ? STOP
          : options.ifRunning === 'queue'
            ? QUEUE
            : await vscode.window.showWarningMessage('InitLens: a comparison is already running.', { modal: true, detail: 'Its results so far are kept either way.' }, STOP, QUEUE);
      if (answer === undefined) return;
      if (answer === STOP) await session.stop();
      else queue = true;
    }
    const steps = requests.map((r): [string, number] => [r.runId, r.config.steps]);
    if (queue && session.running) {
      // Queued runs join the running document.
      for (const [runId, n] of steps) this.planned.set(runId, n);
      session.enqueue(requests);
      this.show().refresh();
      return;
    }
    this.planned = new Map(steps);
    const jobs = readSettings().jobs;
    this.meta = { doc: undefined, title: options.title ?? describeNetwork(requests[0].config), skipped: options.skipped ?? [] };
    this.show();
    let doc: ResultsDocument;
    try {
      doc = session.start(requests, jobs);
    } catch (err) {
      void vscode.window.showErrorMessage(`InitLens: could not start the comparison: ${(err as Error).message}`);
      return;
    }
    this.meta.doc = doc;
    this.panel?.refresh();
    showProgress(session, doc, this.plannedSteps);
  }

  /** The command: QuickPicks for initializers and network, or a checked argument that skips them. */
  async compareCommand(arg?: unknown): Promise<void> {
    const settings = readSettings();
    let initializers: string[] | undefined;
    let network: NetworkId | undefined;
    let steps: number | undefined;
    let seeds = settings.seeds;
    let ifRunning: 'stop' | 'queue' | undefined;
    if (typeof arg === 'object' && arg !== null && ('initializers' in arg || 'network' in arg)) {
      const parsed = readCompareArgs(arg);
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`InitLens: Compare Initializers: ${parsed.error}`);
        return;
      }
      ({ initializers, network, steps, ifRunning } = parsed.value);
      seeds = parsed.value.seeds ?? seeds;
    } else {
      initializers = await pickInitializers();
      if (!initializers) return;
      network = await pickNetwork(settings);
      if (!network) return;
    }
    if (network === 'settings' && (settings.problems.length > 0 || settings.ignoredForTrust.length > 0)) {
      const problems = settings.problems.map((p) => `initlens.${p.key}: ${p.message}`);
      const ignored = settings.ignoredForTrust.map((k) => `initlens.${k} (workspace value ignored: untrusted workspace)`);
      void vscode.window.showWarningMessage(`InitLens settings: ${[...problems, ...ignored].join('; ')}. Defaults are used for those.`);
    }
    try {
      const config = networkConfig(network, settings.config, steps);
      const requests = withSeeds(buildRequests(initializers, config), seeds);
      await this.runComparison(requests, { title: networkTitle(network, config), ifRunning });
    } catch (err) {
      void vscode.window.showErrorMessage(`InitLens: ${firstLine(err)}`);
    }
  }

  /** The serializer: a panel VS Code restores after a reload, with the results stored for it. */
  async restorePanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const { session } = this;
    const saved = savedStateSchema.safeParse(state);
    const doc = await session.restore();
    if (saved.success && saved.data.title) this.meta = { doc, title: saved.data.title, skipped: saved.data.skipped ?? [] };
    if (doc && !session.running && session.current !== doc) session.show(doc);
    this.panel?.dispose();
    this.attach(new ComparePanel(webviewPanel, this.panelOptions));
    this.ctx.log.info(`compare panel restored${doc ? ` with ${doc.runs.length} runs` : ' (no saved results)'}`);
  }

  /** Opens the panel on a stored document (history) without re-running. */
  async showDocument(doc: ResultsDocument, title?: string): Promise<void> {
    if (this.session.running) {
      void vscode.window.showInformationMessage('InitLens: a comparison is running; its panel shows it. Stop it to look at an earlier one.');
      this.show();
      return;
    }
    this.meta = { doc, title: title ?? (doc.config ? describeNetwork(doc.config) : 'Earlier comparison'), skipped: [] };
    this.planned = new Map();
    this.session.show(doc);
    this.show().refresh();
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
