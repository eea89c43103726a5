/**
 * The sidebar's Status section as pure functions of what the engine reported: the backend a run
 * used and why (RunRecord.backend/backendReason), what a data source holds (describeDataSource),
 * and each run's progress. Nothing here measures or guesses beyond the setting's own promise.
 */
import type { BackendRequest } from '../probe/config';
import { formatBytes } from '../probe/data/format';
import type { DataSourceInfo } from '../probe/data/types';
import { oneLineReason } from '../probe/errors';
import type { RunProgress, StatusState } from '../protocol/sidebar';
import { summarizeSeeds } from '../probe/seedSummary';
import { hasSeveralSeeds } from '../view/intervals';
import { formatPercent, intervalText, seedBandCaption, seedFlagsText } from '../view/format';
import type { ResultsDocument, RunRecord } from '../results';
import { progressSummary } from '../view/progress';

export interface BackendStatus {
  /** tfjs-node, wasm, cpu — or, before any run, what the setting will try. */
  name: string;
  detail: string;
  /** True when name/detail come from a run rather than the setting. */
  measured: boolean;
  setting: BackendRequest;
}

const BACKEND_NAMES: Record<string, string> = { tensorflow: 'tfjs-node', wasm: 'wasm', cpu: 'cpu' };

/** What each setting will try, in the words of selectBackend (src/probe/tfjs.ts). */
const PROMISES: Record<BackendRequest, string> = {
  auto: 'auto: tfjs-node if installed, else wasm',
  tensorflow: 'tfjs-node if installed, else wasm',
  wasm: 'wasm (WebAssembly, SIMD where available)',
  cpu: 'cpu: pure JavaScript (slow)',
};

/** The latest run that reported a backend, newest run first. */
export function latestBackendRun(doc: ResultsDocument | undefined): RunRecord | undefined {
  if (!doc || !Array.isArray(doc.runs)) return undefined;
  return [...doc.runs].reverse().find((r) => typeof r.backend === 'string');
}

export function backendStatus(setting: BackendRequest, latest: Pick<RunRecord, 'backend' | 'backendReason'> | undefined): BackendStatus {
  if (latest?.backend) {
    return {
      name: BACKEND_NAMES[latest.backend] ?? latest.backend,
      detail: latest.backendReason ?? '',
      measured: true,
      setting,
    };
  }
  return { name: PROMISES[setting] ?? setting, detail: 'no probe has run yet', measured: false, setting };
}

export type DataStatus =
  | { ok: true; setting: string; kind: DataSourceInfo['kind']; description: string; size: string; path: string }
  | { ok: false; setting: string; error: string };

/** describeDataSource's answer as one line, or its one-line refusal (never a stack). */
export function dataStatus(setting: string, describe: () => DataSourceInfo): DataStatus {
  try {
    const info = describe();
    return {
      ok: true,
      setting,
      kind: info.kind,
      description: info.description,
      size: info.bytesOnDisk > 0 ? formatBytes(info.bytesOnDisk) : '',
      path: info.path,
    };
  } catch (err) {
    return { ok: false, setting, error: oneLineReason(err) };
  }
}

/**
 * Several seeds per initializer: one row per initializer from the engine's seed summary (mean and
 * 95% Student-t interval of the final held-out accuracy and loss over the finished seeds).
 * Undefined when every initializer ran once.
 */
export function seedRows(doc: ResultsDocument | undefined): StatusState['seeds'] {
  if (!doc || !Array.isArray(doc.runs) || !repeated(doc.runs)) return undefined;
  const summary = summarizeSeeds(doc.runs);
  const seeds = Math.max(...summary.map((s) => s.seeds));
  return {
    caption: `Held-out accuracy: ${seedBandCaption(seeds)}`,
    rows: summary.map((s) => ({
      initializer: s.initializer,
      seeds: s.seeds,
      finished: s.finished,
      accuracy: s.validationAccuracy,
      text: `${intervalText(s.validationAccuracy, formatPercent)} held-out · loss ${intervalText(s.loss)} · ${s.finished} of ${s.seeds} seeds${s.flags.length ? ` · ${seedFlagsText(s)}` : ''}`,
    })),
  };
}

function repeated(runs: readonly Pick<RunRecord, 'initializer' | 'seed'>[]): boolean {
  return hasSeveralSeeds(runs);
}

export function runProgress(run: RunRecord, steps: number, withSeed = false): RunProgress {
  const last = run.steps[run.steps.length - 1];
  const done = run.status === 'finished' ? (run.final?.steps ?? last?.step ?? steps) : (last?.step ?? 0);
  const progress: RunProgress = {
    runId: run.runId,
    label: withSeed && run.seed !== undefined ? `${run.initializer} · seed ${run.seed}` : run.initializer,
    status: run.status,
    step: Math.max(0, Math.min(done, steps)),
    steps,
    flags: [...new Set(run.flags.map((f) => f.kind))],
  };
  if (run.error) progress.error = run.error;
  return progress;
}

export function progressOf(doc: ResultsDocument | undefined): RunProgress[] {
  if (!doc || !Array.isArray(doc.runs)) return [];
  const steps = doc.config?.steps ?? 0;
  const withSeed = repeated(doc.runs);
  return doc.runs.map((r) => runProgress(r, steps, withSeed));
}

/**
 * The sidebar's notice once the comparison it started has ended, replacing "Started 4 probes…":
 * "Finished 4 probes: 3 finished, 1 failed. Results in the Compare panel and History."
 */
export function endNotice(doc: ResultsDocument, cancelled: boolean): { level: 'info' | 'warning'; message: string } {
  const runs = progressOf(doc);
  const n = runs.length;
  const summary = progressSummary(runs);
  const bad = runs.some((r) => r.status === 'failed' || r.status === 'cancelled');
  const verb = cancelled ? 'Stopped' : 'Finished';
  return { level: bad ? 'warning' : 'info', message: `${verb} ${n} probe${n === 1 ? '' : 's'}: ${summary}. Results are in the Compare panel and History.` };
}
