/**
 * The sidebar webview view's host side: wiring between the webview and the extension's one
 * ProbeSession, its history and the settings. No science here: every number shown comes from
 * the engine's events (through the session) or from the engine's own validators.
 */
import { onPythonChange, pythonStatus } from '../host/python';
import { RESTRICTED_REASON } from '../editor/labels';
import * as vscode from 'vscode';
import type { CompareApi, InitLensContext } from '../host/context';
import { readSettings } from '../host/settings';
import type { SessionChange } from '../host/session';
import { loadNote } from '../notes';
import { markWalkthrough } from '../walkthrough';
import { oneLineReason } from '../probe/errors';
import { INITIALIZER_CATALOG } from '../probe/initializers/catalog';
import type { RunRequest } from '../protocol';
import type { ResultsDocument } from '../results';
import { parseSidebarMessage } from '../protocol/sidebar';
import type { CatalogItem, HostToSidebar, SidebarToHost, StatusState } from '../protocol/sidebar';
import { historyItems } from './history';
import { sidebarHtml } from './html';
import { buildRequests, comparisonTitle, orderedSelection } from './selection';
import { withSeeds } from '../compare/requests';
import { SelectionStore } from './selectionStore';
import { applySettingField } from './settingField';
import { changedKeys, settingsState } from './settings';
import { endNotice, progressOf, runProgress, seedRows } from './status';
import { ProgressFeed } from './progressFeed';
import { StatusSource } from './statusSource';
import { SidebarTestRecorder } from './testHooks';
import type { SidebarTestState } from './testHooks';

export const SIDEBAR_VIEW_ID = 'initlens.sidebar';

type MessageHandlers = { [K in SidebarToHost['type']]: (message: Extract<SidebarToHost, { type: K }>) => unknown };

export class SidebarView implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** This page has said `ready` once: it can take a snapshot when shown again. */
  private everReady = false;
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];
  private readonly progress = new ProgressFeed((message) => this.post(message), () => this.ready);
  private readonly statusSource: StatusSource;
  private readonly recorder = new SidebarTestRecorder();
  private readonly selection: SelectionStore;
  private pythonCache: StatusState['python'];
  /** The comparison last started in this window (not a document reopened from history). */
  private progressDoc: ResultsDocument | undefined;

  constructor(
    private readonly ctx: InitLensContext,
    private readonly compare: CompareApi,
    private readonly testMode: boolean,
  ) {
    const { session } = ctx;
    this.statusSource = new StatusSource(ctx);
    this.selection = new SelectionStore(ctx.extension.workspaceState, (message) => this.post(message));
    this.refreshPython();
    this.disposables.push(
      this.progress,
      session.onDidChange((change) => this.onSession(change)),
      session.history.onDidChange(() => this.post({ type: 'history', items: historyItems(session.history.entries(), new Date()) })),
      vscode.workspace.onDidChangeConfiguration((e) => {
        const keys = changedKeys(e);
        if (keys.length === 0) return;
        if (keys.includes('dataSource')) this.statusSource.invalidateData();
        this.post({ type: 'settings', settings: settingsState() });
        if (keys.includes('dataSource') || keys.includes('backend')) this.post({ type: 'status', status: this.status() });
      }),
      onPythonChange(() => this.refreshPython()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.statusSource.invalidateData();
        this.refreshPython();
        this.post({ type: 'settings', settings: settingsState() });
        this.post({ type: 'status', status: this.status() });
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    this.ready = false;
    this.everReady = false;
    const root = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'webview');
    view.webview.options = { enableScripts: true, localResourceRoots: [root] };
    view.webview.html = sidebarHtml({
      cspSource: view.webview.cspSource,
      scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'sidebar.js')).toString(),
      styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(root, 'sidebar.css')).toString(),
    });
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      // Hidden: send nothing, keep the latest progress per run. Shown: a fresh snapshot; a page
      // VS Code rebuilt says `ready` again and gets another, which it renders the same way.
      view.onDidChangeVisibility(() => {
        if (!view.visible) {
          this.ready = false;
          return;
        }
        if (!this.everReady) return;
        this.ready = true;
        this.progress.clear();
        this.post(this.snapshot());
      }),
      view.onDidDispose(() => {
        if (this.view === view) {
          this.view = undefined;
          this.ready = false;
        }
        this.disposeView();
      }),
    );
    void this.statusSource.loadLatestStored(() => this.post({ type: 'status', status: this.status() }));
  }

  /** Handles one message from the webview (or from a test standing in for it). Returns false when dropped. */
  async receive(raw: unknown): Promise<boolean> {
    const parsed = parseSidebarMessage(raw);
    if (!parsed.ok) {
      this.recorder.dropped++;
      this.ctx.log.warn(`sidebar: dropped a malformed message (${parsed.error})`);
      return false;
    }
    try {
      await this.handle(parsed.value);
    } catch (err) {
      this.ctx.log.error(`sidebar: ${parsed.value.type} failed: ${oneLineReason(err)}`);
      this.post({ type: 'notice', level: 'error', message: oneLineReason(err) });
    }
    return true;
  }

  /** One handler per message the webview sends; the compiler checks that none is missing. */
  private readonly handlers: MessageHandlers = {
    ready: () => {
      this.ready = true;
      this.everReady = true;
      this.progress.clear();
      this.statusSource.invalidateData();
      // Tests read what the page shows (testHooks.ts); only they ask for it.
      if (this.testMode) this.post({ type: 'reportForTests' });
      this.post(this.snapshot());
    },
    setSetting: (m) => applySettingField(m, (message) => this.post(message)),
    setChecked: (m) => this.selection.setChecked(m.text, m.checked),
    addCustom: (m) => this.selection.addCustom(m.text),
    removeCustom: (m) => this.selection.removeCustom(m.text),
    requestNote: (m) => {
      markWalkthrough('noteRead');
      this.post({ type: 'note', noteId: m.noteId, note: loadNote(m.noteId) ?? null });
    },
    compare: () => this.runComparison(),
    stop: async () => {
      const { session } = this.ctx;
      if (!session.running) {
        this.post({ type: 'notice', level: 'info', message: 'Nothing is running.' });
        return;
      }
      await session.stop();
      this.post({ type: 'notice', level: 'info', message: 'Stopped the probes; results so far are kept.' });
    },
    openHistory: async (m) => {
      const doc = await this.ctx.session.history.load(m.id);
      if (!doc) {
        this.post({ type: 'notice', level: 'error', message: 'That comparison is no longer stored; it may have been deleted.' });
        return;
      }
      await this.compare.showDocument(doc);
    },
    deleteHistory: (m) => this.ctx.session.history.remove(m.id),
    clearHistory: () => vscode.commands.executeCommand('initlens.clearHistory'),
    manageTrust: () => vscode.commands.executeCommand('workbench.trust.manage'),
    openSettings: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:initlens.initlens'),
    testReport: (m) => {
      this.recorder.report = m.report;
    },
  };

  private async handle(message: SidebarToHost): Promise<void> {
    await (this.handlers[message.type] as (m: SidebarToHost) => unknown)(message);
  }

  private async runComparison(): Promise<void> {
    const { session } = this.ctx;
    const settings = readSettings();
    let requests: RunRequest[];
    try {
      requests = withSeeds(buildRequests(orderedSelection(this.selection.current()), settings.config), settings.seeds);
    } catch (err) {
      this.post({ type: 'notice', level: 'error', message: oneLineReason(err) });
      return;
    }
    this.recorder.lastRequests = requests;
    const before = session.current;
    const queuedBefore = session.current?.runs.length ?? 0;
    // The Compare panel starts (or queues) the runs and asks first when one is in flight.
    await this.compare.runComparison(requests, { title: comparisonTitle(requests) });
    const started = session.current !== before || (session.current?.runs.length ?? 0) > queuedBefore;
    const fallbacks = settings.problems.map((p) => p.key);
    if (fallbacks.length > 0) {
      const message = `Using defaults for ${[...new Set(fallbacks)].join(', ')}: see the form for why.`;
      this.post({ type: 'notice', level: 'warning', message });
      void vscode.window.showWarningMessage(`InitLens: ${message}`);
    } else if (started) {
      const n = requests.length;
      this.post({ type: 'notice', level: 'info', message: `Started ${n} probe${n === 1 ? '' : 's'}: ${comparisonTitle(requests)}.` });
    }
  }

  private onSession(change: SessionChange): void {
    switch (change.type) {
      case 'begin':
        this.progressDoc = change.doc;
        this.progress.clear();
        this.post({ type: 'progress', reset: true, runs: progressOf(change.doc) });
        this.post({ type: 'status', status: this.status() });
        return;
      case 'event':
        this.progress.update(runProgress(change.run, change.doc.config?.steps ?? 0, change.doc.runs.some((r) => r !== change.run && r.initializer === change.run.initializer && r.seed !== change.run.seed)));
        // A finished seed moves its initializer's interval.
        if (change.event.type === 'started' || change.event.type === 'finished') this.post({ type: 'status', status: this.status() });
        return;
      case 'end':
        this.progress.clear();
        this.post({ type: 'progress', reset: true, runs: progressOf(change.doc) });
        this.post({ type: 'status', status: this.status() });
        // "Started 4 probes…" would outlive the runs: say how they ended.
        if (change.doc === this.progressDoc) this.post({ type: 'notice', ...endNotice(change.doc, change.cancelled) });
        return;
      case 'show':
        this.post({ type: 'status', status: this.status() });
        return;
    }
  }

  private status(): StatusState {
    const seeds = seedRows(this.progressDoc);
    return { ...this.statusSource.status(), python: this.pythonCache, ...(seeds ? { seeds } : {}) };
  }

  /** Which Python PyTorch runs would use: found and asked once per change, off the status path. */
  private refreshPython(): void {
    if (!vscode.workspace.isTrusted) {
      this.pythonCache = { why: 'Restricted Mode: InitLens does not run your Python here', torch: null, device: null, problem: RESTRICTED_REASON };
      return;
    }
    void pythonStatus(vscode.workspace.workspaceFolders?.[0]?.uri).then((status) => {
      const check = status.check?.ok ? status.check.status : undefined;
      this.pythonCache = {
        executable: status.choice.executable,
        why: status.choice.why,
        torch: check?.torch ?? null,
        device: check?.torch ? `${check.device} (${check.deviceReason})` : null,
        problem: status.problem,
      };
      this.post({ type: 'status', status: this.status() });
    });
  }

  private snapshot(): HostToSidebar {
    const { session } = this.ctx;
    const catalog: CatalogItem[] = INITIALIZER_CATALOG.map((e) => ({
      id: e.id,
      className: e.className,
      formula: e.formula,
      summary: e.summary,
      noteId: e.noteId,
      suits: [...e.suits],
    }));
    return {
      type: 'snapshot',
      settings: settingsState(),
      catalog,
      selection: this.selection.view(),
      status: this.status(),
      progress: progressOf(this.progressDoc),
      history: historyItems(session.history.entries(), new Date()),
    };
  }

  private post(message: HostToSidebar): void {
    this.recorder.posted(message);
    if (!this.view || !this.ready) return;
    void this.view.webview.postMessage(message).then(undefined, (err: unknown) => this.ctx.log.warn(`sidebar: could not post ${message.type}: ${oneLineReason(err)}`));
  }

  /** For the test hooks (testHooks.ts). */
  testState(): SidebarTestState {
    const { session } = this.ctx;
    return this.recorder.state({
      ready: this.ready,
      visible: this.view?.visible ?? false,
      selection: this.selection.current(),
      running: session.running,
      runs: (session.current?.runs ?? []).map((r) => ({ initializer: r.initializer, status: r.status })),
    });
  }

  private disposeView(): void {
    for (const d of this.viewDisposables) d.dispose();
    this.viewDisposables = [];
  }

  dispose(): void {
    this.disposeView();
    for (const d of this.disposables) d.dispose();
  }
}
