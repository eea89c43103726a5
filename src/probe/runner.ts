/**
 * Runs probes in child processes, several at a time, and merges their event streams. Used by the
 * CLI and the extension alike. A node probe process runs runs one after another (a pool of at
 * most `jobs` processes, like PyTorch's multiprocessing.Pool), so node's start, the bundle, the
 * wasm backend and the digits are paid once per process, not once per run; a PyTorch run keeps a
 * process of its own (the user's code, in its own process group). A process that crashes, runs
 * out of memory or is killed turns into a `failed` event for the run it was on; the other runs go
 * on, and a process that failed or misbehaved never gets another run.
 *
 * Idle cores: the jobs are also the thread budget. Each PyTorch process holds one; the node
 * probes still running share the rest (jobs 2 with one run left: it gets 2), told on `start` and
 * by `threads` commands when the share changes.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { availableParallelism } from 'node:os';
import { delimiter } from 'node:path';
import { MAX_PROBE_THREADS, parseLine, probeEventSchema, toJsonLine } from '../protocol';
import type { BackendRequest, ProbeCommand, ProbeEvent, RunRequest } from '../protocol';
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
  /** Probe processes alive (running a run, or about to exit). */
  readonly running: number;
  /** Process id of each run in progress (tests, diagnostics). */
  processIds(): Record<string, number | undefined>;
  /** Threads each node run in progress may use now (its share of the jobs; tests, diagnostics). */
  threadBudgets(): Record<string, number>;
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

/** One run on a probe process. */
interface RunState {
  readonly request: RunRequest;
  /** `finished` or `failed` passed on: nothing more of this run is. */
  ended: boolean;
  /** Node probes: the start line goes out with the run's first thread share. */
  startSent: boolean;
  timer?: NodeJS.Timeout;
}

/** A probe process of the pool (node) or of one PyTorch run. */
interface ProbeProcess {
  readonly child: ChildProcess;
  readonly torch?: PytorchOptions;
  readonly bridge?: PytorchBridge;
  /** The run it is on; undefined while idle. */
  run?: RunState;
  /** Node probes take runs of one backend request: switching tfjs backends mid-process is not worth the risk. */
  backend: BackendRequest;
  /** False once a run failed or the process sent what it should not: it gets no next run. */
  reusable: boolean;
  /** Told to go (stdin ended, or killed). */
  retiring: boolean;
  /** Gone ('close'): its pid may belong to another process now, so it is never signalled again. */
  exited: boolean;
  /** Threads its current run was last told it may use. */
  threads: number;
  stderrTail: string[];
  /** V8's out-of-memory line comes before a native stack trace that can be longer than the tail. */
  outOfMemory: boolean;
}

export function startRuns(requests: readonly RunRequest[], options: RunnerOptions): RunnerHandle {
  const jobs = Math.max(1, options.jobs ?? defaultJobs());
  const queue: RunRequest[] = [...requests];
  // Insertion order = launch order: the older processes get a share's remainder first.
  const processes = new Set<ProbeProcess>();
  const exited = new Set<Promise<void>>();
  let cancelled = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const settle = (): void => {
    if (processes.size === 0 && (queue.length === 0 || cancelled)) resolveDone();
  };

  const tag = (p: ProbeProcess): string => `[${p.run?.request.runId ?? `probe process ${p.child.pid}`}]`;

  const send = (p: ProbeProcess, command: ProbeCommand): void => {
    p.child.stdin!.write(toJsonLine(command) + '\n');
  };

  /** Ends a process: stdin closed (it exits when its queue is empty), and killed when it failed or misbehaved. */
  const retire = (p: ProbeProcess, kill: boolean): void => {
    if (!p.retiring) {
      p.retiring = true;
      p.child.stdin!.end();
    }
    if (kill && !p.exited) killTree(p.child);
  };

  const endRun = (p: ProbeProcess, failed: boolean): void => {
    clearTimeout(p.run?.timer);
    p.run = undefined;
    if (p.torch) return; // it exits after its one run; 'close' ends its process group
    if (failed || !p.reusable) retire(p, true);
    pump();
  };

  const forward = (p: ProbeProcess, run: RunState, event: ProbeEvent): void => {
    if (run.ended) return;
    const last = event.type === 'finished' || event.type === 'failed';
    if (last) run.ended = true;
    if (event.type === 'failed' && event.traceback) options.onLog?.(`[${run.request.runId}] ${event.traceback.trimEnd()}`);
    options.onEvent(event);
    if (last && p.run === run) endRun(p, event.type === 'failed');
  };

  /** Drops a line it cannot trust; the process that sent it finishes its run but gets no other. */
  const distrust = (p: ProbeProcess, why: string): void => {
    options.onLog?.(`${tag(p)} dropped ${why}`);
    p.reusable = false;
    if (!p.run) retire(p, true);
  };

  const launch = (request: RunRequest): ProbeProcess => {
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
    const p: ProbeProcess = {
      child,
      torch,
      bridge: torch ? new PytorchBridge() : undefined,
      backend: request.config.backend,
      reusable: !torch,
      retiring: false,
      exited: false,
      threads: 0,
      stderrTail: [],
      outOfMemory: false,
    };
    processes.add(p);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = parseLine(probeEventSchema, line);
      if (!parsed.ok) return distrust(p, `malformed event: ${parsed.error}`);
      const run = p.run;
      if (!run || parsed.value.runId !== run.request.runId) return distrust(p, `event for another run (${parsed.value.runId})`);
      if (p.bridge) for (const e of p.bridge.translate(parsed.value)) forward(p, run, e);
      else forward(p, run, parsed.value);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (OUT_OF_MEMORY.test(line)) p.outOfMemory = true;
      p.stderrTail.push(line);
      if (p.stderrTail.length > 20) p.stderrTail.shift();
      options.onLog?.(`${tag(p)} ${line}`);
    });
    child.stdin!.on('error', () => undefined);
    const exit = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        const run = p.run;
        if (run && !cancelled) forward(p, run, { type: 'failed', runId: run.request.runId, reason: `could not start the probe process: ${err.message}` });
      });
      child.once('close', (code, signal) => {
        // The user's code may have left children behind (data loader workers): end the group.
        if (p.torch) killTree(child);
        p.exited = true;
        p.retiring = true;
        processes.delete(p);
        exited.delete(exit);
        const run = p.run;
        if (run && !run.ended && !cancelled) {
          forward(p, run, { type: 'failed', runId: run.request.runId, reason: describeExit(code, signal, p.stderrTail, p.outOfMemory) });
        }
        clearTimeout(p.run?.timer);
        p.run = undefined;
        resolve();
        pump();
        settle();
      });
    });
    exited.add(exit);
    assign(p, request);
    return p;
  };

  const assign = (p: ProbeProcess, request: RunRequest): void => {
    const run: RunState = { request, ended: false, startSent: false };
    p.run = run;
    p.backend = request.config.backend;
    p.stderrTail.length = 0;
    const torch = p.torch;
    if (!torch) return; // the start line goes out in rebalance(), with its thread share
    run.startSent = true;
    p.child.stdin!.end(toJsonLine(pytorchStart(request, torch)) + '\n');
    if (torch.timeoutSeconds > 0) {
      run.timer = setTimeout(() => {
        if (run.ended) return;
        forward(p, run, { type: 'failed', runId: request.runId, reason: `timed out after ${torch.timeoutSeconds} s (initlens.pytorch.timeoutSeconds); the model's process was ended` });
        killTree(p.child);
      }, torch.timeoutSeconds * 1000);
    }
  };

  /** Node runs in progress, in launch order. */
  const nodeRuns = (): ProbeProcess[] => [...processes].filter((p) => !p.torch && p.run && !p.run.ended);

  /**
   * Shares the thread budget (jobs, less one per PyTorch process) among the node runs in
   * progress and tells those whose share changed: lowered shares first, so the threads told
   * never add up to more than the jobs while the lines travel.
   */
  const rebalance = (): void => {
    const busy = nodeRuns();
    if (busy.length === 0) return;
    const torchJobs = [...processes].filter((p) => p.torch).length;
    const total = Math.max(busy.length, jobs - torchJobs);
    const shares = busy.map((_, i) => Math.min(MAX_PROBE_THREADS, Math.floor(total / busy.length) + (i < total % busy.length ? 1 : 0)));
    busy.forEach((p, i) => {
      if (p.run!.startSent && shares[i] < p.threads) send(p, { type: 'threads', count: (p.threads = shares[i]) });
    });
    busy.forEach((p, i) => {
      if (p.run!.startSent && shares[i] > p.threads) send(p, { type: 'threads', count: (p.threads = shares[i]) });
    });
    busy.forEach((p, i) => {
      if (p.run!.startSent) return;
      p.run!.startSent = true;
      send(p, { type: 'start', request: p.run!.request, threads: (p.threads = shares[i]) });
    });
  };

  /** Hands queued runs to idle processes of the pool, or to new ones while fewer than `jobs` live. */
  const pump = (): void => {
    while (!cancelled && queue.length > 0) {
      const next = queue[0];
      const idle = [...processes].find((p) => !p.run && p.reusable && !p.retiring && next.pytorch === undefined && p.backend === next.config.backend);
      if (idle) assign(idle, queue.shift()!);
      else if (processes.size < jobs) launch(queue.shift()!);
      else {
        // Every slot taken, some by a process that cannot take this run: it makes room.
        const spare = [...processes].find((p) => !p.run && !p.retiring);
        if (spare) retire(spare, false);
        break;
      }
    }
    // Nothing (more) to do for an idle process: it exits, and a run enqueued later starts a fresh one.
    if (queue.length === 0 || cancelled) for (const p of processes) if (!p.run) retire(p, false);
    rebalance();
  };

  pump();
  settle();
  return {
    done,
    get running() {
      return processes.size;
    },
    processIds() {
      return Object.fromEntries([...processes].flatMap((p) => (p.run ? [[p.run.request.runId, p.child.pid]] : [])));
    },
    threadBudgets() {
      return Object.fromEntries(nodeRuns().map((p) => [p.run!.request.runId, p.threads]));
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
      for (const p of processes) retire(p, true);
      await Promise.all(waits);
      settle();
    },
  };
}
