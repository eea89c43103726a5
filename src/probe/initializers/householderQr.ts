/**
 * The orthonormal factor of a Householder QR, in plain Float64Array arithmetic: tfjs has only
 * Gram–Schmidt (`tf.linalg.qr` builds a graph of thousands of small ops), which is slow at
 * 784×256 and loses orthogonality in float32.
 */

/**
 * Applies H = I − β·v·vᵀ (v = column `vCol` of `v`, nonzero from row k) to columns
 * [from, to) of `target`, both column-major with m rows. Columns go four at a time: each dot
 * product then has four independent accumulators and v is loaded once for all four, which
 * roughly halves the time of the one-column loop (bound by the add latency, not by memory).
 */
function applyReflector(v: Float64Array, vCol: number, beta: number, target: Float64Array, from: number, to: number, m: number, k: number): void {
  const vo = vCol * m;
  let j = from;
  for (; j + 4 <= to; j += 4) {
    const c0 = j * m;
    const c1 = c0 + m;
    const c2 = c1 + m;
    const c3 = c2 + m;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = k; i < m; i++) {
      const vi = v[vo + i];
      s0 += vi * target[c0 + i];
      s1 += vi * target[c1 + i];
      s2 += vi * target[c2 + i];
      s3 += vi * target[c3 + i];
    }
    s0 *= beta;
    s1 *= beta;
    s2 *= beta;
    s3 *= beta;
    for (let i = k; i < m; i++) {
      const vi = v[vo + i];
      target[c0 + i] -= s0 * vi;
      target[c1 + i] -= s1 * vi;
      target[c2 + i] -= s2 * vi;
      target[c3 + i] -= s3 * vi;
    }
  }
  for (; j < to; j++) {
    const c = j * m;
    let s = 0;
    for (let i = k; i < m; i++) s += v[vo + i] * target[c + i];
    s *= beta;
    for (let i = k; i < m; i++) target[c + i] -= s * v[vo + i];
  }
}

/**
 * Q·diag(sign(diag R)) for the thin QR of an m×n matrix, m ≥ n, given and returned row-major.
 * The sign fix makes R's diagonal positive, which makes Q unique and, for a Gaussian input,
 * Haar-distributed (Mezzadri 2007) — what Keras' Orthogonal does with `q *= sign(diag(r))`.
 * A zero on R's diagonal (probability 0 for a Gaussian) keeps its column's sign, where NumPy's
 * sign(0) = 0 would zero the column.
 */
export function orthonormalFactor(rowMajor: Float64Array | Float32Array, m: number, n: number): Float64Array {
  if (!(Number.isInteger(m) && Number.isInteger(n) && m >= n && n >= 1)) {
    throw new RangeError(`orthonormalFactor needs m ≥ n ≥ 1, got ${m}×${n}`);
  }
  if (rowMajor.length !== m * n) throw new RangeError(`expected ${m * n} values, got ${rowMajor.length}`);
  // Column-major working copy: every step walks columns, so keep them contiguous.
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) a[j * m + i] = rowMajor[i * n + j];
  }
  const betas = new Float64Array(n);
  const diagSigns = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const col = k * m;
    let normSq = 0;
    for (let i = k; i < m; i++) normSq += a[col + i] * a[col + i];
    const norm = Math.sqrt(normSq);
    const x0 = a[col + k];
    diagSigns[k] = 1;
    if (norm === 0) continue;
    // R[k][k] = alpha; its sign is opposite to x0 so that v0 = x0 − alpha does not cancel.
    const alpha = x0 >= 0 ? -norm : norm;
    diagSigns[k] = alpha > 0 ? 1 : -1;
    const v0 = x0 - alpha;
    a[col + k] = v0;
    betas[k] = 2 / (normSq - x0 * x0 + v0 * v0);
    applyReflector(a, k, betas[k], a, k + 1, n, m, k);
  }
  // Q = H₀·H₁·…·H_{n−1}·[I; 0], accumulated backwards. Columns j < k of the partial product
  // are still unit vectors e_j with nothing in rows ≥ k, so reflector k only touches j ≥ k.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    if (betas[k] !== 0) applyReflector(a, k, betas[k], q, k, n, m, k);
  }
  const out = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const sign = diagSigns[j];
    const cj = j * m;
    for (let i = 0; i < m; i++) out[i * n + j] = sign * q[cj + i];
  }
  return out;
}
