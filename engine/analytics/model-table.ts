// The shapes every regression answers with (the `factors` endpoint's rows and fit), and the
// coefficient table built from estimates and their covariance.

import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** A response: bare values, or values with the name error messages should use. */
export type Response = readonly number[] | { readonly name: string; readonly values: readonly number[] };

/** Explanatory factors, one column per name, without the intercept (the models add it). */
export interface Factors {
  readonly names: readonly string[];
  readonly columns: readonly (readonly number[])[];
}

/** One coefficient: `statistic` is t for OLS and Wald z for the count models. */
export interface Term {
  term: string;
  estimate: number;
  stdError: number;
  statistic: number;
  p: number;
  /** Confidence interval on the coefficient's own scale (log rate for the count models). */
  ciLow: number;
  ciHigh: number;
  /** Count models only: exp(estimate); for (Intercept) the rate when every factor is 0. */
  rateRatio?: number;
}

export interface Fit {
  n: number;
  r2?: number;
  adjR2?: number;
  logLik: number;
  aic: number;
  /** Negative binomial only: θ in var = μ + μ²/θ, and its standard error (MASS's SE.theta). */
  theta?: number;
  thetaStdError?: number;
  /** Residual sum of squares for OLS, the model deviance for the count models. */
  deviance?: number;
  /** IRLS iterations (Poisson) or β/θ alternations (negative binomial). */
  iterations?: number;
}

export interface ModelResult {
  /** (Intercept) first, then the factors in the order given. */
  rows: Term[];
  fit: Fit;
  /** OLS: y − ŷ; count models: deviance residuals, as R's residuals(). */
  residuals: number[];
  /** OLS: ŷ; count models: the fitted means μ (offset included). */
  fitted: number[];
}

/**
 * Coefficient rows from estimates and their covariance: t with `df` degrees of freedom when
 * `df` is given (OLS), else the normal (Wald, as R's summary.glm and confint.default).
 */
export function termRows(
  names: readonly string[],
  estimates: readonly number[],
  covariance: readonly (readonly number[])[],
  level: number,
  df?: number,
): Term[] {
  const upper = 1 - (1 - level) / 2;
  const critical = df === undefined ? normalQuantile(upper, 0, 1) : tQuantile(upper, df);
  // Two-sided p from the lower tail of −|statistic|: 1 − cdf would lose small p-values to rounding.
  const twoSided = (s: number) => 2 * (df === undefined ? normalCdf(-Math.abs(s), 0, 1) : tCdf(-Math.abs(s), df));
  return names.map((term, j) => {
    const estimate = estimates[j];
    const stdError = Math.sqrt(covariance[j][j]);
    const statistic = estimate / stdError;
    return {
      term,
      estimate,
      stdError,
      statistic,
      p: twoSided(statistic),
      ciLow: estimate - critical * stdError,
      ciHigh: estimate + critical * stdError,
    };
  });
}
