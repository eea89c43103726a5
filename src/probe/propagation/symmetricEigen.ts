/**
 * Eigenvalues of a real symmetric matrix in float64: Householder reduction to tridiagonal form,
 * then the implicit QL iteration with Wilkinson-like shifts (Numerical Recipes' tred2 + tqli,
 * eigenvalues only). O(n³) with a small constant: 256×256 takes milliseconds, 1024×1024 about a
 * second, where cyclic Jacobi would need ten sweeps of n³ rotations. tfjs has no eigensolver.
 */

/** sqrt(a² + b²) without overflow or destructive underflow. */
function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x > y) return x * Math.sqrt(1 + (y / x) ** 2);
  return y === 0 ? 0 : y * Math.sqrt(1 + (x / y) ** 2);
}

/**
 * The eigenvalues of the n×n symmetric matrix `a` (row-major; only its lower triangle is read;
 * it is overwritten), ascending.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 1) || a.length !== n * n) throw new RangeError(`symmetricEigenvalues needs an n×n matrix, got ${a.length} values for n = ${n}`);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  // Householder: row i's part left of the diagonal is reflected onto its last element.
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const ri = i * n;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(a[ri + k]);
      if (scale === 0) {
        e[i] = a[ri + l];
      } else {
        for (let k = 0; k <= l; k++) {
          a[ri + k] /= scale;
          h += a[ri + k] * a[ri + k];
        }
        let f = a[ri + l];
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        a[ri + l] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          const rj = j * n;
          g = 0;
          for (let k = 0; k <= j; k++) g += a[rj + k] * a[ri + k];
          for (let k = j + 1; k <= l; k++) g += a[k * n + j] * a[ri + k];
          e[j] = g / h;
          f += e[j] * a[ri + j];
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const rj = j * n;
          f = a[ri + j];
          g = e[j] - hh * f;
          e[j] = g;
          for (let k = 0; k <= j; k++) a[rj + k] -= f * e[k] + g * a[ri + k];
        }
      }
    } else {
      e[i] = a[ri + l];
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i];
  // e[i] is the element below the diagonal in row i; QL wants it in row i−1.
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m !== l) {
        if (iterations++ === 60) throw new Error('symmetricEigenvalues: QL iteration did not converge');
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1;
        let c = 1;
        let p = 0;
        let i: number;
        for (i = m - 1; i >= l; i--) {
          const f = s * e[i];
          const b = c * e[i];
          r = hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
        }
        if (r === 0 && i >= l) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d.sort();
}
