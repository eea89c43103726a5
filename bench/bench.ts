/**
 * `npm run bench`: speed of the default comparison and of a deep one, against the machine's
 * measured matMul peak and, when Debian's python3-torch is installed, the same work in PyTorch.
 * Speed targets live here, not in timed tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { selectBackend, tf } from '../src/probe/tfjs';
import { DEFAULT_CONFIG } from '../src/probe/config';
import type { ProbeConfig } from '../src/probe/config';
import { startRuns } from '../src/probe/runner';
import { probeWorkerPath } from '../src/probe/paths';
import { matmulKernels, WasmArena } from '../src/probe/kernels/matmul';
import { applyEvent, newDocument } from '../src/results';
import type { RunRequest } from '../src/protocol';
import { pickSourceGraph, sourceModelRequests } from '../src/editor/modelRequests';
import { planGraph } from '../src/probe/graph/shapes';
import type { GraphSpec } from '../src/protocol';

const SEED = ['zeros', 'random_normal', 'glorot_normal', 'he_normal'];

/** Best of `rounds` timings of `reps` calls, in ms per call. */
function bestMs(run: () => void, reps: number, rounds = 5): number {
  for (let i = 0; i < reps * 3; i++) run(); // let V8 tier the wasm up
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (performance.now() - t) / reps);
  }
  return best;
}

/**
 * This machine's one-core matMul peak: tfjs' wasm backend (XNNPACK) on 512×512, and InitLens'
 * own kernels on a square 512 and on the deep model's layer (128×256·256×256, cache-resident).
 */
async function matMulPeak(): Promise<{ backend: string; xnnpack: number; ours: number; oursSquare: number; kernels: string }> {
  const backend = await selectBackend('auto');
  const n = 512;
  const a = tf.randomNormal([n, n]);
  const b = tf.randomNormal([n, n]);
  const xnn = bestMs(() => tf.tidy(() => void tf.matMul(a, b).dataSync()), 10);
  tf.dispose([a, b]);
  const kernels = matmulKernels();
  let ours = NaN;
  let oursSquare = NaN;
  if (kernels) {
    const gflops = (m: number, k: number, nn: number): number => {
      const arena = new WasmArena(kernels, WasmArena.bytesFor([m * k, k * nn, m * nn]));
      const [x, w, y] = [arena.alloc(m * k), arena.alloc(k * nn), arena.alloc(m * nn)];
      arena.f32(x, m * k).fill(0.5);
      arena.f32(w, k * nn).fill(0.25);
      const ms = bestMs(() => arena.matmul({ a: x, b: w, c: y, m, n: nn, k }), Math.max(5, Math.round(1e8 / (2 * m * k * nn))));
      return (2 * m * k * nn) / (ms / 1000) / 1e9;
    };
    ours = gflops(128, 256, 256);
    oursSquare = gflops(n, n, n);
  }
  return { backend: backend.name, xnnpack: (2 * n ** 3) / (xnn / 1000) / 1e9, ours, oursSquare, kernels: kernels?.description ?? 'InitLens kernels unavailable (no WebAssembly SIMD)' };
}

/** Training FLOPs per step: forward 2·B·fanIn·fanOut per layer, backward twice that (no ∂/∂input). */
function flopsPerStep(hidden: number[], batch: number): number {
  const widths = [784, ...hidden, 10];
  let total = 0;
  for (let i = 1; i < widths.length; i++) total += (i === 1 ? 4 : 6) * batch * widths[i - 1] * widths[i];
  return total;
}

interface Scenario {
  name: string;
  config: ProbeConfig;
}

interface OurRound {
  wall: number;
  /** Training-loop seconds of each run (timing.seconds: the steps with their measurements). */
  perRun: number[];
  /** CPU seconds of each run's training loop: what the run cost, whatever else shares the cores. */
  cpuPerRun: number[];
  firstMetric: number[];
  samplesPerSecond: number[];
  accuracy: (number | null)[];
  gflops: number;
  backendReason: string;
}

async function runScenario(s: Scenario, jobs: number): Promise<OurRound> {
  const requests: RunRequest[] = SEED.map((init, i) => ({ runId: `b${i}`, label: init, initializer: init, config: s.config }));
  const doc = newDocument(requests);
  let backendReason = '';
  const t0 = performance.now();
  const handle = startRuns(requests, {
    jobs,
    onEvent: (e) => {
      if (e.type === 'started') backendReason = e.backendReason;
      void applyEvent(doc, e);
    },
  });
  await handle.done;
  const wall = (performance.now() - t0) / 1000;
  const flops = flopsPerStep(s.config.hidden, s.config.batch);
  const timings = doc.runs.map((r) => r.timing);
  const trainSeconds = timings.reduce((sum, t) => sum + (t?.seconds ?? 0), 0);
  const steps = doc.runs.reduce((sum, r) => sum + (r.final?.steps ?? 0), 0);
  return {
    wall,
    perRun: timings.map((t) => t?.seconds ?? NaN),
    cpuPerRun: timings.map((t) => t?.cpuSeconds ?? NaN),
    firstMetric: doc.runs.map((r) => r.timing?.firstMetricSeconds ?? NaN),
    samplesPerSecond: timings.map((t) => t?.samplesPerSecond ?? 0),
    accuracy: doc.runs.map((r) => r.final?.validationAccuracy ?? null),
    gflops: (steps * flops) / trainSeconds / 1e9,
    backendReason,
  };
}

interface TorchRound {
  wall: number;
  perRun: number[];
  cpuPerRun: number[];
  torch: string;
}

function torchBaseline(s: Scenario, jobs: number): TorchRound | string {
  const script = join(__dirname, '..', 'bench', 'torchBaseline.py');
  if (!existsSync(script)) return 'bench/torchBaseline.py missing';
  const python = '/usr/bin/python3';
  const check = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (check.status !== 0) return 'PyTorch not installed (apt-get install python3-torch libopenblas0-pthread)';
  const hidden = s.config.hidden.length > 1 ? `${s.config.hidden[0]}x${s.config.hidden.length}` : String(s.config.hidden[0]);
  const r = spawnSync(python, [script, '--hidden', hidden, '--batch', String(s.config.batch), '--steps', String(s.config.steps), '--every', String(s.config.every), '--jobs', String(jobs)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `PyTorch baseline failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  const out = JSON.parse(r.stdout) as { wallSeconds: number; torch: string; blas: string; runs: { trainSeconds: number; trainCpuSeconds: number }[] };
  // Debian's torch multiplies with whatever libblas.so.3 is: the reference BLAS unless OpenBLAS is installed.
  const blas = /openblas/i.test(out.blas) ? `OpenBLAS (${out.blas})` : `${out.blas}: NOT OpenBLAS, install libopenblas0-pthread for a fair baseline`;
  return { wall: out.wallSeconds, perRun: out.runs.map((x) => x.trainSeconds), cpuPerRun: out.runs.map((x) => x.trainCpuSeconds), torch: `${out.torch} with ${blas}` };
}

interface AloneRound {
  /** Training loop (timing.seconds), its CPU time (every thread of the process), and spawn to result. */
  loop: number;
  cpu: number;
  wall: number;
  engine: string;
}

/**
 * One probe process alone with a thread budget, started the way the runner starts one (the start
 * command's `threads`), spawn to result.
 */
function probeAlone(request: RunRequest, threads: number): Promise<AloneRound> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [probeWorkerPath()], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['pipe', 'pipe', 'inherit'] });
    let engine = '';
    let result: Omit<AloneRound, 'wall'> | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as { type: string; backendReason?: string; reason?: string; timing?: { seconds: number; cpuSeconds?: number } };
      if (e.type === 'started') engine = e.backendReason ?? '';
      if (e.type === 'failed') reject(new Error(`probe failed: ${e.reason}`));
      if (e.type === 'finished' && e.timing) result = { loop: e.timing.seconds, cpu: e.timing.cpuSeconds ?? NaN, engine };
    });
    child.stdin.end(JSON.stringify({ type: 'start', request, threads }) + '\n');
    child.once('close', () => (result ? resolve({ ...result, wall: (performance.now() - t0) / 1000 }) : reject(new Error('probe process ended without a result'))));
  });
}

/**
 * The deep model as one run alone (one probe on a laptop, or the last run of a comparison): the
 * kernels on a budget of 1 thread, then 2, in alternating rounds; medians compared.
 */
async function oneProbeAlone(config: ProbeConfig, rounds: number): Promise<void> {
  const request: RunRequest = { runId: 'alone', label: 'he_normal', initializer: 'he_normal', config };
  const by: Record<1 | 2, AloneRound[]> = { 1: [], 2: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate which budget goes first, so a drift in the machine's speed favours neither.
    for (const threads of r % 2 ? ([2, 1] as const) : ([1, 2] as const)) by[threads].push(await probeAlone(request, threads));
  }
  const m = (threads: 1 | 2, f: (x: AloneRound) => number): number => median(by[threads].map(f));
  console.log(`
one probe alone: deep 784→256x8→10, batch ${config.batch}, ${config.steps} steps, one run, thread budget 1 vs 2 (the start command's threads), ${rounds} alternating round${rounds > 1 ? 's' : ''}`);
  console.log(`  engine (budget 2): ${by[2][by[2].length - 1].engine}`);
  for (const threads of [1, 2] as const) {
    console.log(`  budget ${threads}: per run median ${m(threads, (x) => x.loop).toFixed(2)} s (${fmt(by[threads].map((x) => x.loop))}); CPU time median ${m(threads, (x) => x.cpu).toFixed(2)} s (${fmt(by[threads].map((x) => x.cpu))}); whole process median ${m(threads, (x) => x.wall).toFixed(2)} s (${fmt(by[threads].map((x) => x.wall))})`);
  }
  const cpuMore = (100 * (m(2, (x) => x.cpu) - m(1, (x) => x.cpu))) / m(1, (x) => x.cpu);
  console.log(`  → 2 threads: per run ${ratio(m(2, (x) => x.loop), m(1, (x) => x.loop))}, whole process ${ratio(m(2, (x) => x.wall), m(1, (x) => x.wall))}; CPU time ${cpuMore >= 0 ? '+' : ''}${cpuMore.toFixed(0)}% (waking and waiting for the second thread)`);
}

/** `--only seed|deep|conv|alone`: one of the scenarios. */
function onlyScenario(): string | undefined {
  return process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `--repeat N`: how many rounds each comparison and its PyTorch twin run, alternating. */
function repeats(): number {
  const at = process.argv.indexOf('--repeat');
  const n = at >= 0 ? Number(process.argv[at + 1]) : 3;
  if (!Number.isInteger(n) || n < 1 || n > 20) {
    console.error('--repeat takes a whole number from 1 to 20');
    process.exit(2);
  }
  return n;
}

const fmt = (xs: number[], digits = 2): string => xs.map((x) => x.toFixed(digits)).join(', ');
const ratio = (ours: number, theirs: number): string => (ours <= theirs ? `${(theirs / ours).toFixed(2)}× faster` : `${(ours / theirs).toFixed(2)}× slower`);

/** The dense comparisons; resolves to this machine's one-core matMul peak (GFLOP/s) for the conv one. */
async function main(): Promise<number> {
  const jobs = availableParallelism();
  const rounds = repeats();
  // `--engine tfjs`: train on tfjs ops instead of InitLens' kernels (the probes read it from the environment).
  if (process.argv.includes('--engine') && process.argv[process.argv.indexOf('--engine') + 1] === 'tfjs') process.env.INITLENS_ENGINE = 'tfjs';
  const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
  const peak = await matMulPeak();
  const peakGflops = Math.max(peak.xnnpack, peak.ours, peak.oursSquare);
  console.log(`machine: ${availableParallelism()} cores, load average ${load()} (other work on the machine slows every figure)`);
  console.log(`one-core matMul peak: ${peak.backend} backend (XNNPACK) ${peak.xnnpack.toFixed(1)} GFLOP/s on 512×512; ${peak.kernels}: ${peak.ours.toFixed(1)} GFLOP/s on 128×256·256×256, ${peak.oursSquare.toFixed(1)} on 512×512`);
  const scenarios: Scenario[] = [
    { name: 'seed model 784→128→10, batch 32, 300 steps, stats every 10', config: { ...DEFAULT_CONFIG, data: 'mnist' } },
    { name: 'deep 784→256x8→10, batch 128, 300 steps, stats every 10', config: { ...DEFAULT_CONFIG, data: 'mnist', hidden: Array(8).fill(256), batch: 128 } },
  ];
  // `--only seed` or `--only deep`: one of the two comparisons.
  const only = onlyScenario();
  // `--only conv`: only the convolutional model (after the peak); `--only alone`: only one probe alone on 1 and 2 threads.
  if (only === 'conv') return peakGflops;
  if (!only || only === 'alone') await oneProbeAlone(scenarios[1].config, rounds);
  if (only === 'alone') return peakGflops;
  for (const s of scenarios.filter((x) => !only || x.name.startsWith(only))) {
    // The VM's speed drifts by ±20% over minutes: InitLens and PyTorch take turns, and the
    // medians are compared.
    const ours: OurRound[] = [];
    const theirs: TorchRound[] = [];
    let torch = '';
    for (let r = 0; r < rounds; r++) {
      ours.push(await runScenario(s, jobs));
      const t = torchBaseline(s, jobs);
      if (typeof t === 'string') torch = t;
      else {
        theirs.push(t);
        torch = t.torch;
      }
    }
    const walls = ours.map((o) => o.wall);
    const perRun = ours.flatMap((o) => o.perRun);
    const last = ours[ours.length - 1];
    console.log(`\n${s.name} — the seed's four initializers, ${jobs} in parallel, ${rounds} round${rounds > 1 ? 's' : ''} alternating with PyTorch`);
    console.log(`  engine: ${last.backendReason}`);
    const cpuPerRun = ours.flatMap((o) => o.cpuPerRun);
    console.log(`  InitLens seconds per run (training loop): median ${median(perRun).toFixed(2)} s (${fmt(perRun)}); CPU time median ${median(cpuPerRun).toFixed(2)} s (${fmt(cpuPerRun)})`);
    console.log(`  InitLens whole process (start of the comparison to the last result): median ${median(walls).toFixed(2)} s (${fmt(walls)})`);
    console.log(`  achieved: ${median(ours.map((o) => o.gflops)).toFixed(2)} GFLOP/s per run, counting the dense layers' FLOPs as dense products (the first layer's skipped zero pixels included) (${((100 * median(ours.map((o) => o.gflops))) / peakGflops).toFixed(0)}% of the one-core peak ${peakGflops.toFixed(1)})`);
    console.log(`  samples/s per run (last round): ${last.samplesPerSecond.map((x) => x.toFixed(0)).join(', ')}`);
    console.log(`  time to first metric (from process start, or from its start line in a reused process; last round): ${fmt(last.firstMetric)} s`);
    console.log(`  held-out accuracy: ${last.accuracy.map((a) => (a === null ? '—' : (100 * a).toFixed(1) + '%')).join(', ')}`);
    if (theirs.length === 0) console.log(`  PyTorch: ${torch}`);
    else {
      const tPerRun = theirs.flatMap((t) => t.perRun);
      const tCpu = theirs.flatMap((t) => t.cpuPerRun);
      const tWalls = theirs.map((t) => t.wall);
      console.log(`  PyTorch ${torch}, same work, 1 thread per run: per run median ${median(tPerRun).toFixed(2)} s (${fmt(tPerRun)}); CPU time median ${median(tCpu).toFixed(2)} s (${fmt(tCpu)}); whole process median ${median(tWalls).toFixed(2)} s (${fmt(tWalls)})`);
      console.log(`  → InitLens per run ${ratio(median(perRun), median(tPerRun))} (CPU time: ${ratio(median(cpuPerRun), median(tCpu))}); whole process ${ratio(median(walls), median(tWalls))}`);
    }
  }
  const overhead = watchOverhead();
  console.log(`\nwatch() overhead (bench/watchOverhead.py, same model trained with and without it, alternating rounds):`);
  console.log(typeof overhead === 'string' ? `  ${overhead}` : `  torch ${overhead.torch}, ${overhead.model}, stats every ${overhead.every} steps: ${overhead.plainStepMs} ms/step plain, ${overhead.watchedStepMs} ms/step watched — ${overhead.overheadMsPerStep} ms (${overhead.overheadPercent}%) per step, of which ${overhead.watchMsPerStepSpentMeasuring} ms measured inside watch()`);
  console.log(`\nload average at the end: ${load()}`);
  return peakGflops;
}

interface WatchOverhead {
  torch: string;
  model: string;
  every: number;
  plainStepMs: number;
  watchedStepMs: number;
  overheadMsPerStep: number;
  overheadPercent: number;
  watchMsPerStepSpentMeasuring: number;
}

function watchOverhead(): WatchOverhead | string {
  const python = '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) return 'PyTorch not installed (apt-get install python3-torch python3-numpy)';
  const r = spawnSync(python, [join(__dirname, '..', 'bench', 'watchOverhead.py')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return `bench/watchOverhead.py failed: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`;
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as WatchOverhead;
}

/**
 * Matrix-product FLOPs of the model as written, per image: forward (2·positions·fanIn·units per
 * conv/dense), and a training step's backward (∂W the same again, ∂input too where a layer below
 * has parameters).
 */
function graphFlops(spec: GraphSpec): { forward: number; backward: number } {
  let forward = 0;
  let backward = 0;
  for (const l of planGraph(spec).layers) {
    if (l.spec.kind !== 'dense' && l.spec.kind !== 'conv2d') continue;
    const units = l.spec.kind === 'dense' ? l.spec.units : l.spec.filters;
    const positions = l.outShape.slice(0, -1).reduce((a, b) => a * b, 1);
    const f = 2 * positions * l.fanIn! * units;
    forward += f;
    backward += l.needsInputGrad ? 2 * f : f;
  }
  return { forward, backward };
}

interface ConvRound {
  /** Every-1000 run (statistics at the first and last step only): timing.seconds and its CPU time. */
  steps: number;
  stepsCpu: number;
  /** Every-10 run: the training loop with its measurements, its CPU time, and the process from spawn to result. */
  loop: number;
  loopCpu: number;
  wall: number;
  accuracy: number | null;
  engine: string;
}

interface TorchConvRound {
  torch: string;
  trainSeconds: number;
  trainCpuSeconds: number;
  loopSeconds: number;
  loopCpuSeconds: number;
  seconds: number;
  wall: number;
  finalAccuracy: number;
}

/**
 * The two-convolution MNIST classifier (32 and 64 filters of 3×3, two 2×2 poolings, dropout, a
 * dense output), probed as written from its Keras source, 300 steps of batch 32, against the same
 * work in PyTorch on one thread (bench/torchBaseline.py --model conv), in rounds that alternate
 * between the two; medians compared. "Training steps alone": InitLens with statistics only at
 * the first and last step (so it still pays two measurements), PyTorch's steps timed without its
 * measurements. "Per run": the training loop with measurements every 10 steps (256 probe digits,
 * 500 held-out). "Whole process": from spawning the process to its result (PyTorch's includes
 * `import torch`, InitLens' its process start and bundle load).
 */
async function convScenario(peakGflops: number, rounds: number): Promise<void> {
  const file = join(__dirname, '..', 'test', 'fixtures', 'models', 'keras_conv_mnist.py');
  const model = pickSourceGraph(readFileSync(file, 'utf8'), 'python', 'keras_conv_mnist.py');
  const config = { ...DEFAULT_CONFIG, data: 'mnist' as const };
  const run = async (every: number): Promise<{ seconds: number; cpu: number; wall: number; accuracy: number | null; engine: string }> => {
    const [request] = sourceModelRequests(model, { ...config, every }, undefined);
    const doc = newDocument([request]);
    let engine = '';
    const t0 = performance.now();
    const handle = startRuns([request], {
      jobs: 1,
      onEvent: (e) => {
        if (e.type === 'started') engine = e.backendReason;
        void applyEvent(doc, e);
      },
    });
    await handle.done;
    const r = doc.runs[0];
    if (r.status !== 'finished') throw new Error(`conv probe ${r.status}: ${r.error ?? ''}`);
    return { seconds: r.timing!.seconds, cpu: r.timing!.cpuSeconds ?? NaN, wall: (performance.now() - t0) / 1000, accuracy: r.final?.validationAccuracy ?? null, engine };
  };
  const python = '/usr/bin/python3';
  const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  const ours: ConvRound[] = [];
  const theirs: TorchConvRound[] = [];
  let torchNote = hasTorch ? '' : 'not installed (apt-get install python3-torch)';
  for (let r = 0; r < rounds; r++) {
    const steps = await run(1000);
    const whole = await run(config.every);
    ours.push({ steps: steps.seconds, stepsCpu: steps.cpu, loop: whole.seconds, loopCpu: whole.cpu, wall: whole.wall, accuracy: whole.accuracy, engine: whole.engine });
    if (!hasTorch) continue;
    const t0 = performance.now();
    const p = spawnSync(python, [join(__dirname, '..', 'bench', 'torchBaseline.py'), '--model', 'conv', '--threads', '1', '--steps', String(config.steps), '--every', String(config.every), '--batch', String(config.batch)], { encoding: 'utf8', timeout: 900_000 });
    const wall = (performance.now() - t0) / 1000;
    if (p.status !== 0) torchNote = `baseline failed: ${(p.stderr || '').trim().split('\n').pop()}`;
    else theirs.push({ ...(JSON.parse(p.stdout) as Omit<TorchConvRound, 'wall'>), wall });
  }
  const { forward, backward } = graphFlops(model.graph);
  const stepFlops = config.batch * (forward + backward);
  const statsSteps = Math.floor(config.steps / config.every) + 1;
  // The loop's products: the steps, plus each measurement's forward passes (probe batch and held-out digits).
  const loopFlops = config.steps * stepFlops + statsSteps * (config.probeBatch + config.validationSubset) * forward;
  const gf = (flops: number, seconds: number): string => `${(flops / seconds / 1e9).toFixed(1)} GFLOP/s (${((100 * flops) / seconds / 1e9 / peakGflops).toFixed(0)}% of the peak ${peakGflops.toFixed(1)})`;
  const m = (f: (x: ConvRound) => number): number => median(ours.map(f));
  const t = (f: (x: TorchConvRound) => number): number => median(theirs.map(f));
  console.log(`\nconv model (Keras conv MNIST example as written: conv 32 3×3 → pool → conv 64 3×3 → pool → dropout → dense 10), batch ${config.batch}, ${config.steps} steps, one run per process, ${rounds} round${rounds > 1 ? 's' : ''} alternating with PyTorch`);
  console.log(`  engine: ${ours[ours.length - 1].engine}`);
  // Both sides' GFLOP/s count the model's nominal products (InitLens skips the conv outputs a pooling never reads: 16% of this model's step).
  console.log(`  matrix products as written: ${(stepFlops / 1e6).toFixed(0)} MFLOP per training step, ${(forward / 1e6).toFixed(2)} MFLOP per image forward (the GFLOP/s below count these for both)`);
  console.log(`  InitLens training steps alone: median ${m((x) => x.steps).toFixed(2)} s (${fmt(ours.map((x) => x.steps))}), CPU ${m((x) => x.stepsCpu).toFixed(2)} s; ${gf(config.steps * stepFlops, m((x) => x.steps))}`);
  console.log(`  InitLens per run, stats every ${config.every}: median ${m((x) => x.loop).toFixed(2)} s (${fmt(ours.map((x) => x.loop))}), CPU ${m((x) => x.loopCpu).toFixed(2)} s; ${gf(loopFlops, m((x) => x.loop))}`);
  console.log(`  InitLens whole process: median ${m((x) => x.wall).toFixed(2)} s (${fmt(ours.map((x) => x.wall))}); held-out accuracy ${ours.map((x) => (x.accuracy === null ? '—' : (100 * x.accuracy).toFixed(1) + '%')).join(', ')}`);
  if (theirs.length === 0) {
    console.log(`  PyTorch: ${torchNote}`);
    return;
  }
  console.log(`  PyTorch ${theirs[0].torch}, one thread: training steps alone median ${t((x) => x.trainSeconds).toFixed(2)} s (${fmt(theirs.map((x) => x.trainSeconds))}), CPU ${t((x) => x.trainCpuSeconds).toFixed(2)} s; ${gf(config.steps * stepFlops, t((x) => x.trainSeconds))}`);
  console.log(`  PyTorch per run: median ${t((x) => x.loopSeconds).toFixed(2)} s (${fmt(theirs.map((x) => x.loopSeconds))}), CPU ${t((x) => x.loopCpuSeconds).toFixed(2)} s; whole process median ${t((x) => x.wall).toFixed(2)} s (${fmt(theirs.map((x) => x.wall))}); held-out accuracy ${theirs.map((x) => (100 * x.finalAccuracy).toFixed(1) + '%').join(', ')}`);
  console.log(`  → InitLens training steps ${ratio(m((x) => x.steps), t((x) => x.trainSeconds))} (CPU time: ${ratio(m((x) => x.stepsCpu), t((x) => x.trainCpuSeconds))}); per run ${ratio(m((x) => x.loop), t((x) => x.loopSeconds))} (CPU time: ${ratio(m((x) => x.loopCpu), t((x) => x.loopCpuSeconds))}); whole process ${ratio(m((x) => x.wall), t((x) => x.wall))}`);
}

void main().then((peakGflops) => (process.argv.includes('--no-conv') || onlyScenario() === 'alone' ? undefined : convScenario(peakGflops, repeats())));
