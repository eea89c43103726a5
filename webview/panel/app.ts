/**
 * The Compare panel in the webview: its lifecycle. Says ready, applies the host's snapshot and
 * deltas to its model, and redraws at most once per animation frame. What is drawn lives beside
 * it, one concern a file: the page's elements (layout.ts), the header (header.ts), the summary
 * table (table.ts), the chart series (series.ts) and charts (charts.ts), the flags (flags.ts),
 * PNG exports (chartImages.ts), the person's choices (state.ts) and what tests read, when the
 * host asks in test mode (testReport.ts). Every host message is validated first (channel.ts).
 */
import type { ChartId, HostMessage, PanelAction } from '../../src/protocol/panel';
import { accuracyScope } from '../../src/view/format';
import { onThemeChange, readTheme } from '../shared/theme';
import type { ThemeColors } from '../shared/theme';
import { listen, log, send } from './channel';
import { seriesSlots } from './chartData';
import { chartImages } from './chartImages';
import { renderCharts } from './charts';
import { renderFlags } from './flags';
import { renderHeader } from './header';
import { buildView, chartsOf, renderEmpty } from './layout';
import type { View } from './layout';
import { applyDelta, applySnapshot, emptyModel } from './model';
import type { PanelModel } from './model';
import { PanelState } from './state';
import { renderSeedTable, renderTable } from './table';
import { testReport } from './testReport';
import { TestReporter } from '../shared/testReport';
import type { PanelTestReport } from '../../src/protocol/testReports';

export class PanelApp {
  private model: PanelModel = emptyModel();
  private theme: ThemeColors = readTheme();
  private view: View | undefined;
  private frame = 0;
  private readonly state = new PanelState();
  private notesShown: string[] = [];
  private flagsKey = '';
  /** Several seeds: positions with a shaded band on the charts, and the summary rows as shown. */
  private bandPoints = 0;
  private seedRows: string[] = [];
  private readonly tests = new TestReporter<PanelTestReport>((report) => send({ type: 'testReport', report }));

  constructor(private readonly root: HTMLElement) {}

  start(): void {
    listen((message) => this.handle(message));
    window.addEventListener('error', (event) => log('error', `${event.message} (${event.filename}:${event.lineno})`));
    onThemeChange(() => {
      this.theme = readTheme();
      if (!this.view) return;
      for (const chart of chartsOf(this.view)) chart.setTheme(this.theme);
      this.flagsKey = '';
      this.schedule();
    });
    send({ type: 'ready' });
  }

  private handle(message: HostMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.model = applySnapshot(message);
        this.flagsKey = '';
        this.schedule();
        break;
      case 'delta': {
        const result = applyDelta(this.model, message);
        if (!result.ok) {
          // Out of step with the host: ask for a fresh snapshot rather than draw a wrong chart.
          log('warn', `resynchronising: ${result.reason}`);
          send({ type: 'ready' });
          return;
        }
        this.schedule();
        break;
      }
      case 'captureCharts':
        this.renderNow();
        send({ type: 'charts', requestId: message.requestId, images: this.images() });
        break;
      case 'reportForTests':
        // Test mode: the snapshot that follows renders, and every render reports from now on.
        this.tests.start();
        break;
    }
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  /** Each initializer's own colour (seriesSlots), the same whichever entry point started it. */
  private colorOf = (runId: string): string => {
    const runs = this.model.runs;
    const slots = seriesSlots(runs.map((r) => r.initializer), this.theme.series.length);
    const i = runs.findIndex((r) => r.runId === runId);
    return this.theme.series[slots[Math.max(0, i)] ?? 0];
  };

  private act(action: PanelAction): void {
    send({ type: 'action', action });
  }

  private images(): ReturnType<typeof chartImages> {
    return this.view ? chartImages(this.view, this.model.runs, this.state) : [];
  }

  private savePng(id: ChartId): void {
    const image = this.images().find((i) => i.id === id);
    if (!image) {
      log('info', `no data to save for ${id}`);
      return;
    }
    send({ type: 'savePng', image });
  }

  private build(): View {
    return buildView(this.root, this.theme, {
      act: (action) => this.act(action),
      savePng: (id) => this.savePng(id),
      step: (index, max) => {
        this.state.setStep(index, max);
        this.state.persist();
        this.renderNow();
      },
      measure: (measure) => {
        this.state.measure = measure;
        this.renderNow();
      },
      selectRun: (runId) => {
        this.state.selectedRun = runId;
        this.state.persist();
        this.renderNow();
      },
    });
  }

  private renderEmpty(): void {
    if (this.view) for (const chart of chartsOf(this.view)) chart.destroy();
    this.view = undefined;
    renderEmpty(this.root, () => this.act('compare'));
    this.report(0);
  }

  private renderNow(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const { meta, runs } = this.model;
    if (!meta) {
      this.renderEmpty();
      return;
    }
    const view = (this.view ??= this.build());
    this.state.saved.title = meta.title;
    this.state.saved.skipped = meta.skipped;
    this.state.persist();

    renderHeader(view, meta, runs);
    const scope = accuracyScope(meta.config, meta.data);
    view.accuracyTitle.textContent = `Held-out accuracy during training (${scope.subset})`;
    this.seedRows = meta.seeds ? renderSeedTable(view.summary, meta.seeds, runs, this.colorOf, scope) : (renderTable(view.summary, runs, this.colorOf, scope), []);
    const drawn = renderCharts(view, runs, this.state, this.colorOf, this.theme.muted, scope);
    this.bandPoints = drawn.bandPoints;
    const flagsKey = `${runs.map((r) => `${r.runId}:${r.flags.length}:${r.status}`).join('|')}|${this.model.notes.size}`;
    if (flagsKey !== this.flagsKey) {
      this.flagsKey = flagsKey;
      this.notesShown = renderFlags(view.flags, runs, this.model.notes, this.colorOf);
    }
    this.report(drawn.points);
  }

  private report(points: number): void {
    const view = this.view;
    this.tests.report(() =>
      testReport(this.model, {
        charts: view !== undefined,
        notesShown: this.notesShown,
        points,
        theme: this.theme.kind,
        seedCaption: view?.seedNote.textContent ?? '',
        seedRows: this.seedRows,
        bandPoints: this.bandPoints,
      }),
    );
  }
}
