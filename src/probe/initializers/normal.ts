/**
 * The standard normal distribution in plain double precision: erf/erfc, pdf, cdf, its inverse
 * and the moments of a truncated normal. JavaScript has no `Math.erf`, and the truncated-normal
 * variance and PyTorch's absolute-bound sampler both need tail values accurate to many digits.
 */

const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * erf by the all-positive series erf(x) = 2/√π·e^{-x²}·Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1)); unlike the
 * Taylor series it has no cancellation, so it keeps full precision up to the erfc switch-over.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc for x ≥ 2 by its continued fraction (modified Lentz): accurate deep into the tail. */
function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  return x < 2 ? erfSeries(x) : 1 - erfcContinuedFraction(x);
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return x < 2 ? 1 - erfSeries(x) : erfcContinuedFraction(x);
}

export function normalPdf(x: number): number {
  return Number.isFinite(x) ? Math.exp(-0.5 * x * x) / SQRT_2PI : 0;
}

/** Φ(x), computed through erfc on the lower side so that tiny tail probabilities keep their digits. */
export function normalCdf(x: number): number {
  if (x === -Infinity) return 0;
  if (x === Infinity) return 1;
  return 0.5 * erfc(-x / SQRT2);
}

/**
 * Φ⁻¹(p): Acklam's rational approximation (relative error 1.2e-9) polished by one Halley step
 * against `normalCdf`, which brings it to about machine precision.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley refinement of Φ(x) − p = 0; in the upper half the residual is written as
  // (1 − p) − Φ(−x) so that it is not swamped by the rounding of Φ(x) ≈ 1.
  const e = p > 0.5 ? 1 - p - normalCdf(-x) : normalCdf(x) - p;
  const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
  const refined = x - u / (1 + (x * u) / 2);
  return Number.isFinite(refined) ? refined : x;
}

export interface TruncatedMoments {
  /** Probability mass of N(0, 1) inside [alpha, beta]. */
  mass: number;
  /** Mean of N(0, 1) restricted to [alpha, beta]. */
  mean: number;
  /** Variance of N(0, 1) restricted to [alpha, beta] (a factor: multiply by σ²). */
  variance: number;
}

/**
 * Moments of a standard normal truncated to [alpha, beta] (either may be infinite):
 * mean = (φ(α) − φ(β))/Z, variance = 1 + (αφ(α) − βφ(β))/Z − mean², Z = Φ(β) − Φ(α).
 */
export function truncatedStandardMoments(alpha: number, beta: number): TruncatedMoments {
  // Z from the side where both cdf values are small, so that far-tail intervals keep their digits.
  const mass = alpha > 0 ? normalCdf(-alpha) - normalCdf(-beta) : normalCdf(beta) - normalCdf(alpha);
  const pa = normalPdf(alpha);
  const pb = normalPdf(beta);
  const apa = Number.isFinite(alpha) ? alpha * pa : 0;
  const bpb = Number.isFinite(beta) ? beta * pb : 0;
  const mean = (pa - pb) / mass;
  const variance = 1 + (apa - bpb) / mass - mean * mean;
  return { mass, mean, variance };
}
