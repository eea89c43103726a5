/**
 * Adam and SGD with momentum, Keras' update rules, applied on Float32Arrays.
 *
 * Why not tf.train.adam: on the wasm backend each tfjs op costs tens of microseconds of
 * dispatch, and Adam is a dozen element-wise ops per variable — about half of a probe step for
 * the seed model. One loop per variable does the same arithmetic several times faster: Adam
 * runs in a small hand-written WebAssembly SIMD kernel (adam.wat; about 5× the JS loop, which
 * remains the fallback where WebAssembly SIMD is missing), momentum in JS.
 * A unit test checks the updates against tf.train.adam / tf.train.momentum.
 */
import { tf } from './tfjs';
import type { Variable } from '@tensorflow/tfjs-core';
import { ADAM_SHARED_WASM, ADAM_WASM } from './adamWasm';
import { lazyWasmModule } from './wasmModule';
import { isShared } from './kernels/matmul';
import { noteHostCopy } from './inputs';
import type { ArenaLayout } from './kernelStep';

export interface OptimizerSettings {
  kind: 'adam' | 'sgd';
  lr: number;
  momentum: number;
}

/** Keras defaults (keras.optimizers.Adam). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

type AdamKernel = (w: number, g: number, m: number, v: number, n: number, alpha: number, b1: number, c1: number, b2: number, c2: number, eps: number) => number;

/** The compiled Adam kernel, or null where WebAssembly SIMD is not available; the shared variant for a shared arena. */
const adamWasmModule = lazyWasmModule(ADAM_WASM);
const adamSharedModule = lazyWasmModule(ADAM_SHARED_WASM);

/** Weights, gradients, m and v of every variable in one WebAssembly memory, 16-byte aligned. */
class WasmAdamState {
  readonly weights: Float32Array[] = [];
  readonly grads: Float32Array[] = [];
  readonly m: Float32Array[] = [];
  readonly v: Float32Array[] = [];
  private readonly offsets: { w: number; g: number; m: number; v: number }[] = [];
  private readonly kernel: AdamKernel;

  constructor(modules: { plain: WebAssembly.Module; shared: () => WebAssembly.Module | null }, sizes: readonly number[], layout?: ArenaLayout) {
    const aligned = (n: number): number => Math.ceil((n * 4) / 16) * 16;
    let memory: WebAssembly.Memory;
    let take: (n: number) => [number, Float32Array];
    if (layout) {
      // Weights and gradients where the matmul kernels use them; m and v beside them.
      memory = layout.arena.memory;
      take = (n) => {
        const at = layout.arena.alloc(n);
        return [at, layout.arena.f32(at, n)];
      };
    } else {
      const bytes = sizes.reduce((sum, n) => sum + 4 * aligned(n), 0);
      memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
      let at = 0;
      take = (n) => {
        const offset = at;
        at += aligned(n);
        return [offset, new Float32Array(memory.buffer, offset, n)];
      };
    }
    const module = isShared(memory) ? modules.shared() : modules.plain;
    if (!module) throw new Error('Adam kernel: no shared variant for a shared arena');
    this.kernel = (new WebAssembly.Instance(module, { env: { memory } }).exports as { adam: AdamKernel }).adam;
    const mv = sizes.map((n) => [take(n), take(n)]);
    sizes.forEach((n, i) => {
      const [w, wv] = layout ? [layout.weights[i], layout.arena.f32(layout.weights[i], n)] : take(n);
      const [g, gv] = layout ? [layout.grads[i], layout.arena.f32(layout.grads[i], n)] : take(n);
      const [[m, mView], [v, vView]] = mv[i];
      this.offsets.push({ w, g, m, v });
      this.weights.push(wv);
      this.grads.push(gv);
      this.m.push(mView);
      this.v.push(vView);
    });
  }

  /** One Adam update of variable i from gradient g; returns Σ Δ². */
  step(i: number, g: Float32Array, alpha: number): number {
    if (g !== this.grads[i]) this.grads[i].set(g);
    const o = this.offsets[i];
    return this.kernel(o.w, o.g, o.m, o.v, this.weights[i].length, alpha, ADAM.beta1, 1 - ADAM.beta1, ADAM.beta2, 1 - ADAM.beta2, ADAM.epsilon);
  }
}

export class ArrayOptimizer {
  private readonly weights: Float32Array[];
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private readonly wasm: WasmAdamState | undefined;
  private t = 0;

  /** Whether every update is copied into the tfjs variables (else `syncVariables` does it). */
  private readonly syncEachStep: boolean;

  /**
   * `useWasm: false` forces the JS Adam loop (tests compare the two). `layout`: the weights and
   * gradients live in a matmul arena at these offsets (kernelStep.ts); the optimizer's state
   * goes in the same memory, and the tfjs variables are updated only by `syncVariables`.
   */
  constructor(
    private readonly variables: readonly Variable[],
    private readonly settings: OptimizerSettings,
    { useWasm = true, layout }: { useWasm?: boolean; layout?: ArenaLayout } = {},
  ) {
    const module = settings.kind === 'adam' && useWasm ? adamWasmModule() : null;
    this.syncEachStep = !layout;
    if (module) {
      this.wasm = new WasmAdamState({ plain: module, shared: adamSharedModule }, variables.map((x) => x.size), layout);
      this.weights = this.wasm.weights;
      this.m = this.wasm.m;
      this.v = this.wasm.v;
    } else if (layout) {
      const floats = (n: number): Float32Array => layout.arena.f32(layout.arena.alloc(n), n);
      this.weights = variables.map((x, i) => layout.arena.f32(layout.weights[i], x.size));
      this.m = variables.map((x) => floats(x.size));
      this.v = settings.kind === 'adam' ? variables.map((x) => floats(x.size)) : [];
    } else {
      this.weights = variables.map((x) => new Float32Array(x.size));
      this.m = variables.map((x) => new Float32Array(x.size));
      this.v = settings.kind === 'adam' ? variables.map((x) => new Float32Array(x.size)) : [];
    }
    variables.forEach((x, i) => {
      this.weights[i].set(x.dataSync() as Float32Array);
      noteHostCopy(x, this.weights[i]);
    });
  }

  /** Float32 counts the optimizer allocates besides weights and gradients (m and v). */
  static stateFloats(sizes: readonly number[], kind: OptimizerSettings['kind']): number {
    return sizes.reduce((sum, n) => sum + n + 20, 0) * (kind === 'adam' ? 2 : 1);
  }

  /** Copies the current weights into the tfjs variables (for tfjs ops that read them). */
  syncVariables(): void {
    this.variables.forEach((x, i) => {
      tf.tidy(() => x.assign(tf.tensor(this.weights[i], x.shape)));
      noteHostCopy(x, this.weights[i]);
    });
  }

  /** Whether Adam runs in the WebAssembly SIMD kernel. */
  get usesWasm(): boolean {
    return this.wasm !== undefined;
  }

  /** The current weights of variable i (the optimizer's master copy, same as the variable). */
  current(i: number): Float32Array {
    return this.weights[i];
  }

  /**
   * One update from gradients (same order as the variables). Returns ‖ΔW‖/‖W‖ per variable when
   * `measure` is set (the update-to-weight ratio), else undefined.
   */
  apply(grads: readonly Float32Array[], measure = false): number[] | undefined {
    this.t += 1;
    const ratios: number[] = [];
    const { lr, momentum } = this.settings;
    const alpha = (lr * Math.sqrt(1 - Math.pow(ADAM.beta2, this.t))) / (1 - Math.pow(ADAM.beta1, this.t));
    for (let i = 0; i < this.variables.length; i++) {
      const w = this.weights[i];
      const before = measure ? sumOfSquares(w) : 0;
      const deltaSquares = this.wasm
        ? this.wasm.step(i, grads[i], alpha)
        : this.settings.kind === 'adam'
          ? adamStep(w, grads[i], this.m[i], this.v[i], alpha, measure)
          : momentumStep(w, grads[i], this.m[i], lr, momentum, measure);
      if (measure) ratios.push(Math.sqrt(deltaSquares / before));
    }
    if (this.syncEachStep) this.syncVariables();
    return measure ? ratios : undefined;
  }
}

/** Σ a², summed in the order of the array (a float64 accumulator). */
export function sumOfSquares(a: Float32Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * a[k];
  return s;
}

/** Keras Adam: m, v moving averages; w -= α·m/(√v + ε) with α = lr·√(1−β2ᵗ)/(1−β1ᵗ). Returns ‖Δw‖² when asked. */
function adamStep(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, alpha: number, measure: boolean): number {
  const b1 = ADAM.beta1;
  const b2 = ADAM.beta2;
  const eps = ADAM.epsilon;
  let dd = 0;
  for (let k = 0; k < w.length; k++) {
    const gk = g[k];
    const mk = b1 * m[k] + (1 - b1) * gk;
    const vk = b2 * v[k] + (1 - b2) * gk * gk;
    m[k] = mk;
    v[k] = vk;
    const delta = (alpha * mk) / (Math.sqrt(vk) + eps);
    w[k] -= delta;
    if (measure) dd += delta * delta;
  }
  return dd;
}

/** Keras SGD with momentum: m = μ·m − lr·g; w += m. Returns ‖Δw‖² when asked. */
function momentumStep(w: Float32Array, g: Float32Array, m: Float32Array, lr: number, mu: number, measure: boolean): number {
  let dd = 0;
  for (let k = 0; k < w.length; k++) {
    const mk = mu * m[k] - lr * g[k];
    m[k] = mk;
    w[k] += mk;
    if (measure) dd += mk * mk;
  }
  return dd;
}
