/**
 * The loops tfjs' wasm backend lacks or runs slowly: im2col and its adjoint (col2im) for
 * convolutions, and max/average pooling with their backward passes. Plain typed-array code
 * over channels-last (NHWC) data; no tensors here.
 */
import type { Padding } from '../../protocol';

export interface Window {
  /** Input height, width, channels. */
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Rows/columns added above and left (TensorFlow's 'same' puts the odd one below/right). */
  padTop: number;
  padLeft: number;
  oh: number;
  ow: number;
}

/** Output size and padding of a sliding window, as TensorFlow ('valid', 'same') and PyTorch (explicit) compute them. */
export function slidingWindow(h: number, w: number, c: number, kh: number, kw: number, sh: number, sw: number, padding: Padding): Window | undefined {
  let oh: number;
  let ow: number;
  let padTop = 0;
  let padLeft = 0;
  if (padding === 'valid') {
    oh = Math.floor((h - kh) / sh) + 1;
    ow = Math.floor((w - kw) / sw) + 1;
  } else if (padding === 'same') {
    oh = Math.ceil(h / sh);
    ow = Math.ceil(w / sw);
    padTop = Math.floor(Math.max((oh - 1) * sh + kh - h, 0) / 2);
    padLeft = Math.floor(Math.max((ow - 1) * sw + kw - w, 0) / 2);
  } else {
    [padTop, padLeft] = padding;
    oh = Math.floor((h + 2 * padTop - kh) / sh) + 1;
    ow = Math.floor((w + 2 * padLeft - kw) / sw) + 1;
  }
  if (!(oh >= 1 && ow >= 1)) return undefined;
  return { h, w, c, kh, kw, sh, sw, padTop, padLeft, oh, ow };
}

/** Whether some window reaches into the padding (its patch row has entries im2col leaves unwritten). */
export function reachesPadding(g: Window): boolean {
  return g.padTop > 0 || g.padLeft > 0 || (g.oh - 1) * g.sh + g.kh > g.h || (g.ow - 1) * g.sw + g.kw > g.w;
}

/**
 * [n, h, w, c] → [n·oh·ow, kh·kw·c (+1 with `withOnes`)], column order (kh, kw, c): Keras' kernel
 * [kh, kw, c, filters] flattened. Each (window row) is one contiguous run of the input (kw·c values where the window is
 * in bounds): when x and out share a buffer (the kernels' arena), long runs are one copyWithin.
 */
export function im2col(x: Float32Array, n: number, g: Window, out: Float32Array = new Float32Array(n * g.oh * g.ow * g.kh * g.kw * g.c), withOnes = false): Float32Array {
  const { h, w, c, kh, kw, sh, sw, padTop, padLeft, oh, ow } = g;
  // withOnes: a last column of ones, so the kernel's next row (the bias) adds in the product itself.
  const K = kh * kw * c + (withOnes ? 1 : 0);
  if (reachesPadding(g)) out.fill(0, 0, n * oh * ow * K);
  if (withOnes) for (let r = 0, at = K - 1; r < n * oh * ow; r++, at += K) out[at] = 1;
  const heap = x.buffer === out.buffer ? new Float32Array(x.buffer, 0, x.buffer.byteLength >> 2) : undefined;
  const xAt = x.byteOffset >> 2;
  const outAt = out.byteOffset >> 2;
  let row = 0;
  for (let b = 0; b < n; b++) {
    const img = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row++) {
        const base = row * K;
        const kx0 = Math.max(0, padLeft - ox * sw);
        const kx1 = Math.min(kw, w + padLeft - ox * sw);
        if (kx1 <= kx0) continue;
        const len = (kx1 - kx0) * c;
        for (let ky = 0; ky < kh; ky++) {
          const y = oy * sh + ky - padTop;
          if (y < 0 || y >= h) continue;
          const src = img + (y * w + ox * sw + kx0 - padLeft) * c;
          const dst = base + (ky * kw + kx0) * c;
          if (heap && len >= 16) heap.copyWithin(outAt + dst, xAt + src, xAt + src + len);
          else for (let e = 0; e < len; e++) out[dst + e] = x[src + e];
        }
      }
    }
  }
  return out;
}

/** The adjoint of im2col: sums each column entry back onto the input pixel it came from (into `out`, zeroed first). */
export function col2im(cols: Float32Array, n: number, g: Window, out: Float32Array = new Float32Array(n * g.h * g.w * g.c)): Float32Array {
  const { h, w, c, kh, kw, sh, sw, padTop, padLeft, oh, ow } = g;
  const K = kh * kw * c;
  out.fill(0, 0, n * h * w * c);
  let row = 0;
  for (let b = 0; b < n; b++) {
    const img = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row++) {
        const base = row * K;
        for (let ky = 0; ky < kh; ky++) {
          const y = oy * sh + ky - padTop;
          if (y < 0 || y >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const xx = ox * sw + kx - padLeft;
            if (xx < 0 || xx >= w) continue;
            const dst = img + (y * w + xx) * c;
            const src = base + (ky * kw + kx) * c;
            for (let ch = 0; ch < c; ch++) out[dst + ch] += cols[src + ch];
          }
        }
      }
    }
  }
  return out;
}

/** A monotone activation applied after max pooling: relu(max z) = max relu(z), on a quarter of the values. */
export type PoolActivation = 'relu' | 'leaky_relu';

/**
 * Max pooling; `argmax` (when training) receives, per output, the input index it took (for the backward pass).
 * Channels innermost: each window position reads c contiguous values. With `activation`, the
 * pooled value goes through it (the same as pooling the activation's output: it is monotone).
 */
export function maxPool(x: Float32Array, n: number, g: Window, argmax: Int32Array | undefined, out: Float32Array = new Float32Array(n * g.oh * g.ow * g.c), activation?: PoolActivation, slope = 0): Float32Array {
  const { h, w, c, kh, kw, sh, sw, padTop, padLeft, oh, ow } = g;
  for (let b = 0; b < n; b++) {
    const img = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - padTop);
      const y1 = Math.min(h, oy * sh - padTop + kh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - padLeft);
        const x1 = Math.min(w, ox * sw - padLeft + kw);
        const o = ((b * oh + oy) * ow + ox) * c;
        // The first element, not −∞: a NaN input still flows through.
        const first = img + (y0 * w + x0) * c;
        if (!argmax) {
          // Forward only: Math.max has no data-dependent branch to mispredict.
          for (let ch = 0; ch < c; ch++) {
            let m = x[first + ch];
            for (let y = y0; y < y1; y++) for (let xx = y === y0 ? x0 + 1 : x0; xx < x1; xx++) m = Math.max(m, x[img + (y * w + xx) * c + ch]);
            out[o + ch] = m;
          }
        } else {
          for (let ch = 0; ch < c; ch++) {
            out[o + ch] = x[first + ch];
            argmax[o + ch] = first + ch;
          }
        }
        for (let y = argmax ? y0 : y1; y < y1; y++) {
          for (let xx = y === y0 ? x0 + 1 : x0; xx < x1; xx++) {
            const src = img + (y * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[src + ch];
              if (v > out[o + ch]) {
                out[o + ch] = v;
                argmax![o + ch] = src + ch;
              }
            }
          }
        }
        if (activation === 'relu') {
          for (let ch = 0; ch < c; ch++) if (!(out[o + ch] > 0) && out[o + ch] === out[o + ch]) out[o + ch] = 0;
        } else if (activation === 'leaky_relu') {
          for (let ch = 0; ch < c; ch++) if (!(out[o + ch] > 0)) out[o + ch] *= slope;
        }
      }
    }
  }
  return out;
}

/**
 * dx (zeroed first) gets each output's gradient at the input it took; `count` outputs (default:
 * all of dy). With `activation` (see maxPool), also its derivative, read from the pooled output y.
 */
export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, inputSize: number, dx: Float32Array = new Float32Array(inputSize), count = dy.length, activation?: { kind: PoolActivation; y: Float32Array; slope: number }): Float32Array {
  dx.fill(0, 0, inputSize);
  if (!activation) {
    for (let o = 0; o < count; o++) dx[argmax[o]] += dy[o];
    return dx;
  }
  const { y, slope } = activation;
  const low = activation.kind === 'relu' ? 0 : slope;
  for (let o = 0; o < count; o++) dx[argmax[o]] += y[o] > 0 ? dy[o] : dy[o] * low;
  return dx;
}

/** Average pooling over the window's in-bounds elements (TensorFlow's 'same' excludes padding; PyTorch's count_include_pad is not modelled). */
export function avgPool(x: Float32Array, n: number, g: Window, backward?: Float32Array): Float32Array {
  const { h, w, c, kh, kw, sh, sw, padTop, padLeft, oh, ow } = g;
  const out = new Float32Array(backward ? n * h * w * c : n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    const img = b * h * w * c;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = Math.max(0, oy * sh - padTop);
      const y1 = Math.min(h, oy * sh - padTop + kh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = Math.max(0, ox * sw - padLeft);
        const x1 = Math.min(w, ox * sw - padLeft + kw);
        const inv = 1 / ((y1 - y0) * (x1 - x0));
        for (let ch = 0; ch < c; ch++, o++) {
          if (backward) {
            const d = backward[o] * inv;
            for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) out[img + (y * w + xx) * c + ch] += d;
          } else {
            let s = 0;
            for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) s += x[img + (y * w + xx) * c + ch];
            out[o] = s * inv;
          }
        }
      }
    }
  }
  return out;
}
