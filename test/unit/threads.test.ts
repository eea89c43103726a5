/**
 * The kernels on more than one thread (kernels/threads.ts): every product split over kernel
 * threads gives the one-thread result bit for bit, budget changes between products are followed,
 * whole probes (dense and convolutional) give the same metric streams on 1 and 2 threads, and a
 * process with kernel threads started exits on its own.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { matmulKernels, matmulRows, WasmArena } from '../../src/probe/kernels/matmul';
import type { Csr, MatmulKernels, MatmulOptions } from '../../src/probe/kernels/matmul';
import { setThreadBudget, threadBudget } from '../../src/probe/kernels/threadBudget';
import { chunkRows, kernelThreads, ROW_ALIGN, sharedMemoryUnavailable } from '../../src/probe/kernels/threads';
import { mulberry32 } from '../../src/probe/random';
import { finished, probe, request, started, engine } from './helpers';
import { runGraphProbe } from '../../src/probe/graph/run';
import type { ProbeEvent } from '../../src/protocol';
import { pickSourceGraph, sourceModelRequests } from '../../src/editor/modelRequests';
import { readFileSync } from 'node:fs';

after(async () => {
  setThreadBudget(1);
  await kernelThreads().stop();
});

function kernels(prefer: 'relaxed' | 'simd' = 'relaxed'): MatmulKernels {
  const k = matmulKernels(prefer);
  assert.ok(k, 'WebAssembly SIMD kernels available');
  assert.equal(sharedMemoryUnavailable(), undefined, 'shared WebAssembly memory available in Node');
  assert.ok(k.shared, 'a shared variant of the kernels');
  return k;
}

/** Runs `body` with the given budget, restoring 1 after. */
function withBudget<T>(n: number, body: () => T): T {
  setThreadBudget(n);
  try {
    return body();
  } finally {
    setThreadBudget(1);
  }
}

/**
 * Runs `body` with every chunk of a shared-out product on kernel threads: the calling thread
 * takes none, whatever the machine's load (on a busy machine it would take them all, the same
 * arithmetic, but then these tests would not be testing the threads).
 */
async function helpersDoEveryChunk<T>(body: () => Promise<T>): Promise<T> {
  const pool = kernelThreads();
  pool.callerTakesChunks = false;
  try {
    return await body();
  } finally {
    pool.callerTakesChunks = true;
  }
}

/** Runs `body` with products of any size shared out (odd shapes small enough to test quickly). */
async function anySize<T>(body: () => Promise<T>): Promise<T> {
  const pool = kernelThreads();
  const min = pool.minSplitWork;
  pool.minSplitWork = 1 << 16;
  try {
    return await body();
  } finally {
    pool.minSplitWork = min;
  }
}

function fill(view: Float32Array, random: () => number, zeros = 0): void {
  for (let i = 0; i < view.length; i++) view[i] = random() < zeros ? 0 : random() * 2 - 1;
}

function bits(view: Float32Array): Buffer {
  return Buffer.from(view.slice().buffer);
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  bias?: boolean;
  activation?: MatmulOptions['activation'];
  derivative?: boolean;
  accumulate?: boolean;
}

const CASES: Case[] = [
  { m: 203, n: 77, k: 131 },
  { m: 131, n: 250, k: 97, bias: true, activation: 'relu' },
  { m: 99, n: 61, k: 257, transA: true },
  { m: 257, n: 129, k: 37, transB: true, activation: 'relu', derivative: true },
  { m: 75, n: 203, k: 101, transB: true, activation: 'leaky_relu', derivative: true },
  { m: 129, n: 33, k: 199, bias: true, activation: 'leaky_relu', accumulate: true },
  { m: 1000, n: 9, k: 67, transA: true, accumulate: true },
];

for (const prefer of ['relaxed', 'simd'] as const) {
  test(`${prefer} kernels: products split over 2 and 3 threads equal one thread's bit for bit (odd shapes, every epilogue)`, () => anySize(() => helpersDoEveryChunk(async () => {
    const k = kernels(prefer);
    const pool = kernelThreads();
    await pool.whenReady(2);
    const random = mulberry32(7);
    for (const c of CASES) {
      assert.ok(c.m * c.n * c.k >= pool.minSplitWork, 'large enough to split');
      const arena = new WasmArena(k, WasmArena.bytesFor([c.m * c.k, c.k * c.n, c.n, c.m * c.n, c.m * c.n, c.m * c.n, c.m * c.n]));
      const a = arena.alloc(c.m * c.k);
      const b = arena.alloc(c.k * c.n);
      const bias = arena.alloc(c.n);
      const d = arena.alloc(c.m * c.n);
      const outs = [arena.alloc(c.m * c.n), arena.alloc(c.m * c.n), arena.alloc(c.m * c.n)];
      fill(arena.f32(a, c.m * c.k), random);
      fill(arena.f32(b, c.k * c.n), random);
      fill(arena.f32(bias, c.n), random);
      fill(arena.f32(d, c.m * c.n), random);
      const start = new Float32Array(c.m * c.n);
      fill(start, random);
      const results: Buffer[] = [];
      for (const [i, threads] of [1, 2, 3].entries()) {
        // Both helpers idle (done with the last product), so that all the budget's threads can work.
        await pool.whenReady(2);
        arena.f32(outs[i], c.m * c.n).set(start);
        const before = pool.helperChunks;
        const peak = pool.peak;
        pool.peak = 1;
        withBudget(threads, () =>
          arena.matmul({ a, b, c: outs[i], m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB, bias: c.bias ? bias : undefined, activation: c.activation, derivativeOf: c.derivative ? d : undefined, slope: 0.3, accumulate: c.accumulate }),
        );
        assert.equal(pool.helperChunks > before, threads > 1, `${JSON.stringify(c)}: chunks on kernel threads with ${threads}`);
        assert.equal(pool.peak, threads, `${JSON.stringify(c)}: ${threads} threads at work`);
        pool.peak = Math.max(peak, pool.peak);
        results.push(bits(arena.f32(outs[i], c.m * c.n)));
      }
      assert.ok(results[1].equals(results[0]), `${JSON.stringify(c)}: 2 threads differ from 1`);
      assert.ok(results[2].equals(results[0]), `${JSON.stringify(c)}: 3 threads differ from 1`);
    }
  })));
}

test('a product computed chunk by chunk on one thread (as when no helper shows up) equals the whole, bit for bit', () => {
  const k = kernels();
  const random = mulberry32(5);
  for (const c of CASES) {
    const arena = new WasmArena(k, WasmArena.bytesFor([c.m * c.k, c.k * c.n, c.n, c.m * c.n, c.m * c.n, c.m * c.n]));
    const a = arena.alloc(c.m * c.k);
    const b = arena.alloc(c.k * c.n);
    const bias = arena.alloc(c.n);
    const d = arena.alloc(c.m * c.n);
    const outs = [arena.alloc(c.m * c.n), arena.alloc(c.m * c.n)];
    for (const [at, n] of [[a, c.m * c.k], [b, c.k * c.n], [bias, c.n], [d, c.m * c.n], [outs[0], c.m * c.n]]) fill(arena.f32(at, n), random);
    arena.f32(outs[1], c.m * c.n).set(arena.f32(outs[0], c.m * c.n));
    const whole = (out: number): MatmulOptions => ({ a, b, c: out, m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB, bias: c.bias ? bias : undefined, activation: c.activation, derivativeOf: c.derivative ? d : undefined, slope: 0.3, accumulate: c.accumulate });
    arena.matmul(whole(outs[0]));
    const rows = chunkRows(c.m, 5, ROW_ALIGN);
    const parts = rows.slice(1).map((r1, i) => matmulRows(whole(outs[1]), rows[i], r1));
    assert.equal(parts.reduce((sum, p) => sum + p.m, 0), c.m, 'the parts cover every row once');
    for (const p of parts) arena.matmul(p);
    assert.ok(bits(arena.f32(outs[1], c.m * c.n)).equals(bits(arena.f32(outs[0], c.m * c.n))), `${JSON.stringify(c)}: parts differ from the whole`);
  }
});

test('sparse products (x·W and xᵀ·δ over pixels) split over 2 threads equal one thread bit for bit', () => anySize(() => helpersDoEveryChunk(async () => {
  const k = kernels();
  const pool = kernelThreads();
  await pool.whenReady(1);
  const random = mulberry32(11);
  for (const [rows, width, n] of [
    [131, 784, 256],
    [784, 131, 97],
  ]) {
    const arena = new WasmArena(k, WasmArena.bytesFor([rows * width, width, rows + 1, rows * width, rows * width, width * n, n, 3 * rows * n]));
    const x = arena.alloc(rows * width);
    const map = arena.alloc(width);
    const csr: Csr = { rows: 0, ptr: arena.alloc(rows + 1), col: arena.alloc(rows * width), val: arena.alloc(rows * width) };
    const w = arena.alloc(width * n);
    const bias = arena.alloc(n);
    const outs = [arena.alloc(rows * n), arena.alloc(rows * n)];
    fill(arena.f32(x, rows * width), random, 0.8);
    new Int32Array(arena.memory.buffer, map, width).forEach((_, i, v) => (v[i] = i));
    fill(arena.f32(w, width * n), random);
    fill(arena.f32(bias, n), random);
    const entries = arena.csrBuild(x, rows, width, width, map, csr);
    assert.ok(entries * n >= pool.minSplitWork, 'large enough to split');
    const results = [1, 2].map((threads, i) => {
      const before = pool.helperChunks;
      withBudget(threads, () => arena.spmm({ s: csr, n, b: w, c: outs[i], bias, activation: 'relu' }));
      assert.equal(pool.helperChunks > before, threads > 1);
      return bits(arena.f32(outs[i], rows * n));
    });
    assert.ok(results[1].equals(results[0]), `${rows}×${width}·${width}×${n}: 2 threads differ from 1`);
  }
})));

test('a budget change between products: 2, then 1 (no kernel thread works), then 2 again', () => helpersDoEveryChunk(async () => {
  const k = kernels();
  const pool = kernelThreads();
  await pool.whenReady(1);
  const [m, n, kk] = [128, 256, 256];
  const arena = new WasmArena(k, WasmArena.bytesFor([m * kk, kk * n, m * n, m * n, m * n]));
  const a = arena.alloc(m * kk);
  const b = arena.alloc(kk * n);
  const outs = [arena.alloc(m * n), arena.alloc(m * n), arena.alloc(m * n)];
  const random = mulberry32(3);
  fill(arena.f32(a, m * kk), random);
  fill(arena.f32(b, kk * n), random);
  const used: number[] = [];
  for (const [i, budget] of [2, 1, 2].entries()) {
    setThreadBudget(budget);
    const before = pool.helperChunks;
    arena.matmul({ a, b, c: outs[i], m, n, k: kk, activation: 'relu' });
    used.push(pool.helperChunks - before);
  }
  setThreadBudget(1);
  assert.deepEqual(used, [8, 0, 8], 'chunks on kernel threads per product (128 rows in 8 chunks)');
  const [x, y, z] = outs.map((o) => bits(arena.f32(o, m * n)));
  assert.ok(y.equals(x) && z.equals(x), 'the same result whatever the budget');
}));

test('products below MIN_SPLIT_WORK stay on the calling thread', async () => {
  const pool = kernelThreads();
  await pool.whenReady(1);
  // Just below the threshold, and just at it.
  const [m, n] = [128, 128];
  const k = Math.ceil(pool.minSplitWork / (m * n)) - 1;
  const arena = new WasmArena(kernels(), WasmArena.bytesFor([m * (k + 1), (k + 1) * n, m * n]));
  const [a, b, c] = [arena.alloc(m * (k + 1)), arena.alloc((k + 1) * n), arena.alloc(m * n)];
  const before = pool.helperChunks + pool.callerChunks;
  withBudget(2, () => arena.matmul({ a, b, c, m, n, k }));
  assert.equal(pool.helperChunks + pool.callerChunks, before, `${m}×${k}·${k}×${n} shared out`);
  withBudget(2, () => arena.matmul({ a, b, c, m, n, k: k + 1 }));
  assert.ok(pool.helperChunks + pool.callerChunks > before, `${m}×${k + 1}·${k + 1}×${n} not shared out`);
});

/** A run's events (every step's metrics, flags, the final result) without timings and the start's backend description. */
function stream(events: ProbeEvent[]): string {
  assert.ok(events.filter((e) => e.type === 'step').length >= 3, 'measured steps');
  finished(events);
  return JSON.stringify(events.filter((e) => e.type !== 'started').map((e) => (e.type === 'finished' ? { ...e, timing: undefined } : e)));
}

test('a dense probe on the kernels: the same metric stream, bit for bit, on 1 and 2 threads', async () => {
  kernels();
  await kernelThreads().whenReady(1);
  const pool = kernelThreads();
  const req = request('he_normal', { hidden: [256, 256, 256], batch: 128, steps: 20, every: 5 });
  const one = await probe(req);
  const onTwo = async (): Promise<Awaited<ReturnType<typeof probe>>> => {
    setThreadBudget(2);
    try {
      return await probe(req);
    } finally {
      setThreadBudget(1);
    }
  };
  const before = pool.helperChunks;
  const two = await helpersDoEveryChunk(onTwo);
  assert.ok(pool.helperChunks - before > 100, 'kernel threads took chunks of the run');
  // As it runs for real: the calling thread and the helper take chunks as they come.
  const shared = pool.helperChunks + pool.callerChunks;
  const mixed = await onTwo();
  assert.ok(pool.helperChunks + pool.callerChunks - shared > 100, 'products shared out');
  assert.match(started(one.events).backendReason, /on up to 1 thread/);
  assert.match(started(two.events).backendReason, /on up to 2 threads/);
  assert.equal(stream(two.events), stream(one.events));
  assert.equal(stream(mixed.events), stream(one.events));
});

test('a conv probe on the kernels: the same metric stream, bit for bit, on 1 and 2 threads', async () => {
  kernels();
  await kernelThreads().whenReady(1);
  const { data, backend } = await engine();
  // Keras' conv MNIST example as written (conv 32 → pool → conv 64 → pool → dropout → dense).
  const file = join(__dirname, '..', 'fixtures', 'models', 'keras_conv_mnist.py');
  const model = pickSourceGraph(readFileSync(file, 'utf8'), 'python', 'keras_conv_mnist.py');
  const [req] = sourceModelRequests(model, { ...request('x').config, steps: 10, every: 5, probeBatch: 64, validationSubset: 200 }, undefined);
  const run = async (budget: number): Promise<{ events: ProbeEvent[] }> => {
    const events: ProbeEvent[] = [];
    setThreadBudget(budget);
    try {
      await runGraphProbe(req, model.graph, data, backend, { emit: (e) => events.push(e) }, performance.now(), 'auto');
      return { events };
    } finally {
      setThreadBudget(1);
    }
  };
  const one = await run(1);
  const pool = kernelThreads();
  const before = pool.helperChunks;
  const two = await helpersDoEveryChunk(() => run(2));
  assert.ok(pool.helperChunks - before > 20, 'kernel threads took chunks of the run');
  const mixed = await run(2);
  assert.match(started(two.events).backendReason, /InitLens WebAssembly SIMD matmul kernels.*on up to 2 threads/);
  assert.equal(stream(two.events), stream(one.events));
  assert.equal(stream(mixed.events), stream(one.events));
});

test('a process with kernel threads started exits on its own', () => {
  const script = `
    const { matmulKernels, WasmArena } = require(${JSON.stringify(join(__dirname, '../../src/probe/kernels/matmul.ts'))});
    const { setThreadBudget } = require(${JSON.stringify(join(__dirname, '../../src/probe/kernels/threadBudget.ts'))});
    const { kernelThreads } = require(${JSON.stringify(join(__dirname, '../../src/probe/kernels/threads.ts'))});
    setThreadBudget(3);
    kernelThreads().whenReady(2).then(() => {
      const arena = new WasmArena(matmulKernels(), WasmArena.bytesFor([256 * 256, 256 * 256, 256 * 256]));
      const [a, b, c] = [arena.alloc(256 * 256), arena.alloc(256 * 256), arena.alloc(256 * 256)];
      arena.matmul({ a, b, c, m: 256, n: 256, k: 256 });
      console.log('chunks shared out: ' + (kernelThreads().helperChunks + kernelThreads().callerChunks));
    });
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: join(__dirname, '../..') });
  assert.equal(r.signal, null, `killed (${r.signal}): the process did not exit on its own; stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /chunks shared out: 12/);
});

test('without SharedArrayBuffer: one thread, said in the backend description, and the same numbers', async () => {
  const req = request('he_normal', { hidden: [256, 256], batch: 128, steps: 10, every: 5 });
  const here = await probe(req);
  // A process where SharedArrayBuffer is missing (as in a browser without cross-origin isolation), budget 2.
  const script = `
    delete globalThis.SharedArrayBuffer;
    const { setThreadBudget } = require(${JSON.stringify(join(__dirname, '../../src/probe/kernels/threadBudget.ts'))});
    const { probe } = require(${JSON.stringify(join(__dirname, 'helpers.ts'))});
    setThreadBudget(2);
    probe(${JSON.stringify(req)}).then(({ events }) => console.log(JSON.stringify(events)));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 300_000, cwd: join(__dirname, '../..') });
  assert.equal(r.status, 0, r.stderr);
  const events = JSON.parse(r.stdout.trim().split('\n').pop()!) as ProbeEvent[];
  assert.match(started(events).backendReason, /InitLens WebAssembly SIMD matmul kernels.*, on 1 thread \(no SharedArrayBuffer\)/);
  assert.equal(stream(events), stream(here.events));
});

test('the budget is back to 1 after these tests', () => {
  assert.equal(threadBudget(), 1);
});
