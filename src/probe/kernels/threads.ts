/**
 * Idle cores for the kernels: worker threads that run the same WebAssembly kernels on the arena's
 * shared memory, each on its own block of rows of a product, so one probe alone (or the last run
 * of a comparison) can use the cores the runner gives it (`threadBudget()`).
 *
 * How a product is shared out: it is cut into a few chunks of rows (more than threads), the
 * calling thread writes the product (an operation, its numbers, the chunks' rows) into each
 * helper's control block (a small SharedArrayBuffer), bumps the block's sequence number and wakes
 * the helper with Atomics.notify (a postMessage per product would cost more than the products it
 * splits). Then every thread, the caller included, takes the next chunk from a shared counter
 * (compare-and-swap, tagged with the product's number) until none is left, and the caller waits
 * (Atomics.wait) until every chunk is finished. A helper the OS has not scheduled yet (a busy
 * machine) just takes fewer chunks or none, instead of holding up a fixed half of the product;
 * a helper still busy with an earlier product (it woke late) is not given the next one. Helpers sleep in
 * Atomics.wait between products, so a helper is busy only while it has a chunk: never more
 * threads busy than the budget allows.
 *
 * Chunks are blocks of C's rows, never of the inner size k: every element of C is summed by one
 * thread in the order one thread would use, so results are bit for bit those of one thread
 * whatever the thread count. Row blocks of a dense product start at multiples of ROW_ALIGN, so
 * the kernels' register tiles (4 rows for gemm, 2 for gemm_bt) fall exactly where they do alone.
 *
 * Helpers start lazily: once a shared arena exists and the budget exceeds 1 (or, at the latest,
 * at the first product that wants them); a helper still starting up is not used yet (the product
 * goes on without it). They are unref'd, so they never keep the process alive. Where there is
 * no SharedArrayBuffer or no shared WebAssembly memory, arenas are not shared and everything runs
 * on the calling thread.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onThreadBudget, threadBudget } from './threadBudget';

/** The largest page count of a shared arena; the shared modules' import declares the same (scripts/assembleWat.mjs). */
export const SHARED_MAX_PAGES = 65536;

/** Row blocks of a dense product start at multiples of this (a multiple of every kernel's tile height). */
export const ROW_ALIGN = 8;

/**
 * Work below which a product stays on one thread: m·n·k multiply-adds for a dense product,
 * entries × columns for a sparse one; 4M is ~0.2 ms on one thread here. Measured with
 * bench/splitThreshold.ts on this project's 2-core machine at load 6–10 (other sessions' work,
 * so to be retaken on an idle machine): sharing a product out cost ~50–150 µs of waking and
 * scheduling, so products of 0.1–2M multiply-adds ran 2–10× slower on 2 threads; from ~8M on
 * they came within 0.8–1.3× of one thread, and a whole deep probe (whose products are 8M) ran
 * 1.29× faster on 2 threads (`node dist/bench.js --only alone`).
 */
export const MIN_SPLIT_WORK = 1 << 22;

/** Control block of one helper: int32 words, then float64 numbers (the product's, then its chunks' row starts). */
const SEQ = 0;
const DONE = 1;
const OP = 2;
const ARENA = 3;
const READY = 4;
const PRODUCT = 5;
const CHUNKS = 6;
const NARGS = 7;
const NUMBERS_AT = 64;
const NUMBER_COUNT = 64;
const CONTROL_BYTES = NUMBERS_AT + 8 * NUMBER_COUNT;
/** The shared counters (int32): the next chunk (product number << 8 | chunk), chunks finished, whether one failed. */
const NEXT = 0;
const FINISHED = 1;
const FAILED = 2;

/** Most chunks per product (they and the product's numbers fit a control block; the chunk fits 8 bits of NEXT). */
export const MAX_CHUNKS = 32;
/** Chunks per thread: enough that a late or slow thread leaves little for the others to wait on. */
const CHUNKS_PER_THREAD = 4;

export const enum Op {
  Stop = 0,
  Matmul = 1,
  Spmm = 2,
}

/** How many arenas a helper keeps bound (a probe process uses one at a time; tests use several). */
export const BOUND_ARENAS = 4;

/** What a helper needs to run kernels on an arena: its id, memory and compiled (shared) module. */
export interface ArenaBinding {
  id: number;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
}

/** A product to share out: its operation, its numbers, and the row starts of its chunks (chunks + 1, the last = rows). */
export interface Product {
  op: Op;
  args: readonly number[];
  rows: readonly number[];
}

interface Helper {
  worker: Worker;
  ints: Int32Array;
  numbers: Float64Array;
  port: MessagePort;
  seq: number;
  /** Arena ids bound in the helper, oldest first (the helper keeps the same list). */
  bound: number[];
  failed?: string;
}

/** Why shared WebAssembly memory can't be had here, or undefined when it can. */
let unavailable: string | undefined | null = null;
export function sharedMemoryUnavailable(): string | undefined {
  if (unavailable !== null) return unavailable;
  if (typeof SharedArrayBuffer !== 'function') unavailable = 'no SharedArrayBuffer';
  else if (!workerEntry()) unavailable = 'no kernel thread entry next to this bundle';
  else {
    try {
      const probe = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
      unavailable = probe.buffer instanceof SharedArrayBuffer ? undefined : 'WebAssembly memory is not shared';
    } catch (e) {
      unavailable = `no shared WebAssembly memory (${(e as Error).message})`;
    }
  }
  return unavailable;
}

/** How to start a helper: the bundled entry (dist/kernelThread.js) or, run from source under tsx, the .ts entry through tsx. */
function workerEntry(): { file: string } | { code: string } | undefined {
  const bundled = join(__dirname, 'kernelThread.js');
  if (existsSync(bundled)) return { file: bundled };
  const source = join(__dirname, 'kernelThread.ts');
  if (!__filename.endsWith('.ts') || !existsSync(source)) return undefined;
  try {
    const tsx = require.resolve('tsx/cjs/api');
    return { code: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});` };
  } catch {
    return undefined;
  }
}

/** The next chunk of product `product` (of `chunks`), or −1 when none is left or the product is over. */
function claim(counters: Int32Array, product: number, chunks: number): number {
  for (;;) {
    const w = Atomics.load(counters, NEXT);
    const chunk = w & 255;
    if (w >>> 8 !== product || chunk >= chunks) return -1;
    if (Atomics.compareExchange(counters, NEXT, w, w + 1) === w) return chunk;
  }
}

/** Counts a chunk finished; the last one wakes the caller. */
function finish(counters: Int32Array, chunks: number): void {
  if (Atomics.add(counters, FINISHED, 1) + 1 === chunks) Atomics.notify(counters, FINISHED);
}

/** The row starts of `chunks` chunks of `rows` rows, at multiples of `align` (the last start is `rows`). */
export function chunkRows(rows: number, chunks: number, align: number): number[] {
  const tiles = Math.ceil(rows / align);
  return Array.from({ length: chunks + 1 }, (_, i) => Math.min(rows, Math.round((tiles * i) / chunks) * align));
}

/** Chunks for a product over `threads` threads with `tiles` blocks of rows to share. */
export function chunkCount(threads: number, tiles: number): number {
  return Math.min(tiles, CHUNKS_PER_THREAD * threads, MAX_CHUNKS);
}

export class KernelThreads {
  private readonly helpers: Helper[] = [];
  private readonly counters = new Int32Array(new SharedArrayBuffer(16));
  private product = 0;
  /** The most threads (the caller included) that have worked on one product. */
  peak = 1;
  /** Chunks helpers computed, and chunks the calling thread computed, in products it shared out. */
  helperChunks = 0;
  callerChunks = 0;
  /** Products with less work stay on the calling thread (a knob for bench/splitThreshold.ts). */
  minSplitWork = MIN_SPLIT_WORK;
  /** Whether the calling thread takes chunks too (tests turn it off so that helpers compute every chunk). */
  callerTakesChunks = true;

  /**
   * Threads to use for a product of `work` units over `tiles` blocks of rows: 1 when not worth
   * splitting, else up to the budget, counting only helpers ready and idle now.
   */
  threadsFor(work: number, tiles: number): number {
    const budget = threadBudget();
    if (budget <= 1 || work < this.minSplitWork || tiles < 2) return 1;
    const wanted = Math.min(budget, tiles);
    this.start(wanted - 1);
    let idle = 0;
    for (const h of this.helpers) if (idle < wanted - 1 && this.isIdle(h)) idle++;
    return 1 + idle;
  }

  /**
   * Shares `product` out over `threads` threads (threadsFor's answer, the caller included):
   * `here(r0, r1)` computes rows r0..r1 on this thread. Returns when every chunk is done.
   */
  run(arena: ArenaBinding, product: Product, threads: number, here: (r0: number, r1: number) => void): void {
    const chunks = product.rows.length - 1;
    if (chunks > MAX_CHUNKS || product.args.length + chunks + 1 > NUMBER_COUNT) throw new Error('kernel threads: a product too large to share out');
    const used = this.helpers.filter((h) => this.isIdle(h)).slice(0, threads - 1);
    if (used.length === 0) throw new Error('kernel threads: no helper idle');
    this.product = (this.product % 0x7fffff) + 1;
    const c = this.counters;
    Atomics.store(c, FINISHED, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, NEXT, this.product << 8);
    for (const h of used) this.post(h, arena, product, this.product);
    this.peak = Math.max(this.peak, used.length + 1);
    let error: unknown;
    let mine = 0;
    if (this.callerTakesChunks) {
      for (let i = claim(c, this.product, chunks); i >= 0; i = claim(c, this.product, chunks)) {
        try {
          if (error === undefined) here(product.rows[i], product.rows[i + 1]);
        } catch (e) {
          error = e;
        }
        mine++;
        finish(c, chunks);
      }
    }
    // Wait for every chunk even when ours failed: the helpers write into the same memory.
    this.waitFinished(chunks);
    this.callerChunks += mine;
    this.helperChunks += chunks - mine;
    if (error !== undefined) throw error;
    if (Atomics.load(c, FAILED)) throw new Error('kernel thread: its part of a product failed');
  }

  /** Starts helpers (without waiting) so that there are `count`. */
  warm(count: number): void {
    if (count > 0) this.start(count);
  }

  /** Helpers (started or starting). */
  get started(): number {
    return this.helpers.length;
  }

  /** Starts `count` helpers if needed and resolves when they are ready and idle (tests, benches: products use them from then on). */
  async whenReady(count: number): Promise<void> {
    this.start(count);
    for (let tries = 0; ; tries++) {
      const helpers = this.helpers.slice(0, count);
      const failed = helpers.find((h) => h.failed !== undefined);
      if (failed) throw new Error(`kernel thread failed to start: ${failed.failed}`);
      if (helpers.length === count && helpers.every((h) => this.isIdle(h))) return;
      if (tries > 600) throw new Error('kernel threads not ready after 30 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops every helper (tests; the process needs no call: helpers are unref'd). */
  async stop(): Promise<void> {
    const helpers = this.helpers.splice(0);
    for (const h of helpers) {
      h.seq++;
      Atomics.store(h.ints, OP, Op.Stop);
      Atomics.store(h.ints, SEQ, h.seq);
      Atomics.notify(h.ints, SEQ);
    }
    await Promise.all(helpers.map((h) => h.worker.terminate()));
    this.peak = 1;
  }

  /** Ready, and done with the last product it was given (its control block may be rewritten). */
  private isIdle(h: Helper): boolean {
    return h.failed === undefined && Atomics.load(h.ints, READY) === 1 && Atomics.load(h.ints, DONE) === h.seq;
  }

  /** Starts helpers until there are `count`. */
  private start(count: number): void {
    const entry = workerEntry();
    if (!entry) return;
    while (this.helpers.length < count) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const { port1, port2 } = new MessageChannel();
      const options = { workerData: { control, counters: this.counters.buffer, port: port2 }, transferList: [port2] };
      const worker = 'file' in entry ? new Worker(entry.file, options) : new Worker(entry.code, { ...options, eval: true });
      const helper: Helper = { worker, ints: new Int32Array(control, 0, NUMBERS_AT / 4), numbers: new Float64Array(control, NUMBERS_AT, NUMBER_COUNT), port: port1, seq: 0, bound: [] };
      worker.on('error', (e) => (helper.failed = e.message));
      worker.on('exit', () => (helper.failed ??= 'exited'));
      worker.unref();
      port1.unref();
      this.helpers.push(helper);
    }
  }

  private post(h: Helper, arena: ArenaBinding, product: Product, id: number): void {
    if (!h.bound.includes(arena.id)) {
      // Delivered before the product: the helper reads it synchronously when it meets an unknown arena.
      h.port.postMessage({ id: arena.id, memory: arena.memory, module: arena.module });
      h.bound.push(arena.id);
      if (h.bound.length > BOUND_ARENAS) h.bound.shift();
    }
    h.numbers.set(product.args);
    h.numbers.set(product.rows, product.args.length);
    h.ints[OP] = product.op;
    h.ints[ARENA] = arena.id;
    h.ints[PRODUCT] = id;
    h.ints[CHUNKS] = product.rows.length - 1;
    h.ints[NARGS] = product.args.length;
    h.seq++;
    Atomics.store(h.ints, SEQ, h.seq);
    Atomics.notify(h.ints, SEQ);
  }

  /** Waits until `chunks` chunks are finished: a short spin (chunks end about together), then Atomics.wait. */
  private waitFinished(chunks: number): void {
    const c = this.counters;
    for (let spin = 0; spin < 4000 && Atomics.load(c, FINISHED) !== chunks; spin++);
    let waited = 0;
    for (let done = Atomics.load(c, FINISHED); done !== chunks; done = Atomics.load(c, FINISHED)) {
      if (Atomics.wait(c, FINISHED, done, 1000) === 'timed-out' && ++waited >= 60) throw new Error('kernel thread: no answer in 60 s');
    }
  }
}

let pool: KernelThreads | undefined;
/**
 * The process's helpers, made with the first shared arena: started when the budget exceeds 1
 * (then, or at a later budget change), so they are ready by the first large product.
 */
export function kernelThreads(): KernelThreads {
  if (!pool) {
    const made = new KernelThreads();
    pool = made;
    const warm = (budget: number): void => made.warm(budget - 1);
    onThreadBudget(warm);
    warm(threadBudget());
  }
  return pool;
}

/** The helper side of a control block and the shared counters: what kernelThread.ts runs. */
export interface HelperSide {
  ints: Int32Array;
  numbers: Float64Array;
  counters: Int32Array;
}

export function helperSide(control: SharedArrayBuffer, counters: SharedArrayBuffer): HelperSide {
  return { ints: new Int32Array(control, 0, NUMBERS_AT / 4), numbers: new Float64Array(control, NUMBERS_AT, NUMBER_COUNT), counters: new Int32Array(counters) };
}

/**
 * The helper's loop: say ready, then sleep until the sequence number moves, take chunks of the
 * product until none is left (`runChunk(op, arenaId, numbers, r0, r1)`), publish done. Returns on Stop.
 */
export function serve(side: HelperSide, runChunk: (op: Op, arena: number, args: Float64Array, r0: number, r1: number) => void): void {
  const { ints, numbers, counters } = side;
  let seen = 0;
  Atomics.store(ints, READY, 1);
  for (;;) {
    Atomics.wait(ints, SEQ, seen);
    const seq = Atomics.load(ints, SEQ);
    if (seq === seen) continue;
    seen = seq;
    const op = ints[OP] as Op;
    if (op === Op.Stop) return;
    // The block stays as it is until we publish done: the caller gives a busy helper nothing new.
    const product = ints[PRODUCT];
    const chunks = ints[CHUNKS];
    const nargs = ints[NARGS];
    const args = numbers.subarray(0, nargs);
    for (let i = claim(counters, product, chunks); i >= 0; i = claim(counters, product, chunks)) {
      try {
        runChunk(op, ints[ARENA], args, numbers[nargs + i], numbers[nargs + i + 1]);
      } catch {
        Atomics.store(counters, FAILED, 1);
      }
      finish(counters, chunks);
    }
    Atomics.store(ints, DONE, seq);
  }
}
