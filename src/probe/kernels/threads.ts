/**
 * Idle cores for the kernels: worker threads that run the same WebAssembly kernels on the arena's
 * shared memory, each on its own block of rows of a product, so one probe alone (or the last run
 * of a comparison) can use the cores the runner gives it (`threadBudget()`).
 *
 * How a product is shared out: the calling thread writes each helper's part (an operation and its
 * numbers) into that helper's control block (a small SharedArrayBuffer), bumps the block's
 * sequence number and wakes the helper with Atomics.notify; it computes its own part meanwhile,
 * then waits (Atomics.wait) for each helper's done number. A postMessage per product would cost
 * more than the products it splits. Helpers sleep in Atomics.wait between products, so a helper
 * is busy only while it has a part: never more threads busy than the budget allows.
 *
 * Parts are blocks of C's rows, never of the inner size k: every element of C is summed by one
 * thread in the order one thread would use, so results are bit for bit those of one thread
 * whatever the thread count. Row blocks of a dense product start at multiples of ROW_ALIGN, so
 * the kernels' register tiles (4 rows for gemm, 2 for gemm_bt) fall exactly where they do alone.
 *
 * Helpers start lazily, the first time a product is large enough and the budget exceeds 1; a
 * helper still starting up is not used yet (the product goes on without it). They are unref'd,
 * so they never keep the process alive. Where there is no SharedArrayBuffer or no shared
 * WebAssembly memory, arenas are not shared and everything runs on the calling thread.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { threadBudget } from './threadBudget';

/** The largest page count of a shared arena; the shared modules' import declares the same (scripts/assembleWat.mjs). */
export const SHARED_MAX_PAGES = 65536;

/** Row blocks of a dense product start at multiples of this (a multiple of every kernel's tile height). */
export const ROW_ALIGN = 8;

/**
 * Work below which a product stays on one thread: m·n·k multiply-adds for a dense product,
 * entries × columns for a sparse one. Measured on this 2-core machine (bench/threadsBench.ts in
 * the report): waking a helper and waiting for it costs about what ~100k multiply-adds take.
 */
export const MIN_SPLIT_WORK = 1 << 18;

/** Control block of one helper: int32 words, then float64 arguments. */
const SEQ = 0;
const DONE = 1;
const STATUS = 2;
const OP = 3;
const ARENA = 4;
const READY = 5;
const ARGS_AT = 64;
const ARG_COUNT = 24;
const CONTROL_BYTES = ARGS_AT + 8 * ARG_COUNT;

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

/** One part of a product for a helper: the operation and its numbers (≤ ARG_COUNT). */
export interface Part {
  op: Op;
  args: readonly number[];
}

interface Helper {
  worker: Worker;
  ints: Int32Array;
  args: Float64Array;
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

export class KernelThreads {
  private readonly helpers: Helper[] = [];
  /** The most threads (the caller included) that have worked on one product. */
  peak = 1;
  /** Parts handed to helpers so far. */
  helperParts = 0;

  /** Threads to use for a product of `work` units with `rows` rows that can be split `align` apart. */
  threadsFor(work: number, rows: number, align: number): number {
    const budget = threadBudget();
    if (budget <= 1 || work < MIN_SPLIT_WORK) return 1;
    const wanted = Math.min(budget, Math.floor(rows / align));
    if (wanted <= 1) return 1;
    this.start(wanted - 1);
    let ready = 0;
    for (let h = 0; h < wanted - 1 && h < this.helpers.length; h++) if (this.isReady(this.helpers[h])) ready++;
    return 1 + ready;
  }

  /**
   * Runs parts[1..] on helpers and `own` (the caller's part) here, and returns when all are done.
   * parts.length − 1 helpers must be ready (threadsFor said so).
   */
  run(arena: ArenaBinding, parts: readonly Part[], own: () => void): void {
    const used = this.helpers.filter((h) => this.isReady(h)).slice(0, parts.length - 1);
    if (used.length < parts.length - 1) throw new Error('kernel threads: fewer helpers ready than parts');
    used.forEach((h, i) => this.post(h, arena, parts[i + 1]));
    this.peak = Math.max(this.peak, parts.length);
    this.helperParts += used.length;
    let error: unknown;
    try {
      own();
    } catch (e) {
      error = e;
    }
    // Wait for every helper even when our part failed: they write into the same memory.
    for (const h of used) {
      const failure = this.wait(h);
      if (failure && error === undefined) error = new Error(failure);
    }
    if (error !== undefined) throw error;
  }

  /** Helpers (started or starting). */
  get started(): number {
    return this.helpers.length;
  }

  /** Starts `count` helpers if needed and resolves when they are ready (tests, benches: products use them from then on). */
  async whenReady(count: number): Promise<void> {
    this.start(count);
    for (let tries = 0; ; tries++) {
      const helpers = this.helpers.slice(0, count);
      const failed = helpers.find((h) => h.failed !== undefined);
      if (failed) throw new Error(`kernel thread failed to start: ${failed.failed}`);
      if (helpers.length === count && helpers.every((h) => this.isReady(h))) return;
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

  private isReady(h: Helper): boolean {
    return h.failed === undefined && Atomics.load(h.ints, READY) === 1;
  }

  /** Starts helpers until there are `count`. */
  private start(count: number): void {
    const entry = workerEntry();
    if (!entry) return;
    while (this.helpers.length < count) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const { port1, port2 } = new MessageChannel();
      const options = { workerData: { control, port: port2 }, transferList: [port2] };
      const worker = 'file' in entry ? new Worker(entry.file, options) : new Worker(entry.code, { ...options, eval: true });
      const helper: Helper = { worker, ints: new Int32Array(control, 0, ARGS_AT / 4), args: new Float64Array(control, ARGS_AT, ARG_COUNT), port: port1, seq: 0, bound: [] };
      worker.on('error', (e) => (helper.failed = e.message));
      worker.on('exit', () => (helper.failed ??= 'exited'));
      worker.unref();
      port1.unref();
      this.helpers.push(helper);
    }
  }

  private post(h: Helper, arena: ArenaBinding, part: Part): void {
    if (!h.bound.includes(arena.id)) {
      // Delivered before the part: the helper reads it synchronously when it meets an unknown arena.
      h.port.postMessage({ id: arena.id, memory: arena.memory, module: arena.module });
      h.bound.push(arena.id);
      if (h.bound.length > BOUND_ARENAS) h.bound.shift();
    }
    if (part.args.length > ARG_COUNT) throw new Error('kernel threads: too many arguments');
    h.args.set(part.args);
    h.ints[OP] = part.op;
    h.ints[ARENA] = arena.id;
    h.seq++;
    Atomics.store(h.ints, SEQ, h.seq);
    Atomics.notify(h.ints, SEQ);
  }

  /** Waits for h's current part; returns its error, if any. */
  private wait(h: Helper): string | undefined {
    // Parts are the same size, so a helper is usually done about when we are: spin briefly first.
    for (let spin = 0; spin < 2000 && Atomics.load(h.ints, DONE) !== h.seq; spin++);
    let waited = 0;
    for (let done = Atomics.load(h.ints, DONE); done !== h.seq; done = Atomics.load(h.ints, DONE)) {
      if (Atomics.wait(h.ints, DONE, done, 1000) === 'timed-out' && ++waited >= 60) {
        h.failed = 'no answer in 60 s';
        return 'kernel thread: no answer in 60 s';
      }
    }
    return h.ints[STATUS] !== 0 ? 'kernel thread: its part of a product failed' : undefined;
  }
}

let pool: KernelThreads | undefined;
/** The process's helpers (none started until a product wants them). */
export function kernelThreads(): KernelThreads {
  return (pool ??= new KernelThreads());
}

/** The helper side of a control block: what kernelThread.ts runs. */
export interface HelperSide {
  ints: Int32Array;
  args: Float64Array;
}

export function helperSide(control: SharedArrayBuffer): HelperSide {
  return { ints: new Int32Array(control, 0, ARGS_AT / 4), args: new Float64Array(control, ARGS_AT, ARG_COUNT) };
}

/**
 * The helper's loop: say ready, then sleep until the sequence number moves, run the part
 * (`runPart(op, arenaId, args)`), publish done. Returns on Stop.
 */
export function serve(side: HelperSide, runPart: (op: Op, arena: number, args: Float64Array) => void): void {
  const { ints, args } = side;
  let seen = 0;
  Atomics.store(ints, READY, 1);
  for (;;) {
    Atomics.wait(ints, SEQ, seen);
    const seq = Atomics.load(ints, SEQ);
    if (seq === seen) continue;
    seen = seq;
    const op = ints[OP] as Op;
    if (op === Op.Stop) return;
    let status = 0;
    try {
      runPart(op, ints[ARENA], args);
    } catch {
      status = 1;
    }
    ints[STATUS] = status;
    Atomics.store(ints, DONE, seq);
    Atomics.notify(ints, DONE);
  }
}
