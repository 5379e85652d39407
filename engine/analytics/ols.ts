// Ordinary least squares with an intercept, answering as R's lm, summary.lm, confint, logLik
// and AIC: t-based standard errors, p-values and intervals, R², adjusted R².

import { Matrix } from 'ml-matrix';
import { buildDesign, checkLevel } from './model-design.js';
import { leastSquares } from './least-squares.js';
import { ModelError } from './model-error.js';
import { termRows, type Factors, type ModelResult, type Response } from './model-table.js';

export function ols(y: Response, X: Factors, level = 0.95): ModelResult {
  checkLevel(level);
  const design = buildDesign(y, X);
  const n = design.y.length;
  const p = design.names.length;
  const { coefficients, unscaledCovariance } = leastSquares(design.x, design.y);

  const fitted = design.x.mmul(Matrix.columnVector(coefficients)).getColumn(0);
  const residuals = design.y.map((v, i) => v - fitted[i]);
  const rss = residuals.reduce((s, r) => s + r * r, 0);
  const mean = design.y.reduce((s, v) => s + v, 0) / n;
  const tss = design.y.reduce((s, v) => s + (v - mean) * (v - mean), 0);
  const df = n - p;
  const sigma2 = rss / df;
  // summary.lm's "essentially perfect fit" test: standard errors of 0 would give t = ±∞ or NaN.
  const fittedMean = fitted.reduce((s, v) => s + v, 0) / n;
  const fittedVariance = fitted.reduce((s, v) => s + (v - fittedMean) ** 2, 0) / (n - 1);
  if (sigma2 < (fittedMean ** 2 + fittedVariance) * 1e-30) {
    throw new ModelError(
      'perfect-fit',
      `response '${design.response}' is fitted exactly by the factors: no residual variance to test against`,
    );
  }
  const covariance = unscaledCovariance.map((row) => row.map((c) => c * sigma2));

  const r2 = 1 - rss / tss;
  // logLik.lm: the Gaussian likelihood at the ML variance rss/n; σ counts as a parameter in AIC.
  const logLik = -0.5 * n * (Math.log(2 * Math.PI) + 1 - Math.log(n) + Math.log(rss));
  return {
    rows: termRows(design.names, coefficients, covariance, level, df),
    fit: {
      n,
      r2,
      adjR2: 1 - ((1 - r2) * (n - 1)) / df,
      logLik,
      aic: -2 * logLik + 2 * (p + 1),
      deviance: rss,
    },
    residuals,
    fitted,
  };
}
