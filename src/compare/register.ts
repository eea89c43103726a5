/**
 * "Compare Initializers": the commands (compare, stop, export, save report), the one Compare
 * panel and its serializer, the progress notification, and the CompareApi the editor and the
 * sidebar use. Wiring only: requests come from requests.ts, results from the session.
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import type { CompareApi, InitLensContext } from '../host/context';
import { readSettings } from '../host/settings';
import type { RunRequest } from '../protocol';
import type { ResultsDocument } from '../results';
import type { PanelAction } from '../protocol/panel';
import { buildRequests, networkConfig, networkTitle, readCompareArgs } from './requests';
import { describeNetwork } from '../view/network';
import type { NetworkId } from './requests';
import { pickInitializers, pickNetwork } from './pick';
import { ComparePanel, VIEW_TYPE } from './panel';
import { showProgress } from './progress';
import { exportResults, saveChartPng, saveReport } from './exportFiles';

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
  const { session, log } = ctx;
  let panel: ComparePanel | undefined;
  let meta: Meta = { doc: undefined, title: '', skipped: [] };
  const planned = new Map<string, number>();

  const titleFor = (doc: ResultsDocument | undefined): string => {
    if (doc && meta.doc === doc && meta.title) return meta.title;
    if (meta.doc === undefined && meta.title) return meta.title;
    return doc?.config ? describeNetwork(doc.config) : 'No comparison yet';
  };
  const extras = (): { title: string; skipped: string[]; running: boolean } => {
    const doc = session.current;
    const own = doc !== undefined && meta.doc === doc;
    return { title: titleFor(doc), skipped: own || meta.doc === undefined ? meta.skipped : [], running: session.running };
  };
  const plannedSteps = (runId: string): number | undefined => planned.get(runId) ?? session.current?.config?.steps;

  const attach = (created: ComparePanel): ComparePanel => {
    panel = created;
    created.onDidClose(() => {
      if (panel === created) panel = undefined;
      if (!session.running) return;
      void vscode.window.showWarningMessage('InitLens: the comparison is still running. Stop it?', 'Stop', 'Keep running').then((answer) => {
        if (answer === 'Stop') void session.stop();
      });
    });
    return created;
  };
  const panelOptions = {
    ctx,
    extras,
    plannedSteps,
    onAction: (action: PanelAction) => void runAction(action),
    onSavePng: (image: Parameters<typeof saveChartPng>[1]) => void saveChartPng(ctx, image),
  };
  const openPanel = (): ComparePanel => {
    if (panel) {
      panel.reveal();
      return panel;
    }
    return attach(ComparePanel.create(panelOptions));
  };

  const runAction = async (action: PanelAction): Promise<void> => {
    switch (action) {
      case 'compare':
        await vscode.commands.executeCommand('initlens.compareInitializers');
        return;
      case 'stop':
        await session.stop();
        return;
      case 'exportJson':
        await exportResults(ctx, { format: 'json' }, () => openPanel());
        return;
      case 'exportCsv':
        await exportResults(ctx, { format: 'csv' }, () => openPanel());
        return;
      case 'exportPng':
        await exportResults(ctx, { format: 'png' }, () => openPanel());
        return;
      case 'saveReport':
        await saveReport(ctx, {}, () => openPanel(), () => ({ title: titleFor(session.current), skipped: extras().skipped, plannedSteps }));
        return;
    }
  };

  /** Starts (or queues) requests and shows them; asks first when a comparison is running. */
  const runComparison = async (
    requests: RunRequest[],
    options: { title?: string; skipped?: string[]; ifRunning?: 'stop' | 'queue' } = {},
  ): Promise<void> => {
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
    for (const r of requests) planned.set(r.runId, r.config.steps);
    if (queue && session.running) {
      session.enqueue(requests);
      openPanel().refresh();
      return;
    }
    const jobs = readSettings().jobs;
    meta = { doc: undefined, title: options.title ?? describeNetwork(requests[0].config), skipped: options.skipped ?? [] };
    openPanel();
    let doc: ResultsDocument;
    try {
      doc = session.start(requests, jobs);
    } catch (err) {
      void vscode.window.showErrorMessage(`InitLens: could not start the comparison: ${(err as Error).message}`);
      return;
    }
    meta.doc = doc;
    panel?.refresh();
    showProgress(session, doc, plannedSteps);
  };

  const compareCommand = async (arg?: unknown): Promise<void> => {
    const settings = readSettings();
    let initializers: string[] | undefined;
    let network: NetworkId | undefined;
    let steps: number | undefined;
    let ifRunning: 'stop' | 'queue' | undefined;
    if (typeof arg === 'object' && arg !== null && ('initializers' in arg || 'network' in arg)) {
      const parsed = readCompareArgs(arg);
      if (!parsed.ok) {
        void vscode.window.showErrorMessage(`InitLens: Compare Initializers: ${parsed.error}`);
        return;
      }
      ({ initializers, network, steps, ifRunning } = parsed.value);
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
    let requests: RunRequest[];
    try {
      const config = networkConfig(network, settings.config, steps);
      requests = buildRequests(initializers, config);
      await runComparison(requests, { title: networkTitle(network, config), ifRunning });
    } catch (err) {
      void vscode.window.showErrorMessage(`InitLens: ${(err as Error).message.split('\n')[0]}`);
    }
  };

  ctx.extension.subscriptions.push(
    // With an argument the command resolves once the comparison has started (tests, other
    // extensions); without one it returns at once and the QuickPicks carry on by themselves.
    vscode.commands.registerCommand('initlens.compareInitializers', (arg?: unknown) => {
      const done = compareCommand(arg);
      return typeof arg === 'object' && arg !== null ? done : undefined;
    }),
    vscode.commands.registerCommand('initlens.stop', () => session.stop()),
    vscode.commands.registerCommand('initlens.exportResults', (arg?: unknown) => exportResults(ctx, arg, () => openPanel())),
    vscode.commands.registerCommand('initlens.saveReport', (arg?: unknown) =>
      saveReport(ctx, arg, () => openPanel(), () => ({ title: titleFor(session.current), skipped: extras().skipped, plannedSteps })),
    ),
    // Test-only (not in the manifest, so not in the palette): what the webview last reported.
    vscode.commands.registerCommand('initlens._panelState', () => ({
      open: panel !== undefined,
      visible: panel?.panel.visible ?? false,
      ready: panel?.isReady ?? false,
      counters: panel ? { ...panel.counters } : undefined,
      rendered: panel?.lastRendered,
      title: extras().title,
      running: session.running,
    })),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown) {
        const saved = savedStateSchema.safeParse(state);
        const doc = await session.restore();
        if (saved.success && saved.data.title) meta = { doc, title: saved.data.title, skipped: saved.data.skipped ?? [] };
        if (doc && !session.running && session.current !== doc) session.show(doc);
        panel?.dispose();
        attach(new ComparePanel(webviewPanel, panelOptions));
        log.info(`compare panel restored${doc ? ` with ${doc.runs.length} runs` : ' (no saved results)'}`);
      },
    }),
    { dispose: () => panel?.dispose() },
  );

  return {
    runComparison: (requests, options) => runComparison(requests, options ?? {}),
    async showDocument(doc) {
      if (session.running) {
        void vscode.window.showInformationMessage('InitLens: a comparison is running; its panel shows it. Stop it to look at an earlier one.');
        openPanel();
        return;
      }
      meta = { doc, title: doc.config ? describeNetwork(doc.config) : 'Earlier comparison', skipped: [] };
      session.show(doc);
      openPanel().refresh();
    },
  };
}
