/**
 * Runs probes in child processes, several at a time, and merges their event streams. Used by the
 * CLI and the extension alike. A process that crashes, runs out of memory or is killed turns
 * into a `failed` event for its run; the other runs go on.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
import { delimiter } from 'node:path';
import { parseLine, probeEventSchema, toJsonLine } from '../protocol';
import type { ProbeEvent, RunRequest } from '../protocol';
import { bundledDataPath, probeWorkerPath, pythonHelperDir } from './paths';
import { PytorchBridge } from './pytorch/bridge';
import { parseInitializer } from './initializers/parse';

export interface RunnerOptions {
  jobs?: number;
  workerPath?: string;
  /** Extra V8 flags for probe processes (e.g. a heap limit in tests). */
  execArgv?: string[];
  onEvent: (event: ProbeEvent) => void;
  /** Lines the runner dropped (malformed events) or a process printed on stderr. */
  onLog?: (line: string) => void;
  /** How PyTorch runs (requests with `pytorch`) are started; a function is asked at each launch (queued runs). */
  pytorch?: PytorchOptions | (() => PytorchOptions | undefined);
}

export interface PytorchOptions {
  /** The interpreter that has torch (see src/host/python*.ts for how it is found). */
  python: string;
  /** A run still going after this long is ended with its process tree (0 = never). */
  timeoutSeconds: number;
  device: 'auto' | 'cpu' | 'cuda';
  /** Defaults to the bundled digits. */
  dataPath?: string;
}

export const DEFAULT_PYTORCH_TIMEOUT_SECONDS = 600;

export interface RunnerHandle {
  /** Resolves when every run has finished, failed or been cancelled. */
  done: Promise<void>;
  /** Kills every probe process and drops queued runs; resolves once all processes have exited. */
  cancel(): Promise<void>;
  /** Adds runs to the queue of a live runner. */
  enqueue(requests: readonly RunRequest[]): void;
  readonly running: number;
  /** Process id of each live run (tests, diagnostics). */
  processIds(): Record<string, number | undefined>;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** The start line for python/initlens_probe: the request plus where the model and data are. */
function pytorchStart(request: RunRequest, torch: PytorchOptions): unknown {
  const model = request.pytorch!;
  return {
    type: 'start',
    request,
    model: { file: model.file, name: model.name, args: model.args },
    // The host parses (one parser for every dialect); Python only draws from the spec.
    spec: model.reinitialize ? parseInitializer(request.initializer).spec : null,
    dataPath: torch.dataPath ?? bundledDataPath(),
    device: torch.device,
  };
}

/** SIGKILL to the child's process group (it was started detached), or to the child alone. */
export function killTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

const OUT_OF_MEMORY = /heap out of memory|Allocation failed|out of memory/i;

function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string[], outOfMemory: boolean): string {
  const tail = stderrTail.join(' ');
  if (outOfMemory) return 'the probe process ran out of memory';
  if (signal) return `the probe process was killed (${signal})`;
  return `the probe process exited with code ${code}${tail ? `: ${tail.slice(-200)}` : ''}`;
}

export function startRuns(requests: readonly RunRequest[], options: RunnerOptions): RunnerHandle {
  const jobs = Math.max(1, options.jobs ?? defaultJobs());
  const queue: RunRequest[] = [...requests];
  const live = new Map<string, ChildProcess>();
  const exited = new Set<Promise<void>>();
  let cancelled = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const settle = (): void => {
    if (live.size === 0 && (queue.length === 0 || cancelled)) resolveDone();
  };

  const launch = (request: RunRequest): void => {
    const configured = typeof options.pytorch === 'function' ? options.pytorch() : options.pytorch;
    const torch = request.pytorch ? (configured ?? { python: 'python3', timeoutSeconds: DEFAULT_PYTORCH_TIMEOUT_SECONDS, device: 'auto' as const }) : undefined;
    const child = torch
      ? spawn(torch.python, ['-m', 'initlens_probe'], {
          env: { ...process.env, PYTHONPATH: [pythonHelperDir(), process.env.PYTHONPATH].filter(Boolean).join(delimiter), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
          stdio: ['pipe', 'pipe', 'pipe'],
          // Its own process group, so Stop and the timeout end whatever the user's code started too.
          detached: process.platform !== 'win32',
        })
      : spawn(process.execPath, [...(options.execArgv ?? []), options.workerPath ?? probeWorkerPath()], {
          // Inside VS Code process.execPath is Electron; this makes it behave as plain Node.
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
          stdio: ['pipe', 'pipe', 'pipe'],
        });
    const bridge = torch ? new PytorchBridge() : undefined;
    let timer: NodeJS.Timeout | undefined;
    if (torch && torch.timeoutSeconds > 0) {
      timer = setTimeout(() => {
        if (ended) return;
        forward({ type: 'failed', runId: request.runId, reason: `timed out after ${torch.timeoutSeconds} s (initlens.pytorch.timeoutSeconds); the model's process was ended` });
        killTree(child);
      }, torch.timeoutSeconds * 1000);
    }
    live.set(request.runId, child);
    let ended = false;
    const stderrTail: string[] = [];
    // V8's out-of-memory line comes before a native stack trace that can be longer than the tail.
    let outOfMemory = false;
    const forward = (event: ProbeEvent): void => {
      if (ended) return;
      if (event.type === 'finished' || event.type === 'failed') ended = true;
      if (event.type === 'failed' && event.traceback) options.onLog?.(`[${request.runId}] ${event.traceback.trimEnd()}`);
      options.onEvent(event);
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = parseLine(probeEventSchema, line);
      if (!parsed.ok) {
        options.onLog?.(`[${request.runId}] dropped malformed event: ${parsed.error}`);
        return;
      }
      if (parsed.value.runId !== request.runId) {
        options.onLog?.(`[${request.runId}] dropped event for another run (${parsed.value.runId})`);
        return;
      }
      if (bridge) for (const e of bridge.translate(parsed.value)) forward(e);
      else forward(parsed.value);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (OUT_OF_MEMORY.test(line)) outOfMemory = true;
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      options.onLog?.(`[${request.runId}] ${line}`);
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(toJsonLine(torch ? pytorchStart(request, torch) : { type: 'start', request }) + '\n');
    const exit = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        if (!ended && !cancelled) forward({ type: 'failed', runId: request.runId, reason: `could not start the probe process: ${err.message}` });
        ended = true;
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        // The user's code may have left children behind (data loader workers): end the group.
        if (torch) killTree(child);
        live.delete(request.runId);
        exited.delete(exit);
        if (!ended && !cancelled) forward({ type: 'failed', runId: request.runId, reason: describeExit(code, signal, stderrTail, outOfMemory) });
        resolve();
        pump();
        settle();
      });
    });
    exited.add(exit);
  };

  const pump = (): void => {
    while (!cancelled && live.size < jobs && queue.length > 0) launch(queue.shift()!);
  };

  pump();
  settle();
  return {
    done,
    get running() {
      return live.size;
    },
    processIds() {
      return Object.fromEntries([...live].map(([id, child]) => [id, child.pid]));
    },
    enqueue(more) {
      if (cancelled) return;
      queue.push(...more);
      pump();
    },
    async cancel() {
      cancelled = true;
      queue.length = 0;
      const waits = [...exited];
      for (const child of live.values()) killTree(child);
      await Promise.all(waits);
      settle();
    },
  };
}
