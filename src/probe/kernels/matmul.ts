/**
 * Matrix products of our own in WebAssembly SIMD (matmul.wat), for dense layers and for
 * convolutions lowered to matrix products (im2col).
 *
 * Why not tfjs' matMul: on the wasm backend XNNPACK repacks the right-hand matrix on every call
 * (the probe's weights change every step, so about a third of a seed step went to repacking),
 * and each tfjs op costs tens of microseconds of dispatch. These kernels read the operands in
 * place, in any of the layouts a forward and backward pass needs, and fuse bias, activation
 * and activation derivative into the store.
 *
 * Usage:
 *   const k = matmulKernels();                  // null where WebAssembly SIMD is missing
 *   const arena = new WasmArena(k, bytesNeeded); // one memory; operands live in it
 *   const x = arena.alloc(m * kk), w = arena.alloc(kk * n), y = arena.alloc(m * n);
 *   arena.f32(x).set(...);                       // fill through Float32Array views
 *   arena.matmul({ a: x, b: w, c: y, m, n, k: kk, bias, activation: 'relu' });
 *
 * The three products of a layer y = f(x·W + b), with δ = ∂L/∂(x·W + b):
 *   forward            y  = f(x·W + b)       { a: x, b: W, bias, activation }
 *   weight gradient    ∂W = xᵀ·δ             { a: x, transA: true, b: δ }          (m = fanIn, k = batch)
 *   input gradient     δ' = (δ·Wᵀ) ⊙ f'(x)   { a: δ, b: W, transB: true, derivativeOf: x, activation }
 * For a convolution as im2col: x is the [batch·positions, kh·kw·cin] patch matrix, W the
 * [kh·kw·cin, cout] kernel; the input gradient comes out as patches (col2im is the caller's).
 *
 * An input that is mostly zeros (pixels) can be multiplied as a sparse matrix instead, with the
 * same sums: `csrBuild` (from floats) or `csrFromBytes` (from pixel bytes) lists x's nonzeros,
 * `spmm({ s: x, b: W, ... })` is the forward product with the same epilogues, and
 * `csrTranspose` then `spmm({ s: xᵀ, b: δ })` the weight gradient over every input row.
 * `actStats`, `histogram`, `colSums`, `sumSquares` and `moments` are the probe's statistics
 * loops on the same memory.
 *
 * Matrices are row-major Float32 in the arena's memory, addressed by byte offset, with leading
 * dimensions (lda/ldb/ldc, in elements; default: the row length) so sub-matrices work.
 * Every shape is allowed (odd m, n, k included). Kernels read up to 32 bytes past an operand,
 * which `alloc` leaves room for. Aᵀ·Bᵀ is done by transposing A into scratch first (slow
 * path; no pass needs it). Results equal the float64 product to float32 rounding; the summation
 * order differs from tfjs', and the relaxed variant rounds once per multiply-add (FMA).
 */
import { setFlagsFromString } from 'node:v8';
import { MATMUL_RELAXED_WASM, MATMUL_SIMD_WASM } from './matmulWasm';

export type Epilogue = 'linear' | 'relu' | 'leaky_relu';

export interface MatmulOptions {
  /** Byte offsets of A, B and C in the arena. */
  a: number;
  b: number;
  c: number;
  /** C is m×n; k is the inner size. */
  m: number;
  n: number;
  k: number;
  /** A is read as Aᵀ (stored k×m). */
  transA?: boolean;
  /** B is read as Bᵀ (stored n×k). */
  transB?: boolean;
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** Byte offset of a bias vector of n elements added to every row. */
  bias?: number;
  /** C += op(A)·op(B) instead of C = op(A)·op(B). */
  accumulate?: boolean;
  /** Applied to the result, or (with `derivativeOf`) its derivative multiplies the result. */
  activation?: Epilogue;
  /** Byte offset of the activation's output a (same layout as C): C ⊙= f'(a). relu: [a > 0]; leaky: a > 0 ? 1 : slope. */
  derivativeOf?: number;
  /** Leaky relu's negative slope. */
  slope?: number;
}

type GemmFn = (transA: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, bias: number, d: number, flags: number, slope: number) => void;
type GemmBtFn = (m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, bias: number, d: number, flags: number, slope: number) => void;
interface KernelExports {
  gemm: GemmFn;
  gemm_bt: GemmBtFn;
  act_stats: (z: number, a: number, rows: number, units: number, act: number, slope: number, acc: number, umax: number) => void;
  histogram: (p: number, n: number, lo: number, width: number, bins: number, limit: number, counts: number) => number;
  col_sums: (d: number, rows: number, units: number, out: number) => void;
  sum_squares: (p: number, n: number) => number;
  csr_build: (x: number, rows: number, width: number, ldx: number, map: number, ptr: number, col: number, val: number) => number;
  csr_transpose: (rows: number, ptr: number, col: number, val: number, cols: number, tptr: number, tcol: number, tval: number) => void;
  csr_from_bytes: (src: number, rows: number, size: number, table: number, ptr: number, col: number, val: number) => number;
  moments: (p: number, n: number, acc: number) => void;
  spmm: (rows: number, n: number, ptr: number, col: number, val: number, b: number, ldb: number, c: number, ldc: number, bias: number, d: number, flags: number, slope: number) => void;
}

/** A sparse matrix in the arena, row by row: byte offsets of its row starts (rows + 1 int32), column numbers (int32) and values (float32). */
export interface Csr {
  rows: number;
  ptr: number;
  col: number;
  val: number;
}

/** What `actStats` applies: an activation it computes, or `given` (a already holds f(z)). */
export type StatsActivation = Epilogue | 'given';
const STATS_CODE: Record<StatsActivation, number> = { linear: 0, relu: 1, leaky_relu: 2, given: 3 };

export interface MatmulKernels {
  module: WebAssembly.Module;
  /** Whether the module uses relaxed-SIMD fused multiply-adds. */
  fma: boolean;
  /** One line for the result's backend description. */
  description: string;
}

const cache = new Map<string, MatmulKernels | null>();

/**
 * Node 20 has relaxed SIMD behind a V8 flag, which can be set before the first module that
 * uses it is compiled; newer V8 (recent VS Code) has it on. Harmless where the flag is unknown.
 */
function enableRelaxedSimd(): void {
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/**
 * The compiled kernels: the relaxed-SIMD (FMA) module where the runtime validates it, else the
 * plain SIMD one, else null (no WebAssembly SIMD). `prefer: 'simd'` skips the relaxed one (tests).
 */
export function matmulKernels(prefer: 'relaxed' | 'simd' = 'relaxed'): MatmulKernels | null {
  if (cache.has(prefer)) return cache.get(prefer)!;
  let found: MatmulKernels | null = null;
  if (typeof WebAssembly === 'object') {
    if (prefer === 'relaxed') {
      enableRelaxedSimd();
      const bytes = Buffer.from(MATMUL_RELAXED_WASM, 'base64');
      if (WebAssembly.validate(bytes)) {
        found = { module: new WebAssembly.Module(bytes), fma: true, description: 'InitLens WebAssembly SIMD matmul kernels with relaxed-SIMD FMA' };
      }
    }
    const plain = Buffer.from(MATMUL_SIMD_WASM, 'base64');
    if (!found && WebAssembly.validate(plain)) {
      found = { module: new WebAssembly.Module(plain), fma: false, description: `InitLens WebAssembly SIMD matmul kernels (multiply + add${prefer === 'relaxed' ? ': no relaxed SIMD here' : ''})` };
    }
  }
  cache.set(prefer, found);
  return found;
}

const PAGE = 65536;
/** Slack after each allocation: the kernels may read 32 bytes past an operand. */
const SLACK = 64;

const EPILOGUE_CODE: Record<Epilogue, number> = { linear: 0, relu: 1, leaky_relu: 2 };

/**
 * One WebAssembly memory holding the operands, with a bump allocator and the kernels bound to
 * it. Other modules (the Adam kernel) can import `memory` and work on the same arrays.
 * Growing the memory (an `alloc` past `reserve`) detaches earlier Float32Array views: take
 * views with `f32` after allocating, or reserve enough up front.
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly kernels: MatmulKernels;
  private top = 64;
  private readonly gemmFn: GemmFn;
  private readonly gemmBtFn: GemmBtFn;
  private readonly exports: KernelExports;

  constructor(kernels: MatmulKernels, reserveBytes = PAGE) {
    this.kernels = kernels;
    this.memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((reserveBytes + 1024) / PAGE)) });
    const exports = new WebAssembly.Instance(kernels.module, { env: { memory: this.memory } }).exports as unknown as KernelExports;
    this.exports = exports;
    this.gemmFn = exports.gemm;
    this.gemmBtFn = exports.gemm_bt;
  }

  /** Bytes an arena needs for allocations of these element counts. */
  static bytesFor(counts: readonly number[]): number {
    return 64 + counts.reduce((sum, n) => sum + Math.ceil((4 * n + SLACK) / 16) * 16, 0);
  }

  /** A 16-byte-aligned block of n float32 (zeros), as a byte offset. */
  alloc(n: number): number {
    const at = this.top;
    this.top += Math.ceil((4 * n + SLACK) / 16) * 16;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / PAGE));
    return at;
  }

  /** A Float32Array view of n elements at a byte offset (valid until the memory grows). */
  f32(offset: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, n);
  }

  /** C = op(A)·op(B) [+ C] [+ bias], then the activation or its derivative; see the module comment. */
  matmul(o: MatmulOptions): void {
    const { m, n, k } = o;
    if (!(m >= 0 && n >= 0 && k >= 0 && Number.isInteger(m + n + k))) throw new Error(`matmul: bad shape ${m}×${k}·${k}×${n}`);
    const lda = o.lda ?? (o.transA ? m : k);
    const ldb = o.ldb ?? (o.transB ? k : n);
    const ldc = o.ldc ?? n;
    const act = EPILOGUE_CODE[o.activation ?? 'linear'] << 1;
    const slope = o.slope ?? 0;
    const { a, b } = o;
    if (o.transA && o.transB) {
      // Aᵀ·Bᵀ: A (k×m) transposed into scratch at the top of the arena, then A'·Bᵀ.
      const mark = this.top;
      const t = this.alloc(m * k);
      const src = this.f32(a, Math.max(0, (k - 1) * lda + m));
      const dst = this.f32(t, m * k);
      for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) dst[i * k + p] = src[p * lda + i];
      this.matmul({ ...o, a: t, lda: k, transA: false });
      this.top = mark;
      return;
    }
    // Panels of C's columns whose slice of B (k × nc) stays in the L2 cache (~128 KB): every
    // row of A then meets a cached panel, and C is written once.
    const nc = Math.max(8, Math.floor(32768 / Math.max(1, k) / 8) * 8);
    const flags = (o.accumulate ? 1 : 0) | act;
    for (let j0 = 0; j0 < n; j0 += nc) {
      const nb = Math.min(nc, n - j0);
      const bias = o.bias ? o.bias + 4 * j0 : 0;
      const d = o.derivativeOf ? o.derivativeOf + 4 * j0 : 0;
      const c = o.c + 4 * j0;
      if (!o.transB) this.gemmFn(o.transA ? 1 : 0, m, nb, k, a, lda, b + 4 * j0, ldb, c, ldc, bias, d, flags, slope);
      else this.gemmBtFn(m, nb, k, a, lda, b + 4 * j0 * ldb, ldb, c, ldc, bias, d, flags, slope);
    }
  }

  /**
   * a = f(z) on a rows×units block (row-major, contiguous; a may equal z), with the block's
   * moments: adds Σz, Σz², Σa, Σa² (float64) to the four float64 at `acc` and takes each unit's
   * max of z into the `units` float32 at `umax` (a NaN sticks). f = `given`: a already holds f(z).
   * relu maps NaN to 0 and leaky relu keeps it, as the JS loops they replace.
   */
  actStats(o: { z: number; a: number; rows: number; units: number; activation: StatsActivation; slope?: number; acc: number; umax: number }): void {
    this.exports.act_stats(o.z, o.a, o.rows, o.units, STATS_CODE[o.activation], o.slope ?? 0, o.acc, o.umax);
  }

  /**
   * Adds the n values at `at` to `bins` int32 counts at `counts`: bin ⌊(v − lo)/width⌋ clamped to
   * the ends, NaN counted as 0, computed in float64; returns how many have |v| < limit.
   */
  histogram(at: number, n: number, lo: number, width: number, bins: number, limit: number, counts: number): number {
    return this.exports.histogram(at, n, lo, width, bins, limit, counts);
  }

  /** out[j] = Σ_r d[r][j] over a rows×units block, in float32, row by row (bias gradients). */
  colSums(d: number, rows: number, units: number, out: number): void {
    this.exports.col_sums(d, rows, units, out);
  }

  /** Σ x² over n float32 at `at`, in float64. */
  sumSquares(at: number, n: number): number {
    return this.exports.sum_squares(at, n);
  }

  /**
   * The nonzeros of a dense block x (rows×width float32, row stride ldx) into `out` (room for
   * rows + 1 and rows·width entries), row by row, column c recorded as map[c] (int32 at `map`).
   * Returns the number of entries.
   */
  csrBuild(x: number, rows: number, width: number, ldx: number, map: number, out: Csr): number {
    out.rows = rows;
    return this.exports.csr_build(x, rows, width, ldx, map, out.ptr, out.col, out.val);
  }

  /** `s`'s entries column by column into `out` (cols + 1 row starts), rows increasing within a column. */
  csrTranspose(s: Csr, cols: number, out: Csr): void {
    out.rows = cols;
    this.exports.csr_transpose(s.rows, s.ptr, s.col, s.val, cols, out.ptr, out.col, out.val);
  }

  /**
   * C = S·B with matmul's epilogue (bias, activation or its derivative, accumulate): row r of C
   * is Σ val·B[col] over row r of S, in order, so the sums are those of the dense product with
   * the zeros left out (to the bit, as long as B holds no infinities). B has ldb, C ldc.
   */
  spmm(o: { s: Csr; n: number; b: number; ldb?: number; c: number; ldc?: number; bias?: number; accumulate?: boolean; activation?: Epilogue; derivativeOf?: number; slope?: number }): void {
    const flags = (o.accumulate ? 1 : 0) | (EPILOGUE_CODE[o.activation ?? 'linear'] << 1);
    this.exports.spmm(o.s.rows, o.n, o.s.ptr, o.s.col, o.s.val, o.b, o.ldb ?? o.n, o.c, o.ldc ?? o.n, o.bias ?? 0, o.derivativeOf ?? 0, flags, o.slope ?? 0);
  }

  /**
   * The nonzero bytes of `rows` rows of `size` bytes at `src` (pixels) into `out`, row by row:
   * column = the byte's place in its row, value = table[byte] (256 float32 at `table`).
   * Returns the number of entries.
   */
  csrFromBytes(src: number, rows: number, size: number, table: number, out: Csr): number {
    out.rows = rows;
    return this.exports.csr_from_bytes(src, rows, size, table, out.ptr, out.col, out.val);
  }

  /** Adds Σx and Σx² (float64) over n float32 at `at` to the two float64 at `acc`. */
  moments(at: number, n: number, acc: number): void {
    this.exports.moments(at, n, acc);
  }
}
