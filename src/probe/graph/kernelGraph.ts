/**
 * The layer graph's training step, measurements and evaluation on InitLens' own WebAssembly SIMD
 * matrix kernels (kernels/matmul.ts), for sequential graphs of the kinds handled here (dense and
 * conv2d with linear/relu/leaky relu, pooling, flatten/reshape, dropout, such activation layers,
 * a softmax output). Everything else runs on model.ts' tfjs path, which computes the same numbers.
 *
 * Why: on tfjs' wasm backend every matMul repacks its right-hand operand (XNNPACK) and every op
 * costs tens of microseconds of dispatch; a convolutional step is dozens of ops. Here every array
 * of a step lives in one WebAssembly memory: im2col writes the patch matrix there, the kernels
 * read it and the weights in place (bias and activation fused into the store), the backward
 * products read the same patches (∂W = colsᵀ·δ) and write the input gradient as patches for
 * col2im, and the Adam kernel updates the weights in the same memory. No tfjs op runs in a step.
 * Measurements and evaluation run the same forward pass on chunks of rows and reduce in JS.
 * A unit test checks every pass against tf.grads, and whole probes against the tfjs path.
 */
import type { LayerStepStats } from '../../protocol';
import type { Graph } from './model';
import type { BuiltLayer } from './model';
import { WasmArena } from '../kernels/matmul';
import type { Epilogue, MatmulKernels } from '../kernels/matmul';
import type { ArenaLayout } from '../kernelStep';
import type { Window } from './kernels';
import { applyActivation, multiplyDerivative, softmaxRows } from '../kernelStep';
import { softmaxCrossEntropy } from '../backprop';
import { LEAKY_SLOPE } from '../network';
import { distinctUnits } from '../stats';
import { sumOfSquares } from '../optimizer';
import { avgPool, col2im, im2col, maxPool, maxPoolBackward, reachesPadding } from './kernels';
import { PatchKernels } from './patchKernels';
import { accumulateMoments, newLayerMoments, summarizeMoments, weightStd } from '../layerMoments';
import type { LayerMoments } from '../layerMoments';

/** What the probe batch's forward pass measures per layer (the step adds gradients and updates). */
export type ForwardLayerStats = Omit<LayerStepStats, 'gradNorm' | 'biasGradNorm' | 'backwardSecondMoment' | 'updateRatio'>;

/**
 * A measured layer's forward statistics from its float64 moments and its parameters, the same
 * way on both engines (this one and run.ts' tfjs ops). Kernel layout [fanIn, units]; a unit is
 * a dense layer's unit or a convolution's filter (dead when its pre-activation is never positive).
 */
export function forwardLayerStats(
  moments: LayerMoments,
  p: { kernel: Float32Array; bias: Float32Array; fanIn: number; isOutput: boolean; isConv: boolean; saturatedFraction: number },
): ForwardLayerStats {
  const s = summarizeMoments(moments);
  const units = moments.zMax.length;
  return {
    preActivationMean: finite(s.preActivationMean),
    preActivationVariance: finite(s.preActivationVariance),
    activationMean: finite(s.activationMean),
    activationVariance: finite(s.activationVariance),
    activationSecondMoment: finite(s.activationSecondMoment),
    deadFraction: p.isOutput ? 0 : s.deadChannels / units,
    saturatedFraction: p.saturatedFraction,
    weightStd: finite(weightStd(p.kernel)),
    distinctUnits: distinctUnits(p.kernel, p.bias, p.fanIn, units),
    ...(p.isConv ? { channelVarianceMin: finite(s.channelVarianceMin), channelVarianceMax: finite(s.channelVarianceMax) } : {}),
  };
}

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const win = (l: BuiltLayer): NonNullable<BuiltLayer['window']> => l.window!;
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Activations the kernels fuse into the matmul's store (and their derivative into the backward one). */
const FUSED: ReadonlySet<string> = new Set<Epilogue>(['linear', 'relu', 'leaky_relu']);

/** Why this graph runs on tfjs ops rather than these kernels, or undefined when it can run here. */
export function kernelGraphUnsupported(graph: Graph): string | undefined {
  const last = graph.layers.length - 1;
  for (const l of graph.layers) {
    const s = l.spec;
    if (l.index > 0 && (l.inputs.length !== 1 || l.inputs[0] !== l.index - 1)) return `${s.name}: not a sequential model`;
    switch (s.kind) {
      case 'input':
      case 'max_pooling2d':
      case 'average_pooling2d':
      case 'global_average_pooling2d':
      case 'flatten':
      case 'reshape':
      case 'dropout':
        break;
      case 'dense':
      case 'conv2d':
        if (!FUSED.has(s.activation) && !(s.activation === 'softmax' && graph.logitsArePre && l.index === last)) return `${s.name}: ${s.activation}`;
        break;
      case 'activation':
        if (!FUSED.has(s.activation) && !(s.activation === 'softmax' && l.index === last && !graph.logitsArePre)) return `${s.name}: ${s.activation}`;
        break;
      default:
        return `${s.name}: ${s.kind}`;
    }
  }
  return undefined;
}

type Mode = 'train' | 'measure' | 'eval';

/** Rows of x per block of a weight-gradient product (see weightGradient). */
const K_BLOCK = 512;

interface Node {
  layer: BuiltLayer;
  /** Values per example, output and input. */
  size: number;
  inSize: number;
  /** Byte offsets in the arena: output (rows × size), the pre-activation when it is not the output, patches, ∂L/∂output (batch × size). */
  out: number;
  pre?: number;
  cols?: number;
  dOut: number;
  act: Epilogue;
  argmax?: Int32Array;
  /** Max pooling on the patch kernels: its argmax (int32) in the arena. */
  argmaxAt?: number;
  mask?: Float32Array;
  /** Dense/conv2d feeding a max pooling: the pooling applies the activation (and its derivative) to its 4× fewer values, outside measuring. */
  pooled?: boolean;
  /** Max pooling: the activation of the layer before, applied after pooling (see `pooled`). */
  poolAct?: 'relu' | 'leaky_relu';
  /**
   * Conv2d feeding a 'valid' max pooling that drops its last rows/columns (11×11 pooled by 2
   * reads 10×10), and that pooling: the windows over only the positions the pooling reads. Outside
   * measuring, the conv computes just those (the others' outputs are never read and get no
   * gradient): the same function and gradients with fewer products.
   */
  usedWindow?: Window;
  w?: number;
  b?: number;
  gw?: number;
  gb?: number;
  /** Dense/conv2d: inner size (fanIn) and units (filters). */
  k?: number;
  /**
   * Conv2d with a bias: the patches carry a column of ones and the bias is the kernel's next row in
   * memory, so x·W + b is one product without an epilogue, and its ∂W product's last row is ∂b.
   */
  folded?: boolean;
  units?: number;
}


export interface KernelGraphStep {
  loss: number;
  accuracy: number;
  /** Gradients in graph.variables order (views into the arena, valid until the next step). */
  grads: Float32Array[];
  /** On measured steps: ‖∂W‖, ‖∂b‖ and E[(batch·δ)²] per measured layer, in that order (as run.ts reads them). */
  extra?: Float32Array;
}

export class KernelGraph {
  readonly arena: WasmArena;
  readonly layout: ArenaLayout;
  /** Rows of the forward buffers: the batch, or a chunk of measured/evaluated rows. */
  readonly rows: number;
  private readonly nodes: Node[] = [];
  private readonly x: number;
  private readonly inputSize: number;
  private readonly dcols: number;
  private readonly wT: number;
  /** A row of ones: bias gradients as 1ᵀ·δ on the kernels. */
  private readonly ones: number;
  /** im2col, col2im, max pooling and activations in WebAssembly SIMD (patches.wat); undefined: the JS loops. */
  private readonly patches: PatchKernels | undefined;

  constructor(
    kernels: MatmulKernels,
    private readonly graph: Graph,
    private readonly batch: number,
    chunk: number,
    /** Float32 the optimizer will allocate in the arena (ArrayOptimizer.stateFloats). */
    extraFloats: number,
    /** false: the JS loops of kernels.ts instead of patches.wat (tests run both). */
    usePatchKernels = true,
  ) {
    const R = Math.max(batch, chunk);
    this.rows = R;
    const layers = graph.layers;
    this.inputSize = product(layers[0].outShape);
    // Sizes first, so the memory is reserved once: growing it would detach the optimizer's views.
    const counts: number[] = [R * this.inputSize, extraFloats];
    let dcols = 0;
    let wT = 0;
    let positions = batch;
    for (const l of layers) {
      const s = l.spec;
      const size = product(l.outShape);
      if (s.kind === 'input' || s.kind === 'flatten' || s.kind === 'reshape') continue;
      counts.push(R * size, batch * size);
      if (s.kind === 'dense' || s.kind === 'conv2d') {
        if (s.activation === 'relu' || s.activation === 'leaky_relu') counts.push(R * size);
        const kw = l.kernel!.size;
        counts.push(kw, kw, l.kernel!.shape[1]!, l.kernel!.shape[1]!);
        if (s.kind === 'conv2d') counts.push(R * win(l).oh * win(l).ow);
      }
      if (s.kind === 'max_pooling2d') counts.push(R * size);
      if (s.kind === 'dense' || s.kind === 'conv2d') {
        wT = Math.max(wT, l.kernel!.size);
        if (s.kind === 'conv2d') {
          const win = l.window!;
          const patches = win.oh * win.ow * win.kh * win.kw * win.c;
          counts.push(R * patches);
          dcols = Math.max(dcols, batch * patches);
          positions = Math.max(positions, batch * win.oh * win.ow);
        }
      }
    }
    counts.push(dcols, wT, positions);
    this.arena = new WasmArena(kernels, WasmArena.bytesFor(counts) + 64 * counts.length + 65536);
    this.patches = usePatchKernels ? PatchKernels.on(this.arena.memory) : undefined;
    const take = (n: number): number => this.arena.alloc(n);
    this.x = take(R * this.inputSize);
    this.dcols = take(dcols);
    this.wT = take(wT);
    this.ones = take(positions);
    this.f32(this.ones, positions).fill(1);
    const weights: number[] = [];
    const grads: number[] = [];
    const at = new Map<unknown, { w: number; g: number }>();
    for (const l of layers) {
      const s = l.spec;
      const size = product(l.outShape);
      const src = l.inputs.length > 0 ? this.nodes[l.inputs[0]] : undefined;
      const node: Node = { layer: l, size, inSize: src ? src.size : this.inputSize, out: this.x, dOut: 0, act: 'linear' };
      if (s.kind === 'input') {
        node.out = this.x;
      } else if (s.kind === 'flatten' || s.kind === 'reshape') {
        node.out = src!.out;
        node.dOut = src!.dOut;
      } else {
        node.out = take(R * size);
        node.dOut = take(batch * size);
      }
      if (s.kind === 'activation' || s.kind === 'dense' || s.kind === 'conv2d') node.act = FUSED.has(s.activation) ? (s.activation as Epilogue) : 'linear';
      if (s.kind === 'dense' || s.kind === 'conv2d') {
        if (node.act !== 'linear') node.pre = take(R * size);
        node.k = l.kernel!.shape[0]!;
        node.units = l.kernel!.shape[1]!;
        node.folded = s.kind === 'conv2d' && l.bias !== undefined;
        const extra = node.folded ? node.units : 0;
        node.w = take(l.kernel!.size + extra);
        node.gw = take(l.kernel!.size + extra);
        at.set(l.kernel, { w: node.w, g: node.gw });
        if (node.folded) {
          node.b = node.w + 4 * l.kernel!.size;
          node.gb = node.gw + 4 * l.kernel!.size;
          at.set(l.bias, { w: node.b, g: node.gb });
        } else if (l.bias) {
          node.b = take(node.units);
          node.gb = take(node.units);
          at.set(l.bias, { w: node.b, g: node.gb });
        }
        if (s.kind === 'conv2d') {
          const win = l.window!;
          node.cols = take(R * win.oh * win.ow * (node.k + (node.folded ? 1 : 0)));
        }
      }
      if (s.kind === 'max_pooling2d') {
        if (this.patches && l.window!.c % 4 === 0) node.argmaxAt = take(R * size);
        else node.argmax = new Int32Array(R * size);
        const before = src!.layer.spec.kind;
        if ((before === 'conv2d' || before === 'dense') && (src!.act === 'relu' || src!.act === 'leaky_relu') && src!.layer.index !== graph.logitsLayer) {
          src!.pooled = true;
          node.poolAct = src!.act;
        }
        const pw = l.window!;
        if (before === 'conv2d' && s.padding === 'valid') {
          const usedH = (pw.oh - 1) * pw.sh + pw.kh;
          const usedW = (pw.ow - 1) * pw.sw + pw.kw;
          if (usedH < pw.h || usedW < pw.w) {
            src!.usedWindow = { ...src!.layer.window!, oh: usedH, ow: usedW };
            node.usedWindow = { ...pw, h: usedH, w: usedW };
          }
        }
      }
      if (s.kind === 'dropout') node.mask = new Float32Array(batch * size);
      this.nodes.push(node);
    }
    for (const v of graph.variables) {
      const o = at.get(v)!;
      weights.push(o.w);
      grads.push(o.g);
    }
    this.layout = { arena: this.arena, weights, grads };
  }

  private f32(at: number, n: number): Float32Array {
    return this.arena.f32(at, n);
  }

  /** The input rows to fill (x / 255 of each image, rows × pixels) before a step. */
  input(rows: number): Float32Array {
    return this.f32(this.x, rows * this.inputSize);
  }

  /** z = x·W + b → the output (fused activation) or, when measuring, z and then a = f(z). */
  private product(node: Node, a: number, m: number, mode: Mode): void {
    const n = node.units!;
    const opts = node.folded ? { a, b: node.w!, m, n, k: node.k! + 1 } : { a, b: node.w!, m, n, k: node.k!, bias: node.b };
    if (node.pre === undefined) {
      this.arena.matmul({ ...opts, c: node.out });
    } else if (mode !== 'measure') {
      this.arena.matmul({ ...opts, c: node.out, activation: node.pooled ? 'linear' : node.act, slope: LEAKY_SLOPE });
    } else {
      this.arena.matmul({ ...opts, c: node.pre });
      this.activate(node.pre, node.out, m * n, node.act);
    }
  }

  /**
   * ∂W = xᵀ·δ (x: k rows of m, δ: k rows of n) in blocks of K_BLOCK rows, accumulated: the
   * kernel walks all of x for every 8 columns of δ, and a conv's patches (k = batch × positions
   * rows) don't stay in cache over that walk; a block does.
   */
  private weightGradient(x: number, delta: number, out: number, m: number, n: number, k: number): void {
    for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
      this.arena.matmul({ a: x + 4 * k0 * m, transA: true, lda: m, b: delta + 4 * k0 * n, ldb: n, c: out, m, n, k: Math.min(K_BLOCK, k - k0), accumulate: k0 > 0 });
    }
  }

  private activate(z: number, out: number, n: number, act: Epilogue): void {
    if (this.patches) this.patches.activate(z, out, n, act, LEAKY_SLOPE);
    else applyActivation(this.f32(z, n), act, this.f32(out, n));
  }

  private forward(rows: number, mode: Mode, random?: () => number): void {
    for (const node of this.nodes) {
      const l = node.layer;
      const s = l.spec;
      const src = l.inputs.length > 0 ? this.nodes[l.inputs[0]] : undefined;
      switch (s.kind) {
        case 'input':
        case 'flatten':
        case 'reshape':
          break;
        case 'conv2d': {
          const win = mode !== 'measure' && node.usedWindow ? node.usedWindow : l.window!;
          const positions = rows * win.oh * win.ow;
          const ld = node.k! + (node.folded ? 1 : 0);
          if (this.patches) {
            const cols = this.f32(node.cols!, positions * ld);
            if (reachesPadding(win)) cols.fill(0);
            if (node.folded) for (let r = 0, at = ld - 1; r < positions; r++, at += ld) cols[at] = 1;
            this.patches.im2col(src!.out, node.cols!, rows, win, ld);
          } else {
            im2col(this.f32(src!.out, rows * node.inSize), rows, win, this.f32(node.cols!, positions * ld), node.folded);
          }
          this.product(node, node.cols!, positions, mode);
          break;
        }
        case 'dense':
          this.product(node, src!.out, (rows * node.inSize) / node.k!, mode);
          break;
        case 'max_pooling2d': {
          const pw = mode !== 'measure' && node.usedWindow ? node.usedWindow : l.window!;
          if (node.argmaxAt !== undefined) this.patches!.maxPool(src!.out, node.out, mode === 'train' ? node.argmaxAt : 0, rows, pw, mode === 'measure' ? 'linear' : (node.poolAct ?? 'linear'), LEAKY_SLOPE);
          else maxPool(this.f32(src!.out, rows * node.inSize), rows, pw, mode === 'train' ? node.argmax : undefined, this.f32(node.out, rows * node.size), mode === 'measure' ? undefined : node.poolAct, LEAKY_SLOPE);
          break;
        }
        case 'average_pooling2d':
          this.f32(node.out, rows * node.size).set(avgPool(this.f32(src!.out, rows * node.inSize), rows, l.window!));
          break;
        case 'global_average_pooling2d':
          globalAverage(this.f32(src!.out, rows * node.inSize), this.f32(node.out, rows * node.size), rows, node.size);
          break;
        case 'dropout': {
          const xin = this.f32(src!.out, rows * node.size);
          const y = this.f32(node.out, rows * node.size);
          if (mode !== 'train' || s.rate === 0) {
            y.set(xin);
            break;
          }
          // Inverted dropout from the run's seeded stream, drawn in the same order as the tfjs path.
          const keep = 1 / (1 - s.rate);
          const mask = node.mask!;
          for (let e = 0; e < rows * node.size; e++) {
            const k = random!() >= s.rate ? keep : 0;
            mask[e] = k;
            y[e] = xin[e] * k;
          }
          break;
        }
        case 'activation':
          // A softmax activation ends the model after the logits: nothing reads its output.
          if (s.activation !== 'softmax') this.activate(src!.out, node.out, rows * node.size, node.act);
          break;
        default:
          throw new Error(`kernel graph: ${s.kind} is not handled here`);
      }
    }
  }

  private logits(rows: number): Float32Array {
    return this.f32(this.nodes[this.graph.logitsLayer].out, rows * 10);
  }

  /** One forward and backward pass over the batch in `input(batch)`; `labels` one-hot (batch × 10). */
  step(labels: Float32Array, random: () => number, stats: boolean): KernelGraphStep {
    const batch = this.batch;
    const graph = this.graph;
    this.forward(batch, 'train', random);
    const head = softmaxCrossEntropy(this.logits(batch), labels, batch, 10);
    const L = this.nodes.length;
    const live: boolean[] = new Array<boolean>(L).fill(false);
    const top = graph.logitsLayer;
    this.f32(this.nodes[top].dOut, batch * 10).set(head.delta);
    live[top] = true;
    for (let i = top; i >= 1; i--) {
      if (!live[i]) continue;
      const node = this.nodes[i];
      const l = node.layer;
      const s = l.spec;
      const src = this.nodes[l.inputs[0]];
      const want = l.needsInputGrad;
      const dy = this.f32(node.dOut, batch * node.size);
      switch (s.kind) {
        case 'input':
          break;
        case 'dense':
        case 'conv2d': {
          // δ of the logits is already ∂L/∂z when the softmax is this layer's own.
          if (!(i === top && graph.logitsArePre) && !node.pooled) {
            const a = this.f32(node.out, batch * node.size);
            multiplyDerivative(dy, a, a, node.act);
          }
          const units = node.units!;
          const K = node.k!;
          // A conv over only the positions a pooling reads (usedWindow) has that many rows.
          const m = node.usedWindow ? batch * node.usedWindow.oh * node.usedWindow.ow : (batch * node.size) / units;
          const a = s.kind === 'conv2d' ? node.cols! : src.out;
          // Folded: K + 1 rows, the last (from the ones column) is ∂b, stored right after ∂W.
          this.weightGradient(a, node.dOut, node.gw!, node.folded ? K + 1 : K, units, m);
          if (node.gb !== undefined && !node.folded) this.arena.matmul({ a: this.ones, b: node.dOut, c: node.gb, m: 1, n: units, k: m });
          if (!want) break;
          // δ·Wᵀ through a transposed copy of W: the plain kernel's 4×8 tiles beat the dot-product ones.
          transpose(this.f32(node.w!, K * units), this.f32(this.wT, K * units), K, units);
          if (s.kind === 'dense') {
            this.arena.matmul({ a: node.dOut, b: this.wT, c: src.dOut, m, n: K, k: units });
          } else {
            this.arena.matmul({ a: node.dOut, b: this.wT, c: this.dcols, m, n: K, k: units });
            if (this.patches) {
              this.f32(src.dOut, batch * src.size).fill(0);
              this.patches.col2im(this.dcols, src.dOut, batch, node.usedWindow ?? l.window!, K);
            } else {
              col2im(this.f32(this.dcols, m * K), batch, node.usedWindow ?? l.window!, this.f32(src.dOut, batch * src.size));
            }
          }
          live[l.inputs[0]] = true;
          break;
        }
        case 'max_pooling2d':
          if (want) {
            if (node.argmaxAt !== undefined) {
              this.patches!.maxPoolBackward(node.dOut, node.argmaxAt, src.dOut, batch * src.size, batch * node.size, node.poolAct ? { kind: node.poolAct, y: node.out, slope: LEAKY_SLOPE } : undefined);
              live[l.inputs[0]] = want;
              break;
            }
            const activation = node.poolAct ? { kind: node.poolAct, y: this.f32(node.out, batch * node.size), slope: LEAKY_SLOPE } : undefined;
            maxPoolBackward(dy, node.argmax!, batch * src.size, this.f32(src.dOut, batch * src.size), batch * node.size, activation);
          }
          live[l.inputs[0]] = want;
          break;
        case 'average_pooling2d':
          if (want) this.f32(src.dOut, batch * src.size).set(avgPool(new Float32Array(0), batch, l.window!, dy));
          live[l.inputs[0]] = want;
          break;
        case 'global_average_pooling2d':
          if (want) globalAverageBackward(dy, this.f32(src.dOut, batch * src.size), batch, node.size, src.size);
          live[l.inputs[0]] = want;
          break;
        case 'flatten':
        case 'reshape':
          // Same memory as the input's gradient.
          live[l.inputs[0]] = want;
          break;
        case 'dropout': {
          if (!want) break;
          const dx = this.f32(src.dOut, batch * src.size);
          if (s.rate === 0) dx.set(dy);
          else for (let e = 0; e < dy.length; e++) dx[e] = dy[e] * node.mask![e];
          live[l.inputs[0]] = true;
          break;
        }
        case 'activation': {
          if (!want) break;
          const dx = this.f32(src.dOut, batch * src.size);
          dx.set(dy);
          const a = this.f32(node.out, batch * node.size);
          multiplyDerivative(dx, a, a, node.act);
          live[l.inputs[0]] = true;
          break;
        }
        default:
          throw new Error(`kernel graph: ${s.kind} is not handled here`);
      }
    }
    const grads = graph.variables.map((v, i) => this.f32(this.layout.grads[i], v.size));
    if (!stats) return { loss: head.loss, accuracy: head.accuracy, grads };
    const M = graph.measured.length;
    const extra = new Float32Array(3 * M);
    graph.measured.forEach((m, j) => {
      const node = this.nodes[m.layer];
      extra[j] = Math.sqrt(sumOfSquares(this.f32(node.gw!, node.k! * node.units!)));
      extra[M + j] = node.gb !== undefined ? Math.sqrt(sumOfSquares(this.f32(node.gb, node.units!))) : 0;
      // δ is of the batch-mean loss; ×batch makes E[δ²] per example, independent of batch size.
      extra[2 * M + j] = live[m.layer] ? (sumOfSquares(this.f32(node.dOut, batch * node.size)) * batch * batch) / (batch * node.size) : 0;
    });
    return { loss: head.loss, accuracy: head.accuracy, grads, extra };
  }

  /** Mean softmax cross-entropy and accuracy of `pixels` (count × inputSize) against one-hot `labels`, dropout off. */
  evaluate(pixels: Float32Array, labels: Float32Array, count: number): { loss: number; accuracy: number } {
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < count; start += this.rows) {
      const rows = Math.min(this.rows, count - start);
      this.input(rows).set(pixels.subarray(start * this.inputSize, (start + rows) * this.inputSize));
      this.forward(rows, 'eval');
      const r = softmaxCrossEntropy(this.logits(rows), labels.subarray(start * 10, (start + rows) * 10), rows, 10);
      lossSum += r.loss * rows;
      correct += r.accuracy * rows;
    }
    return { loss: lossSum / count, accuracy: correct / count };
  }

  /** The forward measurements of every measured layer on `pixels` (count × inputSize), as run.ts' measureGraph takes them. */
  measure(pixels: Float32Array, count: number): ForwardLayerStats[] {
    const graph = this.graph;
    const moments = graph.measured.map((m) => newLayerMoments(this.nodes[m.layer].units!));
    for (let start = 0; start < count; start += this.rows) {
      const rows = Math.min(this.rows, count - start);
      this.input(rows).set(pixels.subarray(start * this.inputSize, (start + rows) * this.inputSize));
      this.forward(rows, 'measure');
      graph.measured.forEach((m, j) => {
        const node = this.nodes[m.layer];
        const n = rows * node.size;
        const z = this.f32(node.pre ?? node.out, n);
        let a: Float32Array;
        if (m.actLayer === m.layer && m.activation === 'softmax') {
          a = new Float32Array(n);
          softmaxRows(z, a, n / node.units!, node.units!);
        } else {
          a = this.f32(this.nodes[m.actLayer].out, n);
        }
        accumulateMoments(moments[j], z, a, node.units!);
      });
    }
    return graph.measured.map((m, j) => {
      const node = this.nodes[m.layer];
      const C = node.units!;
      return forwardLayerStats(moments[j], {
        kernel: this.f32(node.w!, node.k! * C),
        bias: node.b !== undefined ? this.f32(node.b, C) : new Float32Array(C),
        fanIn: node.k!,
        isOutput: m.layer === graph.logitsLayer,
        isConv: node.layer.spec.kind === 'conv2d',
        // Only relu, leaky relu and linear run here: nothing saturates.
        saturatedFraction: 0,
      });
    });
  }
}

/** back ⊙= f'(z), read from a = f(z): relu [a > 0], leaky relu a > 0 ? 1 : slope. */
function transpose(w: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
}

function globalAverage(x: Float32Array, out: Float32Array, rows: number, c: number): void {
  const positions = x.length / rows / c;
  for (let r = 0; r < rows; r++) {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let p = 0; p < positions; p++) s += x[(r * positions + p) * c + ch];
      out[r * c + ch] = s / positions;
    }
  }
}

function globalAverageBackward(dy: Float32Array, dx: Float32Array, rows: number, c: number, inSize: number): void {
  const positions = inSize / c;
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < positions; p++) {
      for (let ch = 0; ch < c; ch++) dx[(r * positions + p) * c + ch] = dy[r * c + ch] / positions;
    }
  }
}

