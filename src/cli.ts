#!/usr/bin/env node
/**
 * `initlens compare`: the headless front end over the same engine the extension drives.
 * Bad input exits 2 with one line on stderr; a failed run exits 1; Ctrl-C prints what was
 * measured so far and exits 130.
 */
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { MultiBar, Presets } from 'cli-progress';
import { DEFAULT_CONFIG, ConfigError, parseHidden, validateConfig, BACKENDS } from './probe/config';
import type { ProbeConfig } from './probe/config';
import { ACTIVATIONS } from './probe/initializers/spec';
import { parseInitializer } from './probe/initializers/parse';
import { loadData } from './probe/data/loadData';
import { bundledDataPath } from './probe/paths';
import { defaultJobs, startRuns } from './probe/runner';
import { applyEvent, markCancelled, newDocument } from './results';
import type { ResultsDocument, RunRecord } from './results';
import type { RunRequest, SeedSummary } from './protocol';
import { summarizeSeeds } from './probe/seedSummary';
import { formatNumber, formatPercent } from './view/number';
import { loadNote } from './notes';
import { oneLineReason } from './probe/errors';
import { splitInitializerList } from './probe/initializers/list';
import { parseTheoryArgs, renderTheory, theoryDocument, THEORY_USAGE } from './cliTheory';
import { parsePropagateArgs, propagate, PROPAGATE_USAGE, renderPropagation } from './cliPropagate';

export const SEED_INITIALIZERS = ['zeros', 'random_normal', 'glorot_normal', 'he_normal'];

const USAGE = `Usage: initlens compare [flags]
       initlens theory [flags]   (mean-field signal propagation, no training: initlens theory --help)
       initlens propagate <sweep|phase|jacobian|map|all> [flags]   (depth sweeps, phase diagram, Jacobian spectra, trainability map: initlens propagate --help)

Trains one short probe per initializer on MNIST and measures every layer.

  --init LIST        initializers, comma-separated (default: ${SEED_INITIALIZERS.join(',')})
                     any form InitLens reads: he_normal, 'GlorotUniform', RandomNormal(stddev=0.1),
                     heNormal, kaiming_normal_(w, nonlinearity='relu'), ...
  --hidden SPEC      hidden layers: 128, 256x8, 512,256,128 (default 128)
  --activation NAME  ${ACTIVATIONS.join(', ')} (default relu)
  --optimizer NAME   adam or sgd (sgd uses momentum 0.9) (default adam)
  --lr NUMBER        learning rate (default 0.001)
  --batch N          batch size (default 32)
  --steps N          training steps (default 300)
  --every N          statistics every N steps (default 10)
  --seed N           random seed (default 42)
  --data SOURCE      mnist (bundled 10k digits), auto (Keras cache if present, else bundled),
                     a .npz file, or a folder of IDX files (default auto)
  --backend NAME     ${BACKENDS.join(', ')} (default auto)
  --seeds N          seeds per initializer (seed, seed+1, …): mean and 95% interval (default 1)
  --jobs N           probes in parallel (default: number of cores, ${defaultJobs()})
  --json             print one JSON document on stdout instead of the table
  --help             this text
`;

function numberFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new ConfigError('cli', `--${name}: '${text}' is not a number`);
  return value;
}

export interface CompareOptions {
  requests: RunRequest[];
  jobs: number;
  json: boolean;
  /** Seeds per initializer. */
  seeds: number;
}

/** Most seeds per initializer: beyond this the interval narrows slowly and the time grows linearly. */
export const MAX_SEEDS = 20;

/** One request per initializer and seed; the runs of all seeds share one process pool. */
export function seedRequests(inits: readonly { text: string }[], config: ProbeConfig, seeds: number): RunRequest[] {
  return inits.flatMap(({ text }, i) =>
    Array.from({ length: seeds }, (_, k) => ({ runId: seeds === 1 ? `run${i + 1}` : `run${i + 1}s${k + 1}`, label: text, initializer: text, config: { ...config, seed: config.seed + k } })),
  );
}

export function parseCompareArgs(argv: string[]): CompareOptions | 'help' {
  // `--hidden -5` is a value, not a flag: parseArgs calls it ambiguous, the user meant a number.
  const args = argv.flatMap((a, i) => (i > 0 && /^--[a-z]+$/.test(argv[i - 1]) && /^-\d/.test(a) ? [] : [/^--[a-z]+$/.test(a) && /^-\d/.test(argv[i + 1] ?? '') ? `${a}=${argv[i + 1]}` : a]));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        init: { type: 'string' },
        hidden: { type: 'string' },
        activation: { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        batch: { type: 'string' },
        steps: { type: 'string' },
        every: { type: 'string' },
        seed: { type: 'string' },
        data: { type: 'string' },
        backend: { type: 'string' },
        jobs: { type: 'string' },
        seeds: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ConfigError('cli', (err as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const activation = v.activation ?? DEFAULT_CONFIG.activation;
  const config: ProbeConfig = {
    ...DEFAULT_CONFIG,
    hidden: v.hidden === undefined ? DEFAULT_CONFIG.hidden : parseHidden(v.hidden),
    activation: activation as ProbeConfig['activation'],
    optimizer: (v.optimizer ?? DEFAULT_CONFIG.optimizer) as ProbeConfig['optimizer'],
    lr: numberFlag('lr', v.lr, DEFAULT_CONFIG.lr),
    momentum: numberFlag('momentum', v.momentum, DEFAULT_CONFIG.momentum),
    batch: numberFlag('batch', v.batch, DEFAULT_CONFIG.batch),
    steps: numberFlag('steps', v.steps, DEFAULT_CONFIG.steps),
    every: numberFlag('every', v.every, DEFAULT_CONFIG.every),
    seed: numberFlag('seed', v.seed, DEFAULT_CONFIG.seed),
    data: v.data ?? DEFAULT_CONFIG.data,
    backend: (v.backend ?? DEFAULT_CONFIG.backend) as ProbeConfig['backend'],
  };
  validateConfig(config);
  const jobs = numberFlag('jobs', v.jobs, defaultJobs());
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new ConfigError('cli', `--jobs must be a whole number from 1 to 64, got ${v.jobs}`);
  const inits = v.init === undefined ? SEED_INITIALIZERS : splitInitializerList(v.init);
  if (inits.length === 0) throw new ConfigError('cli', '--init: no initializer given');
  const seeds = numberFlag('seeds', v.seeds, 1);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SEEDS) throw new ConfigError('cli', `--seeds must be a whole number from 1 to ${MAX_SEEDS}, got ${v.seeds}`);
  for (const text of inits) {
    try {
      parseInitializer(text);
    } catch (err) {
      throw new ConfigError('cli', `--init: ${(err as Error).message}`);
    }
  }
  const requests = seedRequests(
    inits.map((text) => ({ text })),
    config,
    seeds,
  );
  return { requests, jobs, json: v.json ?? false, seeds };
}

const fmtAcc = formatPercent;
const fmtNum = formatNumber;

/** Per-layer values in one cell, shortened for deep stacks (first three … last). */
function perLayer(values: (number | null)[]): string {
  const cells = values.map(fmtNum);
  return cells.length <= 5 ? cells.join(' · ') : [...cells.slice(0, 3), '…', cells[cells.length - 1]].join(' · ');
}

export function renderTable(doc: ResultsDocument): string {
  const table = new Table({
    head: ['initializer', 'held-out acc', 'loss', 'activation variance @0 (per layer)', 'grad norm @0 (per layer)', 'samples/s', 'flags'],
    style: { head: [], border: [] },
  });
  for (const run of doc.runs) {
    const s0 = run.steps[0];
    table.push([
      run.initializer,
      run.status === 'failed' ? 'failed' : run.status === 'cancelled' ? `${fmtAcc(run.steps.at(-1)?.validationAccuracy)} (cancelled)` : fmtAcc(run.final?.validationAccuracy),
      fmtNum(run.final?.loss ?? run.steps.at(-1)?.loss),
      s0 ? perLayer(s0.layers.map((l) => l.activationVariance)) : '—',
      s0 ? perLayer(s0.layers.map((l) => l.gradNorm)) : '—',
      run.timing ? run.timing.samplesPerSecond.toFixed(0) : '—',
      run.flags.length ? [...new Set(run.flags.map((f) => f.kind))].join(', ') : run.status === 'failed' ? '' : 'none',
    ]);
  }
  return table.toString();
}

const fmtPct = (x: number | null): string => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);

/** mean [low, high] — the 95% Student-t interval over the seeds. */
function intervalCell(i: SeedSummary['validationAccuracy'], format: (x: number | null) => string): string {
  if (i.mean === null) return '—';
  return i.low === null || i.high === null ? format(i.mean) : `${format(i.mean)} [${format(i.low)}, ${format(i.high)}]`;
}

/** One row per initializer over its seeds (--seeds N > 1). */
export function renderSummaryTable(summary: readonly SeedSummary[]): string {
  const table = new Table({ head: ['initializer', 'seeds', 'held-out acc, mean [95% CI]', 'loss, mean [95% CI]', 'flags (seeds fired / seeds)'], style: { head: [], border: [] } });
  for (const s of summary) {
    const kinds = new Map<string, number>();
    for (const f of s.flags) kinds.set(f.kind, Math.max(kinds.get(f.kind) ?? 0, f.seeds));
    table.push([
      s.initializer,
      s.finished === s.seeds ? String(s.seeds) : `${s.finished} of ${s.seeds} finished`,
      intervalCell(s.validationAccuracy, fmtPct),
      intervalCell(s.loss, (x) => (x === null ? '—' : formatNumber(x))),
      kinds.size ? [...kinds].map(([k, n]) => `${k} ${n}/${s.seeds}`).join(', ') : 'none',
    ]);
  }
  return table.toString();
}

/** One line per initializer and flag kind over the seeds: in how many it fired, and where. */
export function renderSeedFlagLines(doc: ResultsDocument, summary: readonly SeedSummary[]): string[] {
  const lines: string[] = [];
  for (const s of summary) {
    const runs = doc.runs.filter((r) => r.initializer === s.initializer);
    for (const kind of [...new Set(s.flags.map((f) => f.kind))]) {
      const first = runs.flatMap((r) => r.flags).find((f) => f.kind === kind);
      if (!first) continue;
      const layers = s.flags.filter((f) => f.kind === kind);
      const name = (layer: number): string => (layer === 0 ? 'network' : (runs[0]?.layers[layer - 1]?.name ?? `layer ${layer}`));
      const where = layers.map((f) => `${name(f.layer)} ${f.seeds}/${s.seeds}`).join(', ');
      lines.push(`${s.initializer}: ${kind} in ${Math.max(...layers.map((f) => f.seeds))} of ${s.seeds} seeds (${where}) — e.g. ${first.evidence}. [note: ${first.note}]`);
    }
  }
  return lines;
}

/** One line per run and flag kind: the first occurrence's evidence, and every layer it hit. */
export function renderFlagLines(doc: ResultsDocument): string[] {
  const lines: string[] = [];
  for (const run of doc.runs) {
    if (run.error) lines.push(`${run.initializer}: run failed — ${run.error}`);
    const kinds = [...new Set(run.flags.map((f) => f.kind))];
    for (const kind of kinds) {
      const flags = run.flags.filter((f) => f.kind === kind);
      const first = flags[0];
      const name = (layer: number): string => (layer === 0 ? 'network' : (run.layers[layer - 1]?.name ?? `layer ${layer}`));
      const layers = [...new Set(flags.map((f) => f.layer))].sort((a, b) => a - b);
      const where = layers.length > 1 ? `${layers.map(name).join(', ')} (${layers.length} layers)` : name(first.layer);
      const note = loadNote(first.note);
      lines.push(`${run.initializer}: ${kind} at ${where}, first at step ${first.step} — ${first.evidence}.${note?.summary ? ` ${note.summary}` : ''} [note: ${first.note}]`);
    }
  }
  return lines;
}

function header(doc: ResultsDocument, options: CompareOptions): string {
  const c = options.requests[0].config;
  const run = doc.runs.find((r) => r.backendReason);
  return [
    `InitLens compare — 784 → ${c.hidden.join(' → ')} → 10 (${c.activation}), ${c.optimizer} lr ${c.lr}, batch ${c.batch}, ${c.steps} steps, stats every ${c.every}, seed ${c.seed}${options.seeds > 1 ? `…${c.seed + options.seeds - 1} (${options.seeds} seeds)` : ''}`,
    `data: ${doc.data?.description ?? c.data}; backend: ${doc.backend ?? '?'}${run?.backendReason ? ` (${run.backendReason})` : ''}`,
  ].join('\n');
}

export async function compare(options: CompareOptions): Promise<number> {
  // Validate the data once here so a bad file is one line, not one failure per run.
  const data = loadData(options.requests[0].config.data, { bundledPath: bundledDataPath() });
  if (options.requests[0].config.batch > data.train.count) {
    throw new ConfigError('batch', `--batch ${options.requests[0].config.batch} is larger than the ${data.train.count} training images`);
  }
  const doc = newDocument(options.requests);
  const bars = new MultiBar({ format: ' {bar} {percentage}% | {label} | step {value}/{total} {status}', hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  const barFor = new Map(options.requests.map((r) => [r.runId, bars.create(r.config.steps, 0, { label: r.label.padEnd(14), status: '' })]));
  const handle = startRuns(options.requests, {
    jobs: options.jobs,
    onEvent: (event) => {
      const run = applyEvent(doc, event);
      const bar = barFor.get(event.runId);
      if (!run || !bar) return;
      if (event.type === 'step') bar.update(event.metrics.step, { status: run.flags.length ? `flags: ${run.flags.map((f) => f.kind).join(',')}` : '' });
      if (event.type === 'finished') bar.update(run.final?.steps ?? 0, { status: 'done' });
      if (event.type === 'failed') bar.update(0, { status: 'failed' });
    },
    onLog: process.env.INITLENS_DEBUG ? (line) => process.stderr.write(line + '\n') : undefined,
  });
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    void handle.cancel();
  };
  process.once('SIGINT', onSigint);
  await handle.done;
  process.off('SIGINT', onSigint);
  bars.stop();
  if (interrupted) markCancelled(doc);
  doc.summary = summarizeSeeds(doc.runs);
  if (options.json) {
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  } else if (options.seeds > 1) {
    process.stdout.write(`${header(doc, options)}\n${renderSummaryTable(doc.summary)}\n`);
    const lines = renderSeedFlagLines(doc, doc.summary);
    if (lines.length) process.stdout.write(`\n${lines.join('\n')}\n`);
  } else {
    process.stdout.write(`${header(doc, options)}\n${renderTable(doc)}\n`);
    const lines = renderFlagLines(doc);
    if (lines.length) process.stdout.write(`\n${lines.join('\n')}\n`);
  }
  if (interrupted) return 130;
  return doc.runs.some((r: RunRecord) => r.status === 'failed') ? 1 : 0;
}

function theory(argv: string[]): number {
  try {
    const options = parseTheoryArgs(argv);
    if (options === 'help') {
      process.stdout.write(THEORY_USAGE);
      return 0;
    }
    const doc = theoryDocument(options);
    process.stdout.write(options.json ? JSON.stringify(doc, null, 2) + '\n' : renderTheory(doc) + '\n');
    return 0;
  } catch (err) {
    process.stderr.write(`initlens: ${oneLineReason(err)}\n`);
    return 2;
  }
}

async function propagateCommand(argv: string[]): Promise<number> {
  try {
    const options = parsePropagateArgs(argv);
    if (options === 'help') {
      process.stdout.write(PROPAGATE_USAGE);
      return 0;
    }
    const { doc, code } = await propagate(options);
    process.stdout.write(options.json ? JSON.stringify(doc) + '\n' : renderPropagation(doc) + '\n');
    return code;
  } catch (err) {
    process.stderr.write(`initlens: ${oneLineReason(err)}\n`);
    return 2;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'theory') return theory(rest);
  if (command === 'propagate') return propagateCommand(rest);
  if (command !== 'compare') {
    process.stderr.write(`initlens: unknown command '${command}'; try 'initlens compare --help'\n`);
    return 2;
  }
  let options: CompareOptions | 'help';
  try {
    options = parseCompareArgs(rest);
  } catch (err) {
    process.stderr.write(`initlens: ${oneLineReason(err)}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    return await compare(options);
  } catch (err) {
    process.stderr.write(`initlens: ${oneLineReason(err)}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
