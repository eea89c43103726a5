/**
 * The trainability map (Schoenholz et al. 2017, "Deep information propagation", Fig. 5): held-out
 * accuracy after k training steps over a grid of σ_w² × depth, one probe per cell, run by the
 * probe process pool. Trainable depth scales with the correlation depth ξ_c and so diverges at
 * the order-to-chaos line. Every cell's weights are VarianceScaling(scale=σ_w², fan_in,
 * untruncated normal) — Var(w) = σ_w²/fan_in in every hidden layer — with zero biases, as every
 * probe starts. Finished cells are cached by their full request, so a map is paid for once.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunRequest } from '../../protocol';
import type { ProbeConfig } from '../config';
import { startRuns } from '../runner';
import type { RunnerOptions } from '../runner';

export interface TrainabilityGrid {
  sigmaW2: number[];
  depths: number[];
  width: number;
  /** Everything else a probe needs (steps = k, optimizer, learning rate, data, …). */
  config: ProbeConfig;
}

export interface TrainabilityCell {
  sigmaW2: number;
  depth: number;
  /** Held-out accuracy after `config.steps` steps (null when the run diverged or failed). */
  accuracy: number | null;
  loss: number | null;
  /** Why the cell has no accuracy: a failure reason or 'diverged'. */
  error?: string;
  cached: boolean;
}

export function cellInitializer(sigmaW2: number): string {
  return `VarianceScaling(scale=${sigmaW2}, mode='fan_in', distribution='untruncated_normal')`;
}

export function cellRequest(grid: TrainabilityGrid, sigmaW2: number, depth: number): RunRequest {
  const initializer = cellInitializer(sigmaW2);
  return {
    runId: `w${sigmaW2}-d${depth}`,
    label: `σ_w²=${sigmaW2}, depth ${depth}`,
    initializer,
    // Statistics only at the start and the end: the map needs the final accuracy alone.
    config: { ...grid.config, hidden: new Array<number>(depth).fill(grid.width), every: grid.config.steps },
  };
}

/** The cache key of a cell: everything that decides its result. */
export function cellKey(request: RunRequest): string {
  const { initializer, config } = request;
  return createHash('sha256').update(JSON.stringify({ initializer, config: { ...config, backend: undefined } })).digest('hex').slice(0, 32);
}

export interface CellResult {
  accuracy: number | null;
  loss: number | null;
  error?: string;
}

/** A JSON file of finished cells; unreadable or foreign content counts as empty. */
export class TrainabilityCache {
  private entries: Record<string, CellResult> = {};

  constructor(private readonly file: string | undefined) {
    if (!file) return;
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
          const r = v as Partial<CellResult>;
          if (r && (typeof r.accuracy === 'number' || r.accuracy === null) && (typeof r.loss === 'number' || r.loss === null)) this.entries[k] = { accuracy: r.accuracy, loss: r.loss, ...(typeof r.error === 'string' ? { error: r.error } : {}) };
        }
      }
    } catch {
      // No cache yet, or a damaged one: start afresh.
    }
  }

  get(key: string): CellResult | undefined {
    return this.entries[key];
  }

  set(key: string, value: CellResult): void {
    this.entries[key] = value;
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.entries));
    renameSync(tmp, this.file);
  }
}

export interface TrainabilityOptions {
  jobs?: number;
  cache?: TrainabilityCache;
  workerPath?: string;
  onCell?: (cell: TrainabilityCell, done: number, total: number) => void;
  onLog?: RunnerOptions['onLog'];
}

export interface TrainabilityHandle {
  done: Promise<TrainabilityCell[]>;
  cancel(): Promise<void>;
}

export const TRAINABILITY_LIMITS = { maxCells: 400, maxDepth: 200, maxWidth: 1024 } as const;

export function validateGrid(grid: TrainabilityGrid): void {
  const cells = grid.sigmaW2.length * grid.depths.length;
  if (cells === 0) throw new RangeError('the trainability map needs at least one σ_w² and one depth');
  if (cells > TRAINABILITY_LIMITS.maxCells) throw new RangeError(`${cells} cells is more than the limit of ${TRAINABILITY_LIMITS.maxCells}`);
  for (const s of grid.sigmaW2) if (!(Number.isFinite(s) && s > 0 && s <= 100)) throw new RangeError(`σ_w² must be in (0, 100], got ${s}`);
  for (const d of grid.depths) if (!(Number.isInteger(d) && d >= 1 && d <= TRAINABILITY_LIMITS.maxDepth)) throw new RangeError(`depths must be whole numbers from 1 to ${TRAINABILITY_LIMITS.maxDepth}, got ${d}`);
  if (!(Number.isInteger(grid.width) && grid.width >= 1 && grid.width <= TRAINABILITY_LIMITS.maxWidth)) throw new RangeError(`width must be a whole number from 1 to ${TRAINABILITY_LIMITS.maxWidth}, got ${grid.width}`);
}

/** Runs every cell not in the cache (cached ones are reported first), `jobs` at a time. */
export function runTrainabilityMap(grid: TrainabilityGrid, options: TrainabilityOptions = {}): TrainabilityHandle {
  validateGrid(grid);
  const cells: TrainabilityCell[] = [];
  const total = grid.sigmaW2.length * grid.depths.length;
  const pending: { request: RunRequest; key: string; sigmaW2: number; depth: number }[] = [];
  for (const depth of grid.depths) {
    for (const sigmaW2 of grid.sigmaW2) {
      const request = cellRequest(grid, sigmaW2, depth);
      const key = cellKey(request);
      const hit = options.cache?.get(key);
      if (hit) {
        const cell = { sigmaW2, depth, ...hit, cached: true };
        cells.push(cell);
        options.onCell?.(cell, cells.length, total);
      } else {
        pending.push({ request, key, sigmaW2, depth });
      }
    }
  }
  const byId = new Map(pending.map((p) => [p.request.runId, p]));
  const handle = startRuns(
    pending.map((p) => p.request),
    {
      jobs: options.jobs,
      workerPath: options.workerPath,
      onLog: options.onLog,
      onEvent: (event) => {
        const p = byId.get(event.runId);
        if (!p) return;
        let result: CellResult | undefined;
        if (event.type === 'finished') {
          const { validationAccuracy, loss } = event.final;
          result = validationAccuracy === null ? { accuracy: null, loss: null, error: 'diverged' } : { accuracy: validationAccuracy, loss };
        } else if (event.type === 'failed') {
          result = { accuracy: null, loss: null, error: event.reason };
        }
        if (!result) return;
        // Failures are not cached: they may be the machine's (out of memory), not the cell's.
        if (event.type === 'finished') options.cache?.set(p.key, result);
        const cell = { sigmaW2: p.sigmaW2, depth: p.depth, ...result, cached: false };
        cells.push(cell);
        options.onCell?.(cell, cells.length, total);
      },
    },
  );
  return {
    done: handle.done.then(() => cells),
    cancel: () => handle.cancel(),
  };
}
