/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: exact enough (1e-12)
 * and dependency-free for the 9×9 normal matrices of a homography fit and the 7×7 ones of a pose fit.
 */
export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  readonly values: number[];
  /** vectors[k] is the unit eigenvector of values[k]. */
  readonly vectors: number[][];
}

export function symmetricEigen(matrix: readonly (readonly number[])[]): SymmetricEigen {
  const n = matrix.length;
  const a = matrix.map((row) => [...row]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep += 1) {
    let off = 0;
    for (let p = 0; p < n; p += 1) for (let q = p + 1; q < n; q += 1) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p += 1) {
      for (let q = p + 1; q < n; q += 1) {
        const apq = a[p]![q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k += 1) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k += 1) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k += 1) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i]![i]! - a[j]![j]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v.map((row) => row[i]!)) };
}

/** Solves the symmetric positive (semi-)definite system M x = b through its eigen-decomposition (pseudo-inverse). */
export function solveSymmetric(matrix: readonly (readonly number[])[], b: readonly number[]): number[] {
  const { values, vectors } = symmetricEigen(matrix);
  const largest = Math.max(...values.map(Math.abs), 0);
  const x = new Array<number>(b.length).fill(0);
  values.forEach((value, k) => {
    if (!(Math.abs(value) > largest * 1e-12)) return;
    const u = vectors[k]!;
    const coefficient = u.reduce((sum, ui, i) => sum + ui * b[i]!, 0) / value;
    for (let i = 0; i < x.length; i += 1) x[i]! += coefficient * u[i]!;
  });
  return x;
}
