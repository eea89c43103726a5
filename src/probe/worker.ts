/**
 * Probe process entry: runs probes one after another, so a crash or an out-of-memory in training
 * never touches the extension host or the runs in other processes, and a comparison pays node's
 * start, the bundle, the wasm backend and the digits once per process rather than once per run.
 * Reads commands (JSON lines) on stdin: `start` runs a probe (queued while one goes), `threads`
 * changes the thread budget at once. Writes protocol events as JSON lines on stdout. Ends when
 * stdin closes, or after a run that failed (the runner never gives such a process another run).
 */
import { createInterface } from 'node:readline';
import { parseLine, probeCommandSchema, toJsonLine } from '../protocol';
import type { ProbeEvent, RunRequest } from '../protocol';
import type { BackendRequest } from './config';
import { selectBackend } from './tfjs';
import type { BackendChoice } from './tfjs';
import { loadData, resolveDataSource } from './data/loadData';
import type { LoadedData } from './data/types';
import { runProbe } from './train';
import { runGraphProbe } from './graph/run';
import { plannedNetwork } from './graph/shapes';
import { bundledDataPath } from './paths';
import { oneLineReason } from './errors';
import { onThreadBudget, setThreadBudget, threadBudget } from './kernels/threadBudget';

// The parent went away (window closed, run cancelled): nobody is listening, stop quietly.
process.stdout.on('error', () => process.exit(0));

function emit(event: ProbeEvent): void {
  process.stdout.write(toJsonLine(event) + '\n');
}

interface StartCommand {
  request: RunRequest;
  threads: number;
  /** performance.now() when the line arrived: a reused process' runs count their first-metric time from here. */
  receivedAt: number;
}

/**
 * The last data set loaded, kept for the next run: a comparison's runs share one source. Keyed
 * by the resolved source, so another `config.data` (or `auto` finding a new Keras cache) loads
 * that one instead; one set at a time, since full MNIST is ~50 MB.
 */
let lastData: { key: string; data: LoadedData } | undefined;
function dataFor(spec: string): LoadedData {
  const source = resolveDataSource(spec);
  const key = `${source.kind}:${source.path}`;
  if (lastData?.key !== key) lastData = { key, data: loadData(spec, { bundledPath: bundledDataPath() }) };
  return lastData.data;
}

/** The backend chosen for the previous run, reused when the next asks for the same (the runner only reuses a process for the same request). */
let lastBackend: { request: BackendRequest; choice: BackendChoice } | undefined;
async function backendFor(request: BackendRequest): Promise<BackendChoice> {
  if (lastBackend?.request !== request) lastBackend = { request, choice: await selectBackend(request) };
  return lastBackend.choice;
}

/** Runs one probe; false when it failed (this process then ends). */
async function runOne({ request, threads }: StartCommand, startedAt: number): Promise<boolean> {
  setThreadBudget(threads);
  // The most threads this run was allowed, reported in its timing (the runner's share can grow mid-run).
  let mostThreads = threadBudget();
  const stop = onThreadBudget((n) => (mostThreads = Math.max(mostThreads, n)));
  const sink = {
    emit: (event: ProbeEvent): void => emit(event.type === 'finished' ? { ...event, timing: { ...event.timing, threads: mostThreads } } : event),
  };
  try {
    const backend = await backendFor(request.config.backend);
    const data = dataFor(request.config.data);
    // INITLENS_ENGINE=tfjs trains on tfjs ops instead of InitLens' kernels (`npm run bench -- --engine tfjs`).
    const engine = process.env.INITLENS_ENGINE === 'tfjs' ? 'tfjs' : 'auto';
    if (request.graph) await runGraphProbe(request, request.graph, data, backend, sink, startedAt, engine);
    else await runProbe(request, data, backend, sink, startedAt, engine);
    return true;
  } catch (err) {
    // A model as written that fails before its first step (LSUV, the memory budget) still says which network it tried.
    const network = request.graph ? plannedNetwork(request.graph) : undefined;
    emit({ type: 'failed', runId: request.runId, reason: oneLineReason(err), ...(network ? { network } : {}) });
    return false;
  } finally {
    stop();
  }
}

async function main(): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  const pending: StartCommand[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const next = async (): Promise<StartCommand | undefined> => {
    while (pending.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
    return pending.shift();
  };
  rl.on('line', (line) => {
    const parsed = parseLine(probeCommandSchema, line);
    if (!parsed.ok) {
      // The other side is not the runner this process was built for: stop rather than guess.
      emit({ type: 'failed', runId: '?', reason: `bad command: ${parsed.error}` });
      process.exit(2);
    }
    const command = parsed.value;
    // Applied at once, also while a run goes: the runner hands idle cores to the runs still going.
    if (command.type === 'threads') setThreadBudget(command.count);
    else pending.push({ request: command.request, threads: command.threads ?? 1, receivedAt: performance.now() });
    wake?.();
  });
  rl.on('close', () => {
    closed = true;
    wake?.();
  });
  for (let first = true; ; first = false) {
    const command = await next();
    if (!command) return;
    // performance.now() counts from process start: a fresh process' first run includes its
    // start-up in the first-metric time; a reused process' runs count from their start line.
    if (!(await runOne(command, first ? 0 : command.receivedAt))) {
      process.exitCode = 1;
      rl.close();
      process.stdin.destroy();
      return;
    }
  }
}

void main();
