/**
 * The convolutional probe's data movement (patches.wat) bound to a matmul arena's memory: im2col,
 * col2im, max pooling with its argmax and a fused relu/leaky relu, and activations — the loops
 * that, in JS, took about as long as the matrix products around them. kernels.ts keeps the same
 * loops in JS for where WebAssembly SIMD is missing and for channel counts that aren't a
 * multiple of 4 (max pooling); graph.test.ts runs both against tf.grads.
 */
import { PATCHES_SHARED_WASM, PATCHES_WASM } from './patchesWasm';
import { lazyWasmModule } from '../wasmModule';
import { isShared } from '../kernels/matmul';
import type { Window } from './kernels';

type PatchFn = (x: number, cols: number, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, ld: number) => void;
type MaxPoolFn = (x: number, out: number, argmax: number, n: number, h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, oh: number, ow: number, act: number, slope: number) => void;
type ActivateFn = (z: number, out: number, n: number, act: number, slope: number) => void;
type MaxPoolBackFn = (dy: number, argmax: number, dx: number, inSize: number, count: number, y: number, low: number) => void;

export type PatchActivation = 'linear' | 'relu' | 'leaky_relu';
const ACT: Record<PatchActivation, number> = { linear: 0, relu: 1, leaky_relu: 2 };

const patchesModule = lazyWasmModule(PATCHES_WASM);
/** The same kernels for a shared arena (its memory import shared). */
const patchesSharedModule = lazyWasmModule(PATCHES_SHARED_WASM);

/** The kernels on `memory` (byte offsets into it), or undefined where WebAssembly SIMD is missing. */
export class PatchKernels {
  private readonly exports: { im2col: PatchFn; col2im: PatchFn; maxpool: MaxPoolFn; maxpool_back: MaxPoolBackFn; activate: ActivateFn };

  private constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports as PatchKernels['exports'];
  }

  static on(memory: WebAssembly.Memory): PatchKernels | undefined {
    const module = isShared(memory) ? patchesSharedModule() : patchesModule();
    return module ? new PatchKernels(module, memory) : undefined;
  }

  /** Copies every in-bounds window row of x ([n, h, w, c]) into its patch row (row stride ld); entries in padding are left as they are. */
  im2col(x: number, cols: number, n: number, g: Window, ld: number): void {
    this.exports.im2col(x, cols, n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft, g.oh, g.ow, ld);
  }

  /** Adds every patch row back onto x ([n, h, w, c]), which the caller zeroes first. */
  col2im(cols: number, x: number, n: number, g: Window, ld: number): void {
    this.exports.col2im(cols, x, n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft, g.oh, g.ow, ld);
  }

  /** Max pooling (g.c a multiple of 4); argmax (int32, 0 for none) gets the input index taken; then the activation. */
  maxPool(x: number, out: number, argmax: number, n: number, g: Window, activation: PatchActivation, slope: number): void {
    if (g.c % 4 !== 0) throw new Error('maxPool kernel: channels must be a multiple of 4');
    this.exports.maxpool(x, out, argmax, n, g.h, g.w, g.c, g.kh, g.kw, g.sh, g.sw, g.padTop, g.padLeft, g.oh, g.ow, ACT[activation], slope);
  }

  /**
   * Max pooling's backward pass: dx (inSize elements, zeroed here) gets each of `count` pooled
   * gradients at its argmax, times the activation's derivative from the pooled output y when given.
   */
  maxPoolBackward(dy: number, argmax: number, dx: number, inSize: number, count: number, activation?: { kind: 'relu' | 'leaky_relu'; y: number; slope: number }): void {
    this.exports.maxpool_back(dy, argmax, dx, inSize, count, activation ? activation.y : 0, activation ? (activation.kind === 'relu' ? 0 : activation.slope) : 1);
  }

  /** out = f(z) over n elements. */
  activate(z: number, out: number, n: number, activation: PatchActivation, slope: number): void {
    this.exports.activate(z, out, n, ACT[activation], slope);
  }
}
