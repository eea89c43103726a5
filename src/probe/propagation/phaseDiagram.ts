/**
 * The order-to-chaos phase diagram (Poole et al. 2016; Schoenholz et al. 2017): χ₁ = σ_w²·E[φ'(h)²]
 * at the fixed point q* over a grid of (σ_w², σ_b²), the critical line χ₁ = 1 between the ordered
 * phase (χ₁ < 1: gradients vanish, inputs' correlations go to 1) and the chaotic one (χ₁ > 1:
 * gradients explode, nearby inputs decorrelate), and where a user's initializers sit on it.
 * Pure math over src/probe/theory/meanField.ts.
 */
import type { Activation, InitSpec } from '../initializers/spec';
import { weightMean, weightVariance } from '../initializers/theory';
import { chi, cMap, jointMoment, qMap } from '../theory/meanField';

export interface PhaseGrid {
  sigmaW2: number[];
  sigmaB2: number[];
}

export interface CriticalPoint {
  sigmaB2: number;
  /** σ_w² where χ₁ crosses 1 on this row, or null when it does not within the grid. */
  sigmaW2: number | null;
}

export interface PhaseDiagram {
  activation: Activation;
  sigmaW2: number[];
  sigmaB2: number[];
  /** chi1[j][i]: χ₁ at (sigmaW2[i], sigmaB2[j]). */
  chi1: number[][];
  critical: CriticalPoint[];
}

export function range(from: number, to: number, count: number): number[] {
  if (count === 1) return [from];
  return Array.from({ length: count }, (_, i) => Number((from + ((to - from) * i) / (count - 1)).toPrecision(12)));
}

export const DEFAULT_PHASE_GRID: PhaseGrid = { sigmaW2: range(0.25, 4, 31), sigmaB2: range(0, 0.3, 13) };

/** Activations whose χ₁ does not depend on q (φ' is scale-free): relu, leaky_relu, linear. */
const SCALE_FREE = new Set<Activation>(['relu', 'leaky_relu', 'linear']);

export interface FixedPointState {
  /** q* (0 when the signal dies out), or null when q grows without bound. */
  q: number | null;
  chi1: number;
}

/**
 * q* by iterating the q-map, at most 2,000 layers: near the critical line q creeps (like 1/l at
 * σ_b² = 0), and where it has not settled by then, χ₁ at the q reached is what a network of that
 * depth sees. χ₁ at q* = 0 is the limit q → 0⁺ (σ_w²·φ'(0)² for smooth φ; σ_w²·E[φ'²] for the
 * scale-free ones, which also gives their χ₁ where q diverges).
 */
export function fixedPointState(activation: Activation, sigmaW2: number, sigmaB2: number): FixedPointState {
  let q = 1;
  let diverged = false;
  for (let i = 0; i < 2000; i++) {
    const next = qMap(activation, q, sigmaW2, sigmaB2);
    if (!(next < 1e12)) {
      diverged = true;
      break;
    }
    if (next < 1e-30) {
      q = 0;
      break;
    }
    const settled = Math.abs(next - q) <= 1e-10 * next;
    q = next;
    if (settled) break;
  }
  const at = SCALE_FREE.has(activation) ? 1 : diverged ? 1e12 : Math.max(q, 1e-12);
  return { q: diverged ? null : q, chi1: chi(activation, at, sigmaW2) };
}

export function chiAtFixedPoint(activation: Activation, sigmaW2: number, sigmaB2: number): number {
  return fixedPointState(activation, sigmaW2, sigmaB2).chi1;
}

/** The σ_w² where χ₁ = 1 for this σ_b², by bisection on log σ_w² in [0.05, 50]; null when none. */
export function criticalSigmaW2At(activation: Activation, sigmaB2: number): number | null {
  let lo = Math.log(0.05);
  let hi = Math.log(50);
  const excess = (logW: number): number => chiAtFixedPoint(activation, Math.exp(logW), sigmaB2) - 1;
  if (excess(lo) > 0 || excess(hi) < 0) return null;
  for (let i = 0; i < 50; i++) {
    const mid = 0.5 * (lo + hi);
    if (excess(mid) > 0) hi = mid;
    else lo = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

/** Where log χ₁ crosses 0 along a row, by linear interpolation between grid points. */
function crossing(sigmaW2: readonly number[], row: readonly number[]): number | null {
  for (let i = 1; i < row.length; i++) {
    const a = row[i - 1];
    const b = row[i];
    if (!(a > 0 && b > 0)) continue;
    const la = Math.log(a);
    const lb = Math.log(b);
    if (la === 0) return sigmaW2[i - 1];
    if ((la < 0 && lb >= 0) || (la > 0 && lb <= 0)) return sigmaW2[i - 1] + ((sigmaW2[i] - sigmaW2[i - 1]) * -la) / (lb - la);
  }
  return null;
}

export function phaseDiagram(activation: Activation, grid: PhaseGrid = DEFAULT_PHASE_GRID): PhaseDiagram {
  const chi1 = grid.sigmaB2.map((b) => grid.sigmaW2.map((w) => chiAtFixedPoint(activation, w, b)));
  return {
    activation,
    sigmaW2: grid.sigmaW2,
    sigmaB2: grid.sigmaB2,
    chi1,
    critical: grid.sigmaB2.map((b, j) => ({ sigmaB2: b, sigmaW2: crossing(grid.sigmaW2, chi1[j]) })),
  };
}

export type Phase = 'ordered' | 'critical' | 'chaotic';

export function phaseOf(chi1: number): Phase {
  if (Math.abs(chi1 - 1) < 0.01) return 'critical';
  return chi1 < 1 ? 'ordered' : 'chaotic';
}

export interface PlacedInitializer {
  initializer: string;
  /** fan_in·E[w²] of a width × width hidden layer: the σ_w² the recursion sees. */
  sigmaW2: number;
  /** Biases start at zero in Keras, PyTorch's Linear aside, and in every probe. */
  sigmaB2: number;
  chi1: number;
  phase: Phase;
  /** See depthScale: ∞ at criticality. */
  depthScale: number;
}

/**
 * The depth scale trainability follows (Schoenholz et al. 2017: networks train up to about 6·ξ).
 * For smooth activations ξ_c = −1/ln χ_c, χ_c the slope of the c-map at its stable fixed point
 * c*: 1 in the ordered phase (χ_c = χ₁), below 1 in the chaotic one, found by iterating the c-map
 * (stable there; at σ_b² = 0 the odd tanh's c* is 0). The scale-free activations' c-map does not
 * depend on σ_w² at σ_b² = 0 (c → 1 only polynomially), so for them the gradient's depth scale
 * ξ_∇ = 1/|ln χ₁| is the one that limits depth.
 */
export function depthScale(activation: Activation, sigmaW2: number, sigmaB2: number): number {
  const state = fixedPointState(activation, sigmaW2, sigmaB2);
  const { chi1 } = state;
  if (Math.abs(chi1 - 1) < 1e-9) return Infinity;
  if (SCALE_FREE.has(activation) || chi1 < 1 || state.q === null) return 1 / Math.abs(Math.log(chi1));
  const q = state.q;
  let c = 0.5;
  for (let i = 0; i < 500; i++) {
    const next = cMap(activation, q, c, sigmaW2, sigmaB2);
    const settled = Math.abs(next - c) < 1e-10;
    c = next;
    if (settled) break;
  }
  const chiC = sigmaW2 * jointMoment(activation, 0, q, c, 'derivative');
  return chiC >= 1 ? Infinity : -1 / Math.log(chiC);
}

export function placeInitializer(initializer: string, spec: InitSpec, activation: Activation, width: number): PlacedInitializer {
  const sigmaW2 = width * (weightVariance(spec, width, width) + weightMean(spec, width, width) ** 2);
  const chi1 = sigmaW2 > 0 ? chiAtFixedPoint(activation, sigmaW2, 0) : 0;
  return { initializer, sigmaW2, sigmaB2: 0, chi1, phase: phaseOf(chi1), depthScale: sigmaW2 > 0 ? depthScale(activation, sigmaW2, 0) : 0 };
}
