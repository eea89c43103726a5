/**
 * `initlens propagate <sweep|phase|jacobian|map|histograms|all>`: the Signal Propagation view's four
 * pictures from the command line (the view runs this same command in a child process for all but
 * the trainability map). Bad flags: one line on stderr, exit 2.
 */
import { activationFlag, numberFlag, parseFlags } from './cliFlags';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, DEFAULT_CONFIG, OPTIMIZERS } from './probe/config';
import { ACTIVATIONS } from './probe/initializers/spec';
import type { Activation } from './probe/initializers/spec';
import { splitInitializerList } from './probe/initializers/list';
import { parseInitializer } from './probe/initializers/parse';
import { loadData } from './probe/data/loadData';
import { bundledDataPath } from './probe/paths';
import { selectBackend } from './probe/tfjs';
import { defaultJobs } from './probe/runner';
import { jacobianJson, mapJson, phaseJson, sweepJson } from './probe/propagation/documents';
import { runTrainabilityMap, TrainabilityCache } from './probe/propagation/trainability';
import type { TrainabilityGrid } from './probe/propagation/trainability';
import type { HistogramRunsJson, PropagationDocument } from './protocol/propagation';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { runRecordSchema } from './protocol';
import { parseWith } from './protocol/parse';
import { SEED_INITIALIZER_IDS } from './protocol/vocabulary';
import { startRuns } from './probe/runner';
import { HISTOGRAM_PROBE_DEFAULTS, histogramProbeRequests, histogramProbeSource } from './probe/propagation/histogramProbes';
import { histogramRuns } from './propagation/histograms';
import { applyEvent, newDocument } from './results';

export const PROPAGATE_SUBCOMMANDS = ['sweep', 'phase', 'jacobian', 'map', 'histograms', 'all'] as const;
export type PropagateSubcommand = (typeof PROPAGATE_SUBCOMMANDS)[number];
export const MAP_SIGMA_W2 = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
export const MAP_DEPTHS = [2, 4, 8, 12, 16, 24, 32, 48];

export const PROPAGATE_USAGE = `Usage: initlens propagate <sweep|phase|jacobian|map|histograms|all> [flags]

Signal propagation at initialization (Poole et al. 2016; Schoenholz et al. 2017; Pennington et al. 2017):
  sweep     measured q_l = E[h²] and c_l (mean cosine of two digits) per layer on real digits,
            beside the mean-field recursion, forward only
  phase     χ₁ over σ_w² × σ_b², the order-to-chaos line, and where the initializers sit
  jacobian  squared singular values of the input–output Jacobian at initialization
  map       held-out accuracy after --steps steps over σ_w² × depth (one probe per cell, cached)
  histograms per hidden layer, a histogram of its activations on the probe images every --every
            steps of training, with the share near zero (fastai's "colorful dimension"): from short
            probes of the initializers, or from a Compare run saved with initlens compare --json (--from)
  all       sweep, phase and jacobian in one document

  --activation NAME  ${ACTIVATIONS.join(', ')} (default relu)
  --init LIST        initializers, comma-separated (default ${SEED_INITIALIZER_IDS.join(',')})
  --depth N          layers for sweep (default 100) and jacobian (default 50), at most 200; histograms: hidden layers (default ${HISTOGRAM_PROBE_DEFAULTS.depth}, at most 20)
  --width N          units per hidden layer (default 256; map: 64; histograms: ${HISTOGRAM_PROBE_DEFAULTS.width})
  --images N         digits the sweep averages over (default 256)
  --sigma-b2 X       σ_b² for jacobian and the exact critical point in phase (default 0.05 for phase, 0 for jacobian)
  --sigma-w2 LIST    map: σ_w² values (default ${MAP_SIGMA_W2.join(',')})
  --depths LIST      map: depths (default ${MAP_DEPTHS.join(',')})
  --steps N          map: training steps per cell; histograms: per probe (default 100)
  --every N          histograms: a histogram every N steps (default ${HISTOGRAM_PROBE_DEFAULTS.every})
  --from FILE        histograms: read them from this results file (initlens compare --json) instead of probing
  --optimizer NAME   map: adam or sgd (default sgd, lr 0.01)
  --lr X             map: learning rate
  --jobs N           map, histograms: probes in parallel (default ${defaultJobs()})
  --no-cache         map: train every cell even when cached
  --seed N           random seed (default 42)
  --data SOURCE      digits for sweep and map (default auto)
  --json             one JSON document instead of tables
  --help             this text
`;

export interface PropagateOptions {
  subcommand: PropagateSubcommand;
  activation: Activation;
  initializers: string[];
  depth: number | undefined;
  width: number | undefined;
  images: number;
  sigmaB2: number | undefined;
  sigmaW2List: number[];
  depths: number[];
  steps: number;
  every: number;
  from: string | undefined;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number | undefined;
  jobs: number;
  cache: boolean;
  seed: number;
  data: string;
  json: boolean;
}

const whole = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;

function list(name: string, text: string | undefined, fallback: number[], ok: (x: number) => boolean, rule: string): number[] {
  if (text === undefined) return fallback;
  const values = text.split(',').map((part) => numberFlag(name, part.trim(), NaN, ok, rule));
  if (values.length === 0) throw new ConfigError('cli', `--${name}: empty list`);
  return values;
}

export function parsePropagateArgs(argv: string[]): PropagateOptions | 'help' {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return 'help';
  if (!(PROPAGATE_SUBCOMMANDS as readonly string[]).includes(sub)) throw new ConfigError('cli', `propagate: unknown subcommand '${sub}' (one of ${PROPAGATE_SUBCOMMANDS.join(', ')})`);
  const v = parseFlags(rest, {
      activation: { type: 'string' },
      init: { type: 'string' },
      depth: { type: 'string' },
      width: { type: 'string' },
      images: { type: 'string' },
      'sigma-b2': { type: 'string' },
      'sigma-w2': { type: 'string' },
      depths: { type: 'string' },
      steps: { type: 'string' },
      every: { type: 'string' },
      from: { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      jobs: { type: 'string' },
      'no-cache': { type: 'boolean' },
      seed: { type: 'string' },
      data: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  const activation = activationFlag(v.activation, 'relu');
  if (v.from !== undefined && sub !== 'histograms') throw new ConfigError('cli', `--from: only propagate histograms reads a results file`);
  if (sub === 'histograms' && v.depth !== undefined) numberFlag('depth', v.depth, 0, whole(1, 20), 'a whole number from 1 to 20 for histograms');
  const optimizer = v.optimizer ?? 'sgd';
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer)) throw new ConfigError('cli', `--optimizer: unknown optimizer '${optimizer}' (adam or sgd)`);
  const initializers = v.init === undefined ? [...SEED_INITIALIZER_IDS] : splitInitializerList(v.init);
  if (initializers.length === 0) throw new ConfigError('cli', '--init: no initializer given');
  for (const text of initializers) {
    try {
      parseInitializer(text);
    } catch (err) {
      throw new ConfigError('cli', `--init: ${(err as Error).message}`);
    }
  }
  return {
    subcommand: sub as PropagateSubcommand,
    activation,
    initializers,
    depth: v.depth === undefined ? undefined : numberFlag('depth', v.depth, 0, whole(1, 200), 'a whole number from 1 to 200'),
    width: v.width === undefined ? undefined : numberFlag('width', v.width, 0, whole(1, 1024), 'a whole number from 1 to 1024'),
    images: numberFlag('images', v.images, 256, whole(2, 1024), 'a whole number from 2 to 1024'),
    sigmaB2: v['sigma-b2'] === undefined ? undefined : numberFlag('sigma-b2', v['sigma-b2'], 0, (x) => x >= 0 && x <= 10, 'from 0 to 10'),
    sigmaW2List: list('sigma-w2', v['sigma-w2'], MAP_SIGMA_W2, (x) => x > 0 && x <= 100, 'above 0 and at most 100'),
    depths: list('depths', v.depths, MAP_DEPTHS, whole(1, 200), 'whole numbers from 1 to 200'),
    steps: numberFlag('steps', v.steps, 100, whole(1, 100000), 'a whole number from 1 to 100000'),
    every: numberFlag('every', v.every, HISTOGRAM_PROBE_DEFAULTS.every, whole(1, 100000), 'a whole number from 1 to 100000'),
    from: v.from,
    optimizer: optimizer as PropagateOptions['optimizer'],
    lr: v.lr === undefined ? undefined : numberFlag('lr', v.lr, 0, (x) => x > 0 && x <= 10, 'above 0 and at most 10'),
    jobs: numberFlag('jobs', v.jobs, defaultJobs(), whole(1, 64), 'a whole number from 1 to 64'),
    cache: !(v['no-cache'] ?? false),
    seed: numberFlag('seed', v.seed, 42, whole(0, 2 ** 31 - 1), 'a whole number from 0 to 2147483647'),
    data: v.data ?? 'auto',
    json: v.json ?? false,
  };
}

const g = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined ? '—' : x !== 0 && (Math.abs(x) >= 1e4 || Math.abs(x) < 1e-2) ? x.toExponential(digits - 1) : x.toPrecision(digits));
const tableOf = (head: string[]): Table.Table => new Table({ head, style: { head: [], border: [], compact: true } });

/** The layers a table shows of a deep sweep: 1, 2, 5, 10, 20, 50, 100, 200 and the last. */
function shownLayers(depth: number): number[] {
  return [...new Set([1, 2, 5, 10, 20, 50, 100, 200, depth].filter((l) => l <= depth))];
}

export function renderPropagation(doc: PropagationDocument): string {
  const out: string[] = [];
  if (doc.sweep) {
    const s = doc.sweep;
    out.push(`Depth sweep — ${s.activation}, ${s.depth} layers of ${s.width}, at initialization on ${s.images} digits: measured q_l = E[h²] (mean-field recursion) and c_l`);
    const t = tableOf(['layer', ...s.runs.flatMap((r) => [`${r.initializer} q`, 'c'])]);
    for (const l of shownLayers(s.depth)) {
      t.push([l, ...s.runs.flatMap((r) => {
        const x = r.layers[l - 1];
        return [`${g(x.q)} (${g(x.qTheory)})`, `${g(x.c, 2)} (${g(x.cTheory, 2)})`];
      })]);
    }
    out.push(t.toString());
  }
  if (doc.phase) {
    const p = doc.phase;
    const at = p.criticalAt;
    out.push(`Phase diagram — ${p.activation}: order-to-chaos line χ₁ = 1; at σ_b² ${at.sigmaB2} the critical σ_w² is ${at.sigmaW2 === null ? 'not in [0.05, 50]' : at.sigmaW2.toFixed(4)}`);
    const line = tableOf(['σ_b²', ...p.critical.map((c) => g(c.sigmaB2, 2))]);
    line.push(['critical σ_w²', ...p.critical.map((c) => g(c.sigmaW2))]);
    out.push(line.toString());
    const t = tableOf(['initializer', 'σ_w²', 'σ_b²', 'χ₁', 'phase', 'depth scale ξ']);
    for (const i of p.initializers) t.push([i.initializer, g(i.sigmaW2), g(i.sigmaB2), g(i.chi1), i.phase, i.depthScale === null ? '∞' : g(i.depthScale)]);
    out.push(t.toString());
  }
  if (doc.jacobian) {
    const j = doc.jacobian;
    out.push(`Jacobian at initialization — ${j.activation}, ${j.depth} layers of ${j.width}, σ_b² ${j.sigmaB2}: squared singular values`);
    const t = tableOf(['initializer', 'input q', 'max', 'min', 'mean', 'variance', 'variance/mean²']);
    for (const s of j.spectra) t.push([s.initializer, g(s.inputVariance), g(s.max), g(s.min), g(s.mean), g(s.variance), s.mean > 0 ? g(s.variance / s.mean ** 2) : '—']);
    out.push(t.toString());
  }
  if (doc.map) {
    const m = doc.map;
    out.push(`Trainability map — ${m.activation}, width ${m.width}, ${m.steps} steps: held-out accuracy (${m.cells.filter((c) => c.cached).length} of ${m.cells.length} cells cached; ${m.seconds.toFixed(0)} s${m.cancelled ? ', cancelled' : ''})`);
    const t = tableOf(['depth \\ σ_w²', ...m.sigmaW2.map((w) => String(w))]);
    for (const d of m.depths) {
      t.push([d, ...m.sigmaW2.map((w) => {
        const c = m.cells.find((x) => x.depth === d && x.sigmaW2 === w);
        return !c ? '' : c.accuracy === null ? (c.error === 'diverged' ? 'diverged' : 'failed') : `${(100 * c.accuracy).toFixed(1)}%`;
      })]);
    }
    t.push(['6·ξ', ...m.depthScale.map((x) => (x === null ? '∞' : g(6 * x)))]);
    out.push(t.toString());
  }
  if (doc.histograms) {
    out.push(`Activation histograms over training — from ${doc.histograms.source}; near 0 = share of activations with |a| under 1% of the bins' largest |value|`);
    out.push(renderHistograms(doc.histograms.runs));
  }
  return out.join('\n\n');
}

const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** One character per bin, height by log(1 + count) as the view's colours: a histogram in a table cell. */
export function histogramBars(counts: readonly number[]): string {
  const top = Math.log1p(Math.max(1, ...counts));
  return counts.map((c) => (c <= 0 ? BLOCKS[0] : BLOCKS[Math.max(1, Math.round((Math.log1p(c) / top) * (BLOCKS.length - 1)))])).join('');
}

/** The steps a table shows: the first, a quarter, half way and the last. */
function shownSteps(count: number): number[] {
  return [...new Set([0, Math.floor((count - 1) / 4), Math.floor((count - 1) / 2), count - 1])].filter((k) => k >= 0);
}

function renderHistograms(runs: HistogramRunsJson): string {
  const t = tableOf(['initializer', 'layer', 'bins from … to', 'step', 'near 0', 'histogram (low → high)']);
  for (const run of runs) {
    for (const layer of run.layers) {
      for (const k of shownSteps(layer.steps.length)) {
        t.push([run.initializer, layer.name, `${g(layer.lo)} … ${g(layer.hi)}`, layer.steps[k], `${(100 * layer.nearZero[k]).toFixed(1)}%`, histogramBars(layer.counts[k])]);
      }
    }
  }
  return t.toString();
}

export function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'initlens', 'trainability.json');
}

export function mapGrid(options: PropagateOptions): TrainabilityGrid {
  const lr = options.lr ?? (options.optimizer === 'sgd' ? 0.01 : 0.001);
  return {
    sigmaW2: options.sigmaW2List,
    depths: options.depths,
    width: options.width ?? 64,
    config: { ...DEFAULT_CONFIG, activation: options.activation, steps: options.steps, optimizer: options.optimizer, lr, seed: options.seed, data: options.data },
  };
}

function progress(label: string): { update(done: number, total: number): void; stop(): void } {
  if (!process.stderr.isTTY) {
    return { update: (done, total) => process.stderr.write(`${label}: ${done}/${total}\n`), stop: () => undefined };
  }
  const bar = new SingleBar({ format: ` {bar} {value}/{total} ${label}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

export async function propagate(options: PropagateOptions): Promise<{ doc: PropagationDocument; code: number }> {
  const doc: PropagationDocument = { tool: 'initlens', kind: 'propagation', activation: options.activation };
  const sub = options.subcommand;
  if (sub === 'map') {
    const grid = mapGrid(options);
    loadData(grid.config.data, { bundledPath: bundledDataPath() });
    const bar = progress('cells');
    const start = performance.now();
    const handle = runTrainabilityMap(grid, { jobs: options.jobs, cache: options.cache ? new TrainabilityCache(cacheFile()) : undefined, onCell: (_c, done, total) => bar.update(done, total) });
    let interrupted = false;
    const onSigint = (): void => {
      interrupted = true;
      void handle.cancel();
    };
    process.once('SIGINT', onSigint);
    const cells = await handle.done;
    process.off('SIGINT', onSigint);
    bar.stop();
    doc.map = mapJson(grid, cells, (performance.now() - start) / 1000, interrupted);
    return { doc, code: interrupted ? 130 : 0 };
  }
  if (sub === 'histograms') {
    doc.histograms = options.from === undefined ? await probeHistograms(options) : histogramsFromFile(options.from);
    const failed = doc.histograms.runs.length < (options.from === undefined ? options.initializers.length : 1);
    return { doc, code: failed ? 1 : 0 };
  }
  if (sub === 'phase' || sub === 'all') {
    doc.phase = phaseJson({ activation: options.activation, initializers: options.initializers, width: options.width ?? 256, sigmaB2: options.sigmaB2 ?? 0.05 });
  }
  if (sub === 'sweep' || sub === 'jacobian' || sub === 'all') await selectBackend('auto');
  if (sub === 'sweep' || sub === 'all') {
    const data = loadData(options.data, { bundledPath: bundledDataPath() });
    const bar = progress('sweeps');
    doc.sweep = sweepJson({ activation: options.activation, initializers: options.initializers, depth: options.depth ?? 100, width: options.width ?? 256, images: options.images, seed: options.seed }, data.train, (d, t) => bar.update(d, t));
    bar.stop();
  }
  if (sub === 'jacobian' || sub === 'all') {
    const bar = progress('spectra');
    doc.jacobian = jacobianJson({ activation: options.activation, initializers: options.initializers, depth: options.depth === undefined ? 50 : Math.min(options.depth, 200), width: options.width ?? 256, sigmaB2: options.sigmaB2 ?? 0, seed: options.seed }, (d, t) => bar.update(d, t));
    bar.stop();
  }
  return { doc, code: 0 };
}

/** A results file as `initlens compare --json` writes it: only what the histograms need is checked. */
const resultsFileSchema = z.object({ tool: z.literal('initlens'), runs: z.array(runRecordSchema) });

function histogramsFromFile(file: string): NonNullable<PropagationDocument['histograms']> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError('cli', `--from ${file}: ${e.code === 'ENOENT' ? 'no such file' : e instanceof SyntaxError ? `not JSON (${e.message})` : e.message}`);
  }
  const parsed = parseWith(resultsFileSchema, raw);
  if (!parsed.ok) throw new ConfigError('cli', `--from ${file}: not an InitLens results document (${parsed.error})`);
  const runs = histogramRuns(parsed.value);
  if (runs.length === 0) throw new ConfigError('cli', `--from ${file}: its runs recorded no activation histograms (dense networks on InitLens' engine record them on measured steps)`);
  return { source: file, runs };
}

async function probeHistograms(options: PropagateOptions): Promise<NonNullable<PropagationDocument['histograms']>> {
  const probe = {
    activation: options.activation,
    initializers: options.initializers,
    depth: options.depth ?? HISTOGRAM_PROBE_DEFAULTS.depth,
    width: options.width ?? HISTOGRAM_PROBE_DEFAULTS.width,
    steps: options.steps,
    every: options.every,
    seed: options.seed,
    data: options.data,
  };
  const requests = histogramProbeRequests(probe);
  const data = loadData(options.data, { bundledPath: bundledDataPath() });
  if (requests[0].config.batch > data.train.count) throw new ConfigError('batch', `the ${data.train.count} training images are fewer than one batch`);
  const results = newDocument(requests);
  const bar = progress('probes');
  let done = 0;
  const failures: string[] = [];
  const handle = startRuns(requests, {
    jobs: options.jobs,
    onEvent: (event) => {
      const run = applyEvent(results, event);
      if (event.type === 'failed') failures.push(`${run?.initializer ?? event.runId}: ${event.reason}`);
      if (event.type === 'finished' || event.type === 'failed') bar.update(++done, requests.length);
    },
  });
  const onSigint = (): void => void handle.cancel();
  process.once('SIGINT', onSigint);
  await handle.done;
  process.off('SIGINT', onSigint);
  bar.stop();
  for (const f of failures) process.stderr.write(`initlens: probe failed: ${f}\n`);
  return { source: histogramProbeSource(probe), runs: histogramRuns(results) };
}
