/**
 * At most one flush per interval, never a lost update: the first poke after a quiet period
 * flushes at once, pokes within the interval collapse into one trailing flush. Probe processes
 * emit bursts (a step record and its flags, four runs at once); the webview gets ≤ 1000/interval
 * updates per second whatever the burst. The timer is injected so tests step time by hand.
 */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Throttle {
  private last = Number.NEGATIVE_INFINITY;
  private pending: unknown;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: () => void,
    private readonly timers: Timers = realTimers,
  ) {}

  poke(): void {
    if (this.disposed || this.pending !== undefined) return;
    const wait = this.last + this.intervalMs - this.timers.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.pending = this.timers.setTimeout(() => {
      this.pending = undefined;
      this.run();
    }, wait);
  }

  /** Flushes now if an update is waiting (e.g. the run ended: show the final state at once). */
  flushNow(): void {
    if (this.pending === undefined) return;
    this.timers.clearTimeout(this.pending);
    this.pending = undefined;
    this.run();
  }

  private run(): void {
    if (this.disposed) return;
    this.last = this.timers.now();
    this.flush();
  }

  dispose(): void {
    this.disposed = true;
    if (this.pending !== undefined) this.timers.clearTimeout(this.pending);
    this.pending = undefined;
  }
}
