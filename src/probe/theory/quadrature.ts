/**
 * Expectations under a normal distribution, E[f(h)] with h ~ N(μ, v), for the mean-field theory.
 *
 * Gauss–Hermite quadrature is exact for polynomials of degree < 2n and converges fast for
 * functions that are smooth on the scale of its node spacing (≈ 2.5/√n standard deviations near
 * the centre). tanh, sigmoid and GELU bend on a scale of 1 in h, so Gauss–Hermite is the rule
 * while √v ≤ GAUSS_HERMITE_MAX_STD; for wider normals (and for integrands with a kink) the
 * expectation switches to composite 8-point Gauss–Legendre panels in z = (h − μ)/√v: 1 wide in h
 * where the activation bends (|h| ≤ bendHalfWidth) and 1.5 wide in z elsewhere, with a panel edge
 * on any kink.
 * Measured against composite Simpson with 12,000 intervals: below 1e-9 relative for tanh,
 * sigmoid and GELU at every v from 1e-4 to 1e4 (test/unit/meanField.test.ts).
 */

export interface QuadratureRule {
  nodes: Float64Array;
  weights: Float64Array;
}

/**
 * Gauss–Hermite nodes and weights for the standard normal (probabilists' form: Σ w = 1,
 * Σ w·f(z) ≈ E[f(z)], z ~ N(0, 1)). Nodes by Newton's method on the orthonormal Hermite
 * recurrence with the classical starting guesses (Numerical Recipes, `gauher`); stable to n ≈ 200.
 */
export function gaussHermite(n: number): QuadratureRule {
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new RangeError(`Gauss–Hermite order must be a whole number from 1 to 200, got ${n}`);
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const piToMinusQuarter = Math.PI ** -0.25;
  let z = 0;
  for (let i = 0; i < Math.floor((n + 1) / 2); i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = piToMinusQuarter;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      derivative = Math.sqrt(2 * n) * p2;
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    // Physicists' rule (weight e^{-x²}) → standard normal: z = √2·x, w/√π.
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = 2 / (derivative * derivative);
    w[n - 1 - i] = w[i];
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    nodes[i] = Math.SQRT2 * x[n - 1 - i];
    weights[i] = w[n - 1 - i] / Math.sqrt(Math.PI);
  }
  return { nodes, weights };
}

/** Gauss–Legendre nodes and weights on [−1, 1], Newton on the Legendre recurrence (`gauleg`). */
export function gaussLegendre(n: number): QuadratureRule {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.floor((n + 1) / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j + 1) * z * p2 - j * p3) / (j + 1);
      }
      derivative = (n * (z * p1 - p2)) / (z * z - 1);
      const step = p1 / derivative;
      z -= step;
      if (Math.abs(step) <= 1e-15) break;
    }
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = 2 / ((1 - z * z) * derivative * derivative);
    weights[n - 1 - i] = weights[i];
  }
  return { nodes, weights };
}

/** Points of the Gauss–Hermite rule the theory uses (the issue asked for 60–100). */
export const GAUSS_HERMITE_ORDER = 80;
/** Above this standard deviation tanh/sigmoid bend between Gauss–Hermite nodes: panels instead. */
export const GAUSS_HERMITE_MAX_STD = 1.5;
/** Default |h| within which an activation bends: sigmoid(−32) ≈ 1e-14 from its asymptote. */
const BEND_HALF_WIDTH = 32;
/** Panel widths: in h where the activation bends, in z elsewhere (where f·pdf is smooth on scale 1). */
const BEND_PANEL_H = 1;
const PLAIN_PANEL_Z = 1.5;
/** z-range of the panels: the normal's mass beyond ±9 is 2e-19. */
const Z_RANGE = 9;

const HERMITE = gaussHermite(GAUSS_HERMITE_ORDER);
const LEGENDRE = gaussLegendre(8);
const STD_NORMAL = 1 / Math.sqrt(2 * Math.PI);

function panelSum(f: (z: number) => number, from: number, to: number, width: number): number {
  if (!(to > from)) return 0;
  const panels = Math.max(1, Math.ceil((to - from) / width));
  const h = (to - from) / panels;
  let total = 0;
  for (let p = 0; p < panels; p++) {
    const centre = from + (p + 0.5) * h;
    let acc = 0;
    for (let k = 0; k < LEGENDRE.nodes.length; k++) {
      const z = centre + 0.5 * h * LEGENDRE.nodes[k];
      acc += LEGENDRE.weights[k] * f(z) * Math.exp(-0.5 * z * z);
    }
    total += 0.5 * h * acc;
  }
  return total * STD_NORMAL;
}

export interface ExpectationOptions {
  /** h where f or its derivative jumps (0 for relu, selu): a panel edge is put there. */
  kink?: number;
  /** |h| beyond which f is (to ~1e-13) its asymptote, so that panels can be coarse there. */
  bendHalfWidth?: number;
  /** Force one method (tests compare them). */
  method?: 'hermite' | 'panels';
}

/** E[f(h)] for h ~ N(mean, variance). A zero variance gives f(mean). */
export function normalExpectation(f: (h: number) => number, mean: number, variance: number, options: ExpectationOptions = {}): number {
  if (!(variance > 0)) return f(mean);
  const s = Math.sqrt(variance);
  const useHermite = options.method === 'hermite' || (options.method === undefined && options.kink === undefined && s <= GAUSS_HERMITE_MAX_STD);
  if (useHermite) {
    let total = 0;
    for (let i = 0; i < HERMITE.nodes.length; i++) total += HERMITE.weights[i] * f(mean + s * HERMITE.nodes[i]);
    return total;
  }
  const g = (z: number): number => f(mean + s * z);
  // Breakpoints in z: the range ends, the bend region's ends and the kink.
  const bend = options.bendHalfWidth ?? BEND_HALF_WIDTH;
  const bendLow = Math.max(-Z_RANGE, (-bend - mean) / s);
  const bendHigh = Math.min(Z_RANGE, (bend - mean) / s);
  const cuts = [-Z_RANGE, Z_RANGE];
  if (bendHigh > bendLow) cuts.push(bendLow, bendHigh);
  if (options.kink !== undefined) {
    const zk = (options.kink - mean) / s;
    if (zk > -Z_RANGE && zk < Z_RANGE) cuts.push(zk);
  }
  const edges = [...new Set(cuts)].sort((a, b) => a - b);
  const fine = Math.min(PLAIN_PANEL_Z, BEND_PANEL_H / s);
  let total = 0;
  for (let i = 0; i + 1 < edges.length; i++) {
    const [from, to] = [edges[i], edges[i + 1]];
    const mid = 0.5 * (from + to);
    const inBend = bendHigh > bendLow && mid >= bendLow && mid <= bendHigh;
    total += panelSum(g, from, to, inBend ? fine : PLAIN_PANEL_Z);
  }
  return total;
}
