/** Status: the backend in use and why, the data source and its size, and the runs in flight. */
import { progressSummary } from '../../src/view/progress';
import type { RunProgress } from '../../src/protocol/sidebar';
import type { StatusState } from '../../src/protocol/sidebar';
import { codicon, h, replaceChildren } from '../shared/dom';

interface Row {
  element: HTMLElement;
  bar: HTMLElementTagNameMap['vscode-progress-bar'];
  text: HTMLElement;
  label: HTMLElement;
  run: RunProgress;
}

const STATUS_ICONS: Record<RunProgress['status'], string> = {
  queued: 'clock',
  running: 'sync',
  finished: 'pass',
  failed: 'error',
  cancelled: 'circle-slash',
};

export class StatusSection {
  readonly element: HTMLElement;
  private readonly backend = h('dd', {});
  private readonly python = h('dd', {});
  private readonly pythonTerm = h('dt', {}, 'PyTorch');
  private readonly data = h('dd', {});
  private readonly runsHeading = h('dt', {}, 'Runs');
  private readonly runsSummary = h('dd', { class: 'runs-summary' });
  private readonly runs = h('ul', { class: 'runs', 'aria-label': 'Runs' });
  /** Several seeds: each initializer's mean held-out accuracy with its 95% interval, as text and as a band. */
  private readonly seeds = h('div', { class: 'seed-summary', hidden: true });
  private seedTexts: string[] = [];
  private readonly rows = new Map<string, Row>();
  private running = false;
  private historyCount = 0;
  private backendText = '';
  private dataText = '';

  constructor(private readonly changed: () => void) {
    this.element = h(
      'div',
      { class: 'status-section' },
      h('dl', { class: 'status' }, h('dt', {}, 'Backend'), this.backend, h('dt', {}, 'Data'), this.data, this.pythonTerm, this.python, this.runsHeading, this.runsSummary),
      this.seeds,
      this.runs,
    );
  }

  private paintSeeds(seeds: StatusState['seeds']): void {
    this.seeds.hidden = seeds === undefined;
    this.seedTexts = seeds ? [seeds.caption, ...seeds.rows.map((r) => `${r.initializer}: ${r.text}`)] : [];
    if (!seeds) {
      replaceChildren(this.seeds);
      return;
    }
    replaceChildren(
      this.seeds,
      h('div', { class: 'seed-caption muted' }, seeds.caption, ' (the bar: 0–100%, shaded the interval, the tick the mean)'),
      h(
        'ul',
        { class: 'seed-rows', 'aria-label': 'Across seeds' },
        ...seeds.rows.map((row) => {
          const track = h('div', { class: 'seed-track', 'aria-hidden': 'true' });
          const { mean, low, high } = row.accuracy;
          const pct = (x: number): string => `${Math.max(0, Math.min(100, 100 * x))}%`;
          if (low !== null && high !== null) {
            const band = h('span', { class: 'seed-band' });
            // Positions through CSSOM: the CSP forbids inline style attributes.
            band.style.left = pct(low);
            band.style.width = `${Math.max(0.5, Math.min(100, 100 * high) - Math.max(0, 100 * low))}%`;
            track.appendChild(band);
          }
          if (mean !== null) {
            const tick = h('span', { class: 'seed-mean' });
            tick.style.left = pct(mean);
            track.appendChild(tick);
          }
          return h('li', { class: 'seed-row', 'data-initializer': row.initializer }, h('div', { class: 'run-line' }, h('code', {}, row.initializer), h('span', { class: 'seed-text' }, row.text)), track);
        }),
      ),
    );
  }

  update(status: StatusState): void {
    this.running = status.running;
    const b = status.backend;
    this.backendText = [b.name, b.detail].filter(Boolean).join(' — ');
    this.dataText = status.data.ok ? [status.data.description, status.data.size].filter(Boolean).join(' — ') : status.data.error;
    replaceChildren(
      this.backend,
      h('span', { class: 'status-value' }, b.name),
      b.measured && b.setting !== 'auto' ? h('span', { class: 'muted' }, ` (setting: ${b.setting})`) : null,
      b.detail ? h('span', { class: 'status-detail' }, b.detail) : null,
    );
    const d = status.data;
    if (d.ok) {
      replaceChildren(
        this.data,
        h('span', { class: 'status-value' }, d.description),
        h('span', { class: 'status-detail', title: d.path }, [d.size, d.setting === 'auto' ? 'chosen by auto' : `setting: ${d.setting}`].filter(Boolean).join(' · ')),
      );
    } else {
      replaceChildren(this.data, h('span', { class: 'status-error', role: 'alert' }, codicon('error', 'problem-icon'), h('span', {}, d.error)));
    }
    const p = status.python;
    this.pythonTerm.hidden = this.python.hidden = p === undefined;
    if (p) {
      replaceChildren(
        this.python,
        h('span', { class: 'status-value' }, p.executable ?? 'no Python'),
        p.torch ? h('span', { class: 'status-detail' }, `torch ${p.torch} · ${p.device ?? ''}`) : null,
        h('span', { class: 'status-detail' }, p.why),
        p.problem ? h('span', { class: 'status-error', role: 'alert' }, codicon('warning', 'problem-icon'), h('span', {}, p.problem)) : null,
      );
    }
    this.paintSeeds(status.seeds);
    this.paintSummary();
    this.changed();
  }

  progress(reset: boolean, runs: readonly RunProgress[]): void {
    if (reset) {
      this.rows.clear();
      replaceChildren(this.runs);
    }
    for (const run of runs) {
      let row = this.rows.get(run.runId);
      if (!row) {
        const bar = h('vscode-progress-bar', { class: 'run-bar' });
        const label = h('span', { class: 'run-label' });
        const text = h('span', { class: 'run-steps' });
        const element = h('li', { class: 'run', 'data-run': run.runId }, h('div', { class: 'run-line' }, label, text), bar);
        row = { element, bar, text, label, run };
        this.rows.set(run.runId, row);
        this.runs.appendChild(element);
      }
      row.run = run;
      row.element.dataset.status = run.status;
      replaceChildren(row.label, codicon(STATUS_ICONS[run.status], `run-icon ${run.status}`), h('code', {}, run.label));
      const flags = run.flags.length > 0 ? ` · ${run.flags.join(', ')}` : '';
      row.text.textContent = run.status === 'failed' ? 'failed' : run.status === 'queued' ? 'queued' : `${run.step}/${run.steps}${flags}`;
      row.element.title = run.error ?? `${run.label}: ${run.status}, step ${run.step} of ${run.steps}${flags}`;
      row.bar.max = Math.max(1, run.steps);
      row.bar.value = run.step;
      row.bar.ariaLabel = `${run.label} progress`;
      row.bar.hidden = run.status === 'queued';
    }
    this.paintSummary();
    this.changed();
  }

  /** How many comparisons History holds: with none run in this window, the summary points there. */
  setHistoryCount(count: number): void {
    this.historyCount = count;
    this.paintSummary();
  }

  private paintSummary(): void {
    const runs = [...this.rows.values()].map((r) => r.run);
    this.runsHeading.textContent = this.running ? 'Running' : 'Last runs';
    this.runsSummary.textContent =
      runs.length > 0
        ? progressSummary(runs)
        : this.historyCount > 0
          ? 'none in this window; earlier comparisons are in History below'
          : 'none yet: check initializers and press Compare';
  }

  report(): { backend: string; data: string; progress: string[]; seeds?: string[] } {
    return {
      backend: this.backendText,
      data: this.dataText,
      ...(this.seedTexts.length > 0 ? { seeds: this.seedTexts } : {}),
      progress: [...this.rows.values()].map((r) => `${r.run.label} ${r.text.textContent ?? ''}`),
    };
  }
}
