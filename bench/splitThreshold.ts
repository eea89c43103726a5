/**
 * Where splitting a product over two threads starts to pay (kernels/threads.ts' MIN_SPLIT_WORK):
 * the probe's product shapes, dense and sparse, on a budget of 1 and of 2 threads in alternating
 * rounds, every product split whatever its size; medians per call.
 * Run: `npx tsx bench/splitThreshold.ts` (meaningful only on a quiet machine: say the load).
 */
import { loadavg } from 'node:os';
import { matmulKernels, WasmArena } from '../src/probe/kernels/matmul';
import type { Csr } from '../src/probe/kernels/matmul';
import { setThreadBudget } from '../src/probe/kernels/threadBudget';
import { kernelThreads } from '../src/probe/kernels/threads';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median µs per call of `run` on budgets 1 and 2, alternating. */
function compare(run: () => void, work: number): [number, number] {
  const reps = Math.max(3, Math.min(2000, Math.round(3e7 / work)));
  const times: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let round = 0; round < 9; round++) {
    for (const budget of round % 2 ? ([2, 1] as const) : ([1, 2] as const)) {
      setThreadBudget(budget);
      run();
      const t = performance.now();
      for (let r = 0; r < reps; r++) run();
      times[budget].push(((performance.now() - t) / reps) * 1000);
    }
  }
  setThreadBudget(1);
  return [median(times[1]), median(times[2])];
}

async function main(): Promise<void> {
  const kernels = matmulKernels();
  if (!kernels?.shared) throw new Error('no shared WebAssembly memory here');
  const pool = kernelThreads();
  await pool.whenReady(1);
  pool.minSplitWork = 0;
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}; ${kernels.description}`);
  console.log('product                          work (mul-adds)   1 thread µs   2 threads µs   speed-up');
  const dense: [string, number, number, number, boolean?, boolean?][] = [
    ['x·W 32×64·64×64', 32, 64, 64],
    ['x·W 64×64·64×64', 64, 64, 64],
    ['x·W 32×128·128×128', 32, 128, 128],
    ['x·W 128×128·128×128', 128, 128, 128],
    ['hᵀδ 256×128·128×256', 256, 128, 256, true],
    ['x·W 128×256·256×256', 128, 256, 256],
    ['δWᵀ 128×256·256×256', 128, 256, 256, false, true],
    ['x·W 500×256·256×256', 500, 256, 256],
    ['x·W 128×256·256×10', 128, 256, 10],
    ['conv 5408×288·288×64', 5408, 288, 64],
  ];
  for (const [name, m, k, n, transA, transB] of dense) {
    const arena = new WasmArena(kernels, WasmArena.bytesFor([m * k, k * n, m * n]));
    const [a, b, c] = [arena.alloc(m * k), arena.alloc(k * n), arena.alloc(m * n)];
    arena.f32(a, m * k).fill(0.5);
    arena.f32(b, k * n).fill(0.25);
    const work = m * n * k;
    const [one, two] = compare(() => arena.matmul({ a, b, c, m, n, k, transA, transB, activation: 'relu' }), work);
    console.log(`${name.padEnd(32)} ${String(work).padStart(15)} ${one.toFixed(1).padStart(13)} ${two.toFixed(1).padStart(14)} ${(one / two).toFixed(2).padStart(10)}×`);
  }
  // The first layer's forward product over pixels (~20% of them lit): rows × 784 sparse · 784 × n.
  for (const [rows, n] of [
    [32, 128],
    [128, 256],
    [500, 256],
  ]) {
    const width = 784;
    const arena = new WasmArena(kernels, WasmArena.bytesFor([rows * width, width, rows + 1, rows * width, rows * width, width * n, rows * n]));
    const x = arena.alloc(rows * width);
    const map = arena.alloc(width);
    const s: Csr = { rows: 0, ptr: arena.alloc(rows + 1), col: arena.alloc(rows * width), val: arena.alloc(rows * width) };
    const w = arena.alloc(width * n);
    const c = arena.alloc(rows * n);
    arena.f32(x, rows * width).forEach((_, i, v) => (v[i] = (i * 7919) % 5 === 0 ? 0.5 : 0));
    new Int32Array(arena.memory.buffer, map, width).forEach((_, i, v) => (v[i] = i));
    const work = arena.csrBuild(x, rows, width, width, map, s) * n;
    const [one, two] = compare(() => arena.spmm({ s, n, b: w, c }), work);
    console.log(`${`spmm ${rows}×784 (20% lit)·784×${n}`.padEnd(32)} ${String(work).padStart(15)} ${one.toFixed(1).padStart(13)} ${two.toFixed(1).padStart(14)} ${(one / two).toFixed(2).padStart(10)}×`);
  }
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

void main();
