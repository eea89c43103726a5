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
import { MATMUL_RELAXED_SHARED_WASM, MATMUL_RELAXED_WASM, MATMUL_SIMD_SHARED_WASM, MATMUL_SIMD_WASM } from './matmulWasm';
import { chunkCount, chunkRows, kernelThreads, Op, ROW_ALIGN, SHARED_MAX_PAGES, sharedMemoryUnavailable } from './threads';
import type { KernelThreads, Product } from './threads';
import { threadBudget } from './threadBudget';

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
  /** The same kernels importing a shared memory (arenas kernel threads work on), or null where that can't be had. */
  shared: WebAssembly.Module | null;
  /** Whether the module uses relaxed-SIMD fused multiply-adds. */
  fma: boolean;
  /** One line for the result's backend description: the kernels, and the threads they may use. */
  readonly description: string;
}

/** The kernels' description with what threads they use (read when a run starts, after the budget is set). */
function describe(kernels: string, shared: WebAssembly.Module | null): string {
  if (!shared) return `${kernels}, on 1 thread (${sharedMemoryUnavailable() ?? 'no WebAssembly threads'})`;
  const budget = threadBudget();
  return `${kernels}, on up to ${budget} thread${budget === 1 ? '' : 's'} at the start (the runner's budget, which it may raise during the run)`;
}

/** A module from base64 bytes, or null where the runtime does not validate it. */
function compiled(base64: string): WebAssembly.Module | null {
  const bytes = Buffer.from(base64, 'base64');
  return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
}

function kernelsOf(module: WebAssembly.Module, sharedBase64: string, fma: boolean, kernels: string): MatmulKernels {
  const shared = sharedMemoryUnavailable() === undefined ? compiled(sharedBase64) : null;
  return {
    module,
    shared,
    fma,
    get description() {
      return describe(kernels, shared);
    },
  };
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
      const module = compiled(MATMUL_RELAXED_WASM);
      if (module) found = kernelsOf(module, MATMUL_RELAXED_SHARED_WASM, true, 'InitLens WebAssembly SIMD matmul kernels with relaxed-SIMD FMA');
    }
    const plain = found ? null : compiled(MATMUL_SIMD_WASM);
    if (plain) {
      found = kernelsOf(plain, MATMUL_SIMD_SHARED_WASM, false, `InitLens WebAssembly SIMD matmul kernels (multiply + add${prefer === 'relaxed' ? ': no relaxed SIMD here' : ''})`);
    }
  }
  cache.set(prefer, found);
  return found;
}

const PAGE = 65536;
/** Slack after each allocation: the kernels may read 32 bytes past an operand. */
const SLACK = 64;

const EPILOGUE_CODE: Record<Epilogue, number> = { linear: 0, relu: 1, leaky_relu: 2 };

let arenaIds = 0;

/** Whether a memory is shared (then modules that import it must be their shared variants). */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * One WebAssembly memory holding the operands, with a bump allocator and the kernels bound to
 * it. Other modules (the Adam kernel) can import `memory` and work on the same arrays.
 *
 * Where shared WebAssembly memory can be had the memory is shared (whatever the thread budget
 * now: the runner may raise it during the run), and large products are split by rows over up to
 * `threadBudget()` threads (threads.ts), with results bit for bit those of one thread. Modules
 * importing the memory must then be their shared variants (`isShared`).
 *
 * Growing the memory (an `alloc` past `reserve`) detaches earlier Float32Array views of an
 * unshared memory (a shared one's old views stay valid, over the old length): take views with
 * `f32` after allocating, or reserve enough up front.
 */
export class WasmArena {
  readonly memory: WebAssembly.Memory;
  readonly kernels: MatmulKernels;
  /** This arena's number for the kernel threads. */
  readonly id = ++arenaIds;
  private top = 64;
  private readonly gemmFn: GemmFn;
  private readonly gemmBtFn: GemmBtFn;
  private readonly exports: KernelExports;
  /** The kernel threads, on a shared arena of the calling thread; undefined: one thread. */
  private readonly threads: KernelThreads | undefined;
  /** Set while this thread computes a chunk of a shared-out product (no sharing it out again). */
  private inPart = false;

  constructor(kernels: MatmulKernels, reserveBytes = PAGE, attachTo?: WebAssembly.Memory) {
    this.kernels = kernels;
    const initial = Math.max(1, Math.ceil((reserveBytes + 1024) / PAGE));
    const shared = attachTo ? isShared(attachTo) : kernels.shared !== null;
    this.memory = attachTo ?? new WebAssembly.Memory(shared ? { initial, maximum: SHARED_MAX_PAGES, shared: true } : { initial });
    this.threads = shared && !attachTo ? kernelThreads() : undefined;
    const module = shared ? kernels.shared! : kernels.module;
    const exports = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as KernelExports;
    this.exports = exports;
    this.gemmFn = exports.gemm;
    this.gemmBtFn = exports.gemm_bt;
  }

  /** The kernels on another thread's shared arena (a kernel thread's view of it: it never allocates). */
  static attach(sharedModule: WebAssembly.Module, memory: WebAssembly.Memory): WasmArena {
    return new WasmArena({ module: sharedModule, shared: sharedModule, fma: false, description: '' }, 0, memory);
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

  /** Shares a product out over `threads` threads (kernel threads and this one); `here` computes a block of rows here. */
  private share(product: Product, threads: number, here: (r0: number, r1: number) => void): void {
    this.threads!.run({ id: this.id, memory: this.memory, module: this.kernels.shared! }, product, threads, (r0, r1) => {
      this.inPart = true;
      try {
        here(r0, r1);
      } finally {
        this.inPart = false;
      }
    });
  }

  /** Threads for a product of `work` multiply-adds over `tiles` blocks of rows (1 when not worth splitting). */
  private threadsFor(work: number, tiles: number): number {
    return this.threads && !this.inPart ? this.threads.threadsFor(work, tiles) : 1;
  }

  /** C = op(A)·op(B) [+ C] [+ bias], then the activation or its derivative; see the module comment. */
  matmul(o: MatmulOptions): void {
    const t = o.transA && o.transB ? 1 : this.threadsFor(o.m * o.n * o.k, Math.ceil(o.m / ROW_ALIGN));
    if (t > 1) {
      const whole = matmulRows(o, 0, o.m);
      const rows = chunkRows(o.m, chunkCount(t, Math.ceil(o.m / ROW_ALIGN)), ROW_ALIGN);
      return this.share({ op: Op.Matmul, args: encodeMatmul(whole), rows }, t, (r0, r1) => this.matmul(matmulRows(whole, r0, r1)));
    }
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
  spmm(o: SpmmOptions): void {
    const t = this.threads ? this.threadsFor(o.n * this.entries(o.s), o.s.rows) : 1;
    if (t > 1) {
      const whole = spmmRows(o, 0, o.s.rows);
      return this.share({ op: Op.Spmm, args: encodeSpmm(whole), rows: this.spmmChunks(o.s, chunkCount(t, o.s.rows)) }, t, (r0, r1) => this.spmm(spmmRows(whole, r0, r1)));
    }
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

  /** Entries of a sparse matrix. */
  private entries(s: Csr): number {
    const ptr = new Int32Array(this.memory.buffer, s.ptr, s.rows + 1);
    return ptr[s.rows] - ptr[0];
  }

  /** Row starts of `chunks` blocks of a sparse matrix's rows with about as many entries each (a row costs its entries, plus a little). */
  private spmmChunks(s: Csr, chunks: number): number[] {
    const ptr = new Int32Array(this.memory.buffer, s.ptr, s.rows + 1);
    const cost = (r: number): number => ptr[r] - ptr[0] + 4 * r;
    const total = cost(s.rows);
    const rows = [0];
    for (let p = 1, r = 0; p < chunks; p++) {
      while (r < s.rows && cost(r) < (total * p) / chunks) r++;
      rows.push(r);
    }
    rows.push(s.rows);
    return rows;
  }

  /** Adds Σx and Σx² (float64) over n float32 at `at` to the two float64 at `acc`. */
  moments(at: number, n: number, acc: number): void {
    this.exports.moments(at, n, acc);
  }
}

/** C = S·B: a dense product's options but for A (the sparse S, whose rows are m) and k. */
export type SpmmOptions = Omit<MatmulOptions, 'a' | 'm' | 'k' | 'transA' | 'transB' | 'lda'> & { s: Csr };

const EPILOGUES: Epilogue[] = ['linear', 'relu', 'leaky_relu'];

/** Rows [r0, r1) of a dense product: op(A)'s rows, C's and D's rows; B and the bias whole. */
export function matmulRows(o: MatmulOptions, r0: number, r1: number): MatmulOptions {
  const lda = o.lda ?? (o.transA ? o.m : o.k);
  const ldc = o.ldc ?? o.n;
  return {
    ...o,
    m: r1 - r0,
    lda,
    ldb: o.ldb ?? (o.transB ? o.k : o.n),
    ldc,
    a: o.a + 4 * (o.transA ? r0 : r0 * lda),
    c: o.c + 4 * r0 * ldc,
    derivativeOf: o.derivativeOf ? o.derivativeOf + 4 * r0 * ldc : undefined,
  };
}

/** Rows [r0, r1) of a sparse product: S's rows, C's and D's rows; B and the bias whole. */
export function spmmRows(o: SpmmOptions, r0: number, r1: number): SpmmOptions {
  const ldc = o.ldc ?? o.n;
  return {
    ...o,
    s: { rows: r1 - r0, ptr: o.s.ptr + 4 * r0, col: o.s.col, val: o.s.val },
    ldb: o.ldb ?? o.n,
    ldc,
    c: o.c + 4 * r0 * ldc,
    derivativeOf: o.derivativeOf ? o.derivativeOf + 4 * r0 * ldc : undefined,
  };
}

/** A dense product's part as the numbers a kernel thread reads (decodeMatmul). */
function encodeMatmul(o: MatmulOptions): number[] {
  return [o.a, o.b, o.c, o.m, o.n, o.k, o.transA ? 1 : 0, o.transB ? 1 : 0, o.lda!, o.ldb!, o.ldc!, o.bias ?? 0, o.accumulate ? 1 : 0, EPILOGUE_CODE[o.activation ?? 'linear'], o.derivativeOf ?? 0, o.slope ?? 0];
}

export function decodeMatmul(x: Float64Array): MatmulOptions {
  return {
    a: x[0], b: x[1], c: x[2], m: x[3], n: x[4], k: x[5], transA: x[6] === 1, transB: x[7] === 1, lda: x[8], ldb: x[9], ldc: x[10],
    bias: x[11] || undefined, accumulate: x[12] === 1, activation: EPILOGUES[x[13]], derivativeOf: x[14] || undefined, slope: x[15],
  };
}

function encodeSpmm(o: SpmmOptions): number[] {
  return [o.s.rows, o.s.ptr, o.s.col, o.s.val, o.n, o.b, o.ldb!, o.c, o.ldc!, o.bias ?? 0, o.accumulate ? 1 : 0, EPILOGUE_CODE[o.activation ?? 'linear'], o.derivativeOf ?? 0, o.slope ?? 0];
}

export function decodeSpmm(x: Float64Array): SpmmOptions {
  return {
    s: { rows: x[0], ptr: x[1], col: x[2], val: x[3] }, n: x[4], b: x[5], ldb: x[6], c: x[7], ldc: x[8],
    bias: x[9] || undefined, accumulate: x[10] === 1, activation: EPILOGUES[x[11]], derivativeOf: x[12] || undefined, slope: x[13],
  };
}
