/** Shared set-up for engine tests: the real bundled MNIST digits and a real tfjs backend. */
import { loadData } from '../../src/probe/data/loadData';
import type { LoadedData } from '../../src/probe/data/types';
import { bundledDataPath } from '../../src/probe/paths';
import { selectBackend } from '../../src/probe/tfjs';
import type { BackendChoice } from '../../src/probe/tfjs';
import { DEFAULT_CONFIG } from '../../src/probe/config';
import type { ProbeConfig } from '../../src/probe/config';
import type { ProbeEvent, RunRequest } from '../../src/protocol';
import { runProbe } from '../../src/probe/train';
import type { RunOutcome, TrainEngine } from '../../src/probe/train';

let data: LoadedData | undefined;
let backend: BackendChoice | undefined;

export async function engine(): Promise<{ data: LoadedData; backend: BackendChoice }> {
  backend ??= await selectBackend('wasm');
  data ??= loadData('mnist', { bundledPath: bundledDataPath() });
  return { data, backend };
}

export function request(initializer: string, config: Partial<ProbeConfig> = {}, extra: Partial<RunRequest> = {}): RunRequest {
  return { runId: 'test', label: initializer, initializer, config: { ...DEFAULT_CONFIG, data: 'mnist', ...config }, ...extra };
}

/** Runs a probe in this process; `trainEngine: 'tfjs'` forces the tfjs ops instead of InitLens' kernels. */
export async function probe(req: RunRequest, trainEngine: TrainEngine = 'auto'): Promise<{ outcome: RunOutcome; events: ProbeEvent[] }> {
  const { data: d, backend: b } = await engine();
  const events: ProbeEvent[] = [];
  const outcome = await runProbe(req, d, b, { emit: (e) => events.push(e) }, performance.now(), trainEngine);
  return { outcome, events };
}

export function started(events: ProbeEvent[]): Extract<ProbeEvent, { type: 'started' }> {
  const e = events.find((x) => x.type === 'started');
  if (!e || e.type !== 'started') throw new Error('no started event');
  return e;
}

export function finished(events: ProbeEvent[]): Extract<ProbeEvent, { type: 'finished' }> {
  const e = events.find((x) => x.type === 'finished');
  if (!e || e.type !== 'finished') throw new Error('no finished event');
  return e;
}
