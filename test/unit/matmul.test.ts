/** Our WebAssembly SIMD matrix products (src/probe/kernels) against float64 and tfjs' matMul. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, selectBackend } from '../../src/probe/tfjs';
import { matmulKernels, WasmArena } from '../../src/probe/kernels/matmul';
import type { Csr, Epilogue, MatmulKernels } from '../../src/probe/kernels/matmul';
import { compactRows, PIXEL_SCALE } from '../../src/probe/inputs';
import { mulberry32 } from '../../src/probe/random';

const SLOPE = 0.3;

function randomArray(n: number, random: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => 2 * random() - 1);
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  pad: number;
}

/** op(A)·op(B) in float64 from row-major stores with leading dimensions. */
function reference(a: Float32Array, b: Float32Array, c: Case, lda: number, ldb: number): Float64Array {
  const out = new Float64Array(c.m * c.n);
  for (let i = 0; i < c.m; i++)
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      for (let p = 0; p < c.k; p++) s += (c.transA ? a[p * lda + i] : a[i * lda + p]) * (c.transB ? b[j * ldb + p] : b[p * ldb + j]);
      out[i * c.n + j] = s;
    }
  return out;
}

/** |x − y| ≤ tol · (Σ|a||b| of that element), the float32 summation bound. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, what: string): void {
  for (let e = 0; e < want.length; e++) {
    const tol = 1e-6 * (scale[e] + 1e-30) * 8 + 1e-7;
    if (!(Math.abs(got[e] - want[e]) <= tol)) assert.fail(`${what}: element ${e}: ${got[e]} vs ${want[e]} (tolerance ${tol})`);
  }
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 3],
  [3, 1, 5],
  [4, 8, 4],
  [5, 9, 7],
  [7, 13, 1],
  [13, 10, 33],
  [32, 128, 455],
  [33, 17, 129],
  [64, 10, 128],
  [2, 3, 0],
  [6, 300, 301],
];

function kernelsUnderTest(): [string, MatmulKernels][] {
  const out: [string, MatmulKernels][] = [];
  const relaxed = matmulKernels('relaxed');
  const plain = matmulKernels('simd');
  assert.ok(plain, 'WebAssembly SIMD is available in Node 20');
  out.push(['multiply + add', plain]);
  // Node 20 validates the relaxed module once its V8 flag is set (matmulKernels sets it).
  assert.ok(relaxed?.fma, 'relaxed SIMD is enabled at run time');
  out.push(['relaxed FMA', relaxed]);
  return out;
}

for (const [name, kernels] of kernelsUnderTest()) {
  test(`every transpose variant, odd sizes and leading dimensions match float64 (${name})`, () => {
    const random = mulberry32(7);
    for (const [m, n, k] of SHAPES)
      for (const transA of [false, true])
        for (const transB of [false, true])
          for (const pad of [0, 3]) {
            const c: Case = { m, n, k, transA, transB, pad };
            const lda = (transA ? m : k) + pad;
            const ldb = (transB ? k : n) + pad;
            const ldc = n + pad;
            const aRows = transA ? k : m;
            const bRows = transB ? n : k;
            const arena = new WasmArena(kernels);
            const A = arena.alloc(aRows * lda);
            const B = arena.alloc(bRows * ldb);
            const C = arena.alloc(m * ldc);
            const a = randomArray(aRows * lda, random);
            const b = randomArray(bRows * ldb, random);
            arena.f32(A, a.length).set(a);
            arena.f32(B, b.length).set(b);
            arena.f32(C, m * ldc).fill(NaN); // every element must be written, the padding left alone
            arena.matmul({ a: A, b: B, c: C, m, n, k, transA, transB, lda, ldb, ldc });
            const want = reference(a, b, c, lda, ldb);
            const scale = reference(a.map(Math.abs), b.map(Math.abs), c, lda, ldb);
            const out = arena.f32(C, m * ldc);
            const got = new Float64Array(m * n);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) got[i * n + j] = out[i * ldc + j];
              for (let j = n; j < ldc; j++) assert.ok(Number.isNaN(out[i * ldc + j]), `padding of row ${i} overwritten`);
            }
            assertClose(got, want, scale, `${m}×${k}·${k}×${n} transA=${transA} transB=${transB} pad=${pad}`);
          }
  });

  test(`epilogues: bias, relu, leaky relu, their derivatives, accumulate (${name})`, () => {
    const random = mulberry32(11);
    for (const [m, n, k] of [[5, 11, 9], [32, 128, 40], [3, 10, 17], [9, 300, 250]] as const)
      for (const transB of [false, true])
        for (const activation of ['linear', 'relu', 'leaky_relu'] as Epilogue[]) {
          const arena = new WasmArena(kernels);
          const a = randomArray(m * k, random);
          const b = randomArray(k * n, random);
          const bias = randomArray(n, random);
          const before = randomArray(m * n, random);
          const d = randomArray(m * n, random).map((x, e) => (e % 5 === 0 ? 0 : x)); // exact zeros count as "not positive"
          const [A, B, Bias, C, D] = [arena.alloc(a.length), arena.alloc(b.length), arena.alloc(n), arena.alloc(m * n), arena.alloc(m * n)];
          arena.f32(A, a.length).set(a);
          arena.f32(B, b.length).set(b);
          arena.f32(Bias, n).set(bias);
          arena.f32(D, d.length).set(d);
          const c: Case = { m, n, k, transA: false, transB, pad: 0 };
          const ldb = transB ? k : n;
          // B stored as n×k when transposed: same random values, read the other way.
          const prod = reference(a, b, c, k, ldb);
          const scale = reference(a.map(Math.abs), b.map(Math.abs), c, k, ldb);
          const f = (v: number): number => (activation === 'relu' ? Math.max(v, 0) : activation === 'leaky_relu' ? (v > 0 ? v : SLOPE * v) : v);
          const fprime = (x: number): number => (activation === 'relu' ? (x > 0 ? 1 : 0) : activation === 'leaky_relu' ? (x > 0 ? 1 : SLOPE) : 1);

          arena.matmul({ a: A, b: B, c: C, m, n, k, transB, bias: Bias, activation, slope: SLOPE });
          assertClose(arena.f32(C, m * n), prod.map((v, e) => f(v + bias[e % n])), scale.map((s, e) => s + Math.abs(bias[e % n])), `bias+${activation}`);

          arena.f32(C, m * n).set(before);
          arena.matmul({ a: A, b: B, c: C, m, n, k, transB, accumulate: true });
          assertClose(arena.f32(C, m * n), prod.map((v, e) => v + before[e]), scale.map((s, e) => s + Math.abs(before[e])), 'accumulate');

          arena.matmul({ a: A, b: B, c: C, m, n, k, transB, derivativeOf: D, activation, slope: SLOPE });
          assertClose(arena.f32(C, m * n), prod.map((v, e) => v * fprime(d[e])), scale, `derivative of ${activation}`);
        }
  });
}

test('statistics helpers: act_stats, histogram, col_sums, sum_squares against JS loops, odd sizes, NaN', () => {
  const random = mulberry32(17);
  for (const kernels of [matmulKernels('relaxed'), matmulKernels('simd')]) {
    if (!kernels) continue;
    for (const [rows, units] of [[1, 1], [3, 5], [7, 4], [13, 130], [64, 10], [256, 128]] as const) {
      const n = rows * units;
      const arena: WasmArena = new WasmArena(kernels);
      const z = randomArray(n, random).map((x, e) => (e % 7 === 3 ? 0 : e % 11 === 5 ? -0 : x));
      if (n > 20) z[17] = NaN; // a NaN must stick in its unit's max and map as the JS does
      const [Z, A, ACC, MAX, COUNTS, OUT] = [arena.alloc(n), arena.alloc(n), arena.alloc(8), arena.alloc(units), arena.alloc(40), arena.alloc(units)];
      for (const activation of ['linear', 'relu', 'leaky_relu', 'given'] as const) {
        arena.f32(Z, n).set(z);
        const given = z.map((v) => Math.tanh(v));
        if (activation === 'given') arena.f32(A, n).set(given);
        const acc = new Float64Array(arena.memory.buffer, ACC, 4);
        acc.set([1, 2, 3, 4]); // added to, not overwritten
        arena.f32(MAX, units).fill(-Infinity);
        // Two calls over halves of the rows accumulate like one over all.
        const half = Math.floor(rows / 2);
        arena.actStats({ z: Z, a: A, rows: half, units, activation, slope: SLOPE, acc: ACC, umax: MAX });
        arena.actStats({ z: Z + 4 * half * units, a: A + 4 * half * units, rows: rows - half, units, activation, slope: SLOPE, acc: ACC, umax: MAX });
        const f = (v: number, e: number): number =>
          // leaky relu with a float32 slope, as the fused epilogue
          activation === 'relu' ? (v > 0 ? v : 0) : activation === 'leaky_relu' ? (v > 0 ? v : Math.fround(Math.fround(SLOPE) * v)) : activation === 'given' ? given[e] : v;
        const want = Float32Array.from(z, f);
        const got = arena.f32(A, n);
        for (let e = 0; e < n; e++) assert.ok(Object.is(got[e], want[e]) || (got[e] === 0 && want[e] === 0), `${activation} ${rows}×${units}: a[${e}] = ${got[e]}, want ${want[e]}`);
        const sums = [1, 2, 3, 4];
        const max = new Float64Array(units).fill(-Infinity);
        for (let e = 0; e < n; e++) {
          sums[0] += z[e];
          sums[1] += z[e] * z[e];
          sums[2] += want[e];
          sums[3] += want[e] * want[e];
          if (z[e] > max[e % units] || z[e] !== z[e]) max[e % units] = z[e];
        }
        sums.forEach((v, i) => assert.ok(Object.is(v, acc[i]) || Math.abs(v - acc[i]) <= 1e-12 * (Math.abs(v) + n), `${activation} ${rows}×${units}: moment ${i} ${acc[i]} vs ${v}`));
        // (−0 and 0 may differ in sign: both count as a dead unit's max)
        arena.f32(MAX, units).forEach((m: number, j: number) => assert.ok(m === max[j] || (m !== m && max[j] !== max[j]), `${activation} ${rows}×${units}: unit ${j} max ${m} vs ${max[j]}`));
      }
      // histogram, float64 bins as activationHistograms' JS loop
      const lo = -0.7;
      const hi = 0.9;
      const bins = 32;
      const width = (hi - lo) / bins;
      const limit = 0.01 * 0.9;
      const values = arena.f32(Z, n);
      values[0] = Infinity;
      if (n > 2) values[1] = -Infinity;
      const counts: Int32Array = new Int32Array(arena.memory.buffer, COUNTS, bins).fill(0);
      const nearGot = arena.histogram(Z, n, lo, width, bins, limit, COUNTS);
      const wantCounts = new Array<number>(bins).fill(0);
      let nearWant = 0;
      for (let e = 0; e < n; e++) {
        const v = values[e] === values[e] ? values[e] : 0;
        const k = Math.floor((v - lo) / width);
        wantCounts[k >= bins ? bins - 1 : k > 0 ? k : 0] += 1;
        if (Math.abs(v) < limit) nearWant += 1;
      }
      assert.deepEqual(Array.from(counts), wantCounts, `histogram ${rows}×${units}`);
      assert.equal(nearGot, nearWant, `near zero ${rows}×${units}`);
      // column sums in float32, row by row (bias gradients), and Σ x²
      const d = randomArray(n, random);
      arena.f32(A, n).set(d);
      arena.colSums(A, rows, units, OUT);
      const colWant = new Float32Array(units);
      for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) colWant[j] += d[r * units + j];
      assert.deepEqual(Array.from(arena.f32(OUT, units)), Array.from(colWant), `col_sums ${rows}×${units}`);
      let squares = 0;
      for (let e = 0; e < n; e++) squares += d[e] * d[e];
      assert.ok(Math.abs(arena.sumSquares(A, n) - squares) <= 1e-12 * squares, `sum_squares ${rows}×${units}`);
    }
  }
});

test('sparse products: csr_build + spmm give the dense products to the bit, x·W with epilogues and xᵀ·δ over every row', () => {
  const random = mulberry32(23);
  for (const kernels of [matmulKernels('relaxed'), matmulKernels('simd')]) {
    if (!kernels) continue;
    // rows × width used columns out of `features` inputs; n outputs (odd, a multiple of 16, and less than 4)
    for (const [rows, width, features, n] of [[1, 1, 1, 1], [3, 5, 9, 7], [32, 40, 61, 128], [17, 33, 33, 19], [64, 100, 130, 3], [5, 8, 8, 36]] as const) {
      const arena: WasmArena = new WasmArena(kernels);
      // Pixels: mostly exact zeros, some rows all zero.
      const x = randomArray(rows * width, random).map((v, e) => (Math.floor(e / width) % 4 === 1 || Math.abs(v) < 0.6 ? 0 : v));
      const cols = Int32Array.from({ length: width }, (_, c) => Math.floor((c * features) / width));
      const w = randomArray(features * n, random);
      const bias = randomArray(n, random);
      const delta = randomArray(rows * n, random);
      const [X, W, Bias, C, Dense, Map, Delta, G, GDense] = [rows * width, features * n, n, rows * n, rows * n, width, rows * n, features * n, features * n].map((k) => arena.alloc(k));
      const csr = { rows: 0, ptr: arena.alloc(rows + 1), col: arena.alloc(rows * width), val: arena.alloc(rows * width) };
      const csc = { rows: 0, ptr: arena.alloc(features + 1), col: arena.alloc(rows * width), val: arena.alloc(rows * width) };
      arena.f32(X, x.length).set(x);
      arena.f32(W, w.length).set(w);
      arena.f32(Bias, n).set(bias);
      arena.f32(Delta, delta.length).set(delta);
      new Int32Array(arena.memory.buffer, Map, width).set(cols);
      const nnz: number = arena.csrBuild(X, rows, width, width, Map, csr);
      assert.equal(nnz, x.filter((v) => v !== 0).length, `${rows}×${width}: nonzeros`);
      // The dense product reads W's used rows: gather them (what the dense path did).
      const Wu = arena.alloc(width * n);
      cols.forEach((f, c) => arena.f32(Wu + 4 * c * n, n).set(w.subarray(f * n, (f + 1) * n)));
      const same = (got: Float32Array, want: Float32Array, what: string): void => {
        for (let e = 0; e < want.length; e++) assert.ok(got[e] === want[e], `${what} ${rows}×${width}→${n}: element ${e}: ${got[e]} vs ${want[e]}`);
      };
      for (const activation of ['linear', 'relu', 'leaky_relu'] as Epilogue[]) {
        arena.spmm({ s: csr, n, b: W, c: C, bias: Bias, activation, slope: SLOPE });
        arena.matmul({ a: X, b: Wu, c: Dense, m: rows, n, k: width, bias: Bias, activation, slope: SLOPE });
        same(arena.f32(C, rows * n), arena.f32(Dense, rows * n), `x·W + b, ${activation}`);
      }
      // and against float64
      const ref = new Float64Array(rows * n);
      const scale = new Float64Array(rows * n);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < n; j++)
          for (let c = 0; c < width; c++) {
            ref[r * n + j] += x[r * width + c] * w[cols[c] * n + j];
            scale[r * n + j] += Math.abs(x[r * width + c] * w[cols[c] * n + j]);
          }
      arena.spmm({ s: csr, n, b: W, c: C });
      assertClose(arena.f32(C, rows * n), ref, scale, `x·W ${rows}×${width}→${n}`);
      // xᵀ·δ over every input feature: rows of unused features zero, even where they held something.
      arena.f32(G, features * n).fill(7);
      arena.csrTranspose(csr, features, csc);
      arena.spmm({ s: csc, n, b: Delta, c: G });
      arena.matmul({ a: X, transA: true, b: Delta, c: GDense, m: width, n, k: rows });
      const full = new Float32Array(features * n);
      const dense = arena.f32(GDense, width * n);
      // several used columns may be one feature only when features < width; here cols are distinct
      cols.forEach((f, c) => full.set(dense.subarray(c * n, (c + 1) * n), f * n));
      same(arena.f32(G, features * n), full, 'xᵀ·δ');
    }
  }
});

test('csr_from_bytes lists the nonzero pixels as compactRows + csr_build do; moments in float64', () => {
  const random = mulberry32(29);
  const kernels = matmulKernels()!;
  for (const [rows, size] of [[1, 5], [3, 784], [32, 784], [7, 33]] as const) {
    const images = Uint8Array.from({ length: (rows + 3) * size }, () => (random() < 0.75 ? 0 : Math.floor(random() * 256)));
    images.fill(0, size, 2 * size); // an all-black image
    const idx = Int32Array.from({ length: rows }, (_, r) => (r * 5) % (rows + 3));
    const arena: WasmArena = new WasmArena(kernels);
    const [src, table, x, map] = [arena.alloc(rows * size), arena.alloc(256), arena.alloc(rows * size), arena.alloc(size)];
    const bytes = new Uint8Array(arena.memory.buffer, src, rows * size);
    idx.forEach((i, r) => bytes.set(images.subarray(i * size, (i + 1) * size), r * size));
    arena.f32(table, 256).set(PIXEL_SCALE);
    const csr = (): Csr => ({ rows: 0, ptr: arena.alloc(rows + 1), col: arena.alloc(rows * size), val: arena.alloc(rows * size) });
    const [a, b] = [csr(), csr()];
    const nnz = arena.csrFromBytes(src, rows, size, table, a);
    const dense = compactRows(images, size, idx);
    arena.f32(x, dense.pixels.length).set(dense.pixels);
    new Int32Array(arena.memory.buffer, map, dense.width).set(dense.cols ?? Int32Array.from({ length: dense.width }, (_, c) => c));
    assert.equal(arena.csrBuild(x, rows, dense.width, dense.width, map, b), nnz, `${rows}×${size}: nonzeros`);
    const view = (c: Csr): number[][] => [Array.from(new Int32Array(arena.memory.buffer, c.ptr, rows + 1)), Array.from(new Int32Array(arena.memory.buffer, c.col, nnz)), Array.from(arena.f32(c.val, nnz))];
    assert.deepEqual(view(a), view(b), `${rows}×${size}: the same entries`);
  }
  const arena: WasmArena = new WasmArena(kernels);
  for (const n of [0, 1, 3, 4, 1001]) {
    const v = randomArray(n, random);
    const [at, acc] = [arena.alloc(n), arena.alloc(4)];
    arena.f32(at, n).set(v);
    const sums = new Float64Array(arena.memory.buffer, acc, 2);
    sums.set([0.5, 0.25]);
    arena.moments(at, n, acc);
    let s = 0.5;
    let ss = 0.25;
    for (const x of v) {
      s += x;
      ss += x * x;
    }
    assert.ok(Math.abs(sums[0] - s) <= 1e-12 * (1 + n) && Math.abs(sums[1] - ss) <= 1e-12 * (1 + n), `moments of ${n}: ${sums[0]}, ${sums[1]} vs ${s}, ${ss}`);
  }
});

test("the kernels agree with tfjs' matMul on the probe's shapes", async () => {
  await selectBackend('wasm');
  const kernels = matmulKernels()!;
  const random = mulberry32(3);
  // forward, weight gradient, input gradient of a 784→128 layer on a batch of 32 (455 used columns)
  for (const [m, n, k, transA, transB] of [
    [32, 128, 455, false, false],
    [455, 128, 32, true, false],
    [32, 455, 128, false, true],
    [128, 256, 256, false, false],
  ] as const) {
    const arena = new WasmArena(kernels);
    const aRows = transA ? k : m;
    const aCols = transA ? m : k;
    const bRows = transB ? n : k;
    const bCols = transB ? k : n;
    const a = randomArray(aRows * aCols, random);
    const b = randomArray(bRows * bCols, random);
    const [A, B, C] = [arena.alloc(a.length), arena.alloc(b.length), arena.alloc(m * n)];
    arena.f32(A, a.length).set(a);
    arena.f32(B, b.length).set(b);
    arena.matmul({ a: A, b: B, c: C, m, n, k, transA, transB });
    const want = tf.tidy(() => tf.matMul(tf.tensor2d(a, [aRows, aCols]), tf.tensor2d(b, [bRows, bCols]), transA, transB).dataSync());
    const got = arena.f32(C, m * n);
    let worst = 0;
    for (let e = 0; e < want.length; e++) worst = Math.max(worst, Math.abs(got[e] - want[e]));
    // Entries are sums of k products of [-1, 1] values (size ~√k); float32 summation differs by ~1e-6 of that.
    assert.ok(worst < 1e-5 * Math.sqrt(k) * 4, `${m}×${k}·${k}×${n}: max difference ${worst}`);
  }
});

test('the committed matmul bytes are matmul.wat assembled, with and without relaxed SIMD', async () => {
  const { kernelText, KERNELS, withoutRelaxed } = await import('../../scripts/assembleWat.mjs');
  const kernel = KERNELS.find((k) => k.wat.endsWith('matmul.wat'))!;
  assert.equal(readFileSync(join(__dirname, '..', '..', kernel.out), 'utf8'), await kernelText(kernel), `${kernel.out} is stale: run npm run build`);
  assert.equal(withoutRelaxed('(f32x4.relaxed_madd (local.get $x) (v128.load (local.get $p)) (local.get $c))'), '(f32x4.add (f32x4.mul (local.get $x) (v128.load (local.get $p))) (local.get $c))');
  const plain = withoutRelaxed(readFileSync(join(__dirname, '..', '..', kernel.wat), 'utf8'));
  assert.ok(!plain.includes('(f32x4.relaxed'), 'no relaxed instruction left in the fallback');
});
