// (Weighted) least squares by Householder QR (ml-matrix), the step under OLS and under each
// IRLS iteration of the count models; the design is checked for full rank beforehand.

import { Matrix, QrDecomposition, inverse } from 'ml-matrix';

export interface LeastSquares {
  coefficients: number[];
  /** (X'WX)⁻¹ = R⁻¹R⁻ᵀ: the coefficients' covariance before scaling by σ² or the dispersion. */
  unscaledCovariance: number[][];
}

/** Solves min Σ wᵢ(zᵢ − xᵢβ)²; `weights` omitted means all 1. */
export function leastSquares(x: Matrix, z: readonly number[], weights?: readonly number[]): LeastSquares {
  let a = x;
  let b = Matrix.columnVector([...z]);
  if (weights) {
    const root = weights.map(Math.sqrt);
    a = x.clone();
    for (let i = 0; i < a.rows; i++) a.mulRow(i, root[i]);
    b = Matrix.columnVector(z.map((v, i) => v * root[i]));
  }
  const qr = new QrDecomposition(a);
  const coefficients = qr.solve(b).getColumn(0);
  // Through R rather than inverting X'WX: forming the cross product would square the condition number.
  const rInverse = inverse(qr.upperTriangularMatrix);
  const unscaledCovariance = rInverse.mmul(rInverse.transpose()).to2DArray();
  return { coefficients, unscaledCovariance };
}
