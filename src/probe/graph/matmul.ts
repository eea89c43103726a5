/**
 * Every matrix product of the layer graph goes through here, so a faster kernel (a hand-written
 * WebAssembly SIMD one) can replace tfjs' in one place. Today: tfjs' matMul, with explicit
 * transposes (the wasm backend runs transposed matMuls several times slower than transpose + matMul).
 */
import { tf } from '../tfjs';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs-core';

/** op(a)·op(b) (+ bias per column). */
export function matMul(a: Tensor2D, b: Tensor2D, transposeA = false, transposeB = false, bias?: Tensor1D): Tensor2D {
  const left = transposeA ? tf.transpose(a) : a;
  const right = transposeB ? tf.transpose(b) : b;
  return bias ? (tf.fused.matMul({ a: left, b: right, bias }) as Tensor2D) : tf.matMul(left, right);
}
