/**
 * Probe process entry: one run per process, so a crash or an out-of-memory in training never
 * touches the extension host or the other runs. Reads one `start` command (a JSON line) on
 * stdin and writes protocol events as JSON lines on stdout.
 */
import { createInterface } from 'node:readline';
import { parseLine, probeCommandSchema, toJsonLine } from '../protocol';
import type { ProbeEvent } from '../protocol';
import { selectBackend } from './tfjs';
import { loadData } from './data/loadData';
import { runProbe } from './train';
import { runGraphProbe } from './graph/run';
import { plannedNetwork } from './graph/shapes';
import { bundledDataPath } from './paths';
import { oneLineReason } from './errors';
import { setThreadBudget } from './kernels/threadBudget';

// The parent went away (window closed, run cancelled): nobody is listening, stop quietly.
process.stdout.on('error', () => process.exit(0));

function emit(event: ProbeEvent): void {
  process.stdout.write(toJsonLine(event) + '\n');
}

async function main(): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  const line = await new Promise<string | undefined>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(undefined));
  });
  rl.close();
  if (line === undefined) return;
  const parsed = parseLine(probeCommandSchema, line);
  if (!parsed.ok) {
    emit({ type: 'failed', runId: '?', reason: `bad start command: ${parsed.error}` });
    process.exitCode = 2;
    return;
  }
  if (parsed.value.type !== 'start') {
    emit({ type: 'failed', runId: '?', reason: `expected a start command first, got ${parsed.value.type}` });
    process.exitCode = 2;
    return;
  }
  const { request } = parsed.value;
  if (parsed.value.threads) setThreadBudget(parsed.value.threads);
  try {
    const backend = await selectBackend(request.config.backend);
    const data = loadData(request.config.data, { bundledPath: bundledDataPath() });
    // performance.now() counts from process start, so first-metric time includes start-up.
    // INITLENS_ENGINE=tfjs trains on tfjs ops instead of InitLens' kernels (`npm run bench -- --engine tfjs`).
    const engine = process.env.INITLENS_ENGINE === 'tfjs' ? 'tfjs' : 'auto';
    if (request.graph) await runGraphProbe(request, request.graph, data, backend, { emit }, 0, engine);
    else await runProbe(request, data, backend, { emit }, 0, engine);
  } catch (err) {
    // A model as written that fails before its first step (LSUV, the memory budget) still says which network it tried.
    const network = request.graph ? plannedNetwork(request.graph) : undefined;
    emit({ type: 'failed', runId: request.runId, reason: oneLineReason(err), ...(network ? { network } : {}) });
    process.exitCode = 1;
  }
}

void main();
