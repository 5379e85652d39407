// Poisson regression with a log link and an optional exposure offset, fitted by IRLS exactly
// as R's glm.fit (same start, step, convergence test and iteration limit), so the estimates
// match R's glm(family = poisson) to its own convergence; Wald z tests and intervals.

import gammaln from '@stdlib/math-base-special-gammaln';
import { Matrix } from 'ml-matrix';
import { leastSquares } from './least-squares.js';
import { buildDesign, checkLevel, type Design } from './model-design.js';
import { ModelError } from './model-error.js';
import { termRows, type Factors, type ModelResult, type Response, type Term } from './model-table.js';

export interface CountModelOptions {
  /** log(exposure) per area, added to the linear predictor with a fixed coefficient of 1. */
  offset?: readonly number[];
}

/** What IRLS needs from a log-link family: its variance function and unit deviance. */
export interface LogLinkFamily {
  name: string;
  variance(mu: number): number;
  unitDeviance(y: number, mu: number): number;
}

export interface IrlsFit {
  coefficients: number[];
  /** (X'WX)⁻¹ with the weights of the last iteration, as summary.glm uses. */
  unscaledCovariance: number[][];
  mu: number[];
  deviance: number;
  iterations: number;
}

/** glm.control()'s defaults, which MASS::glm.nb uses too. */
export const GLM_EPSILON = 1e-8;
export const GLM_MAX_ITERATIONS = 25;

export const poissonFamily: LogLinkFamily = {
  name: 'poisson',
  variance: (mu) => mu,
  unitDeviance: (y, mu) => (y > 0 ? 2 * (y * Math.log(y / mu) - (y - mu)) : 2 * mu),
};

export function totalDeviance(family: LogLinkFamily, y: readonly number[], mu: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < y.length; i++) d += family.unitDeviance(y[i], mu[i]);
  return d;
}

/** R's default residuals() for a GLM: sign(y − μ)·√(unit deviance). */
export function devianceResiduals(family: LogLinkFamily, y: readonly number[], mu: readonly number[]): number[] {
  return y.map((v, i) => Math.sign(v - mu[i]) * Math.sqrt(Math.max(0, family.unitDeviance(v, mu[i]))));
}

export function checkOffset(offset: readonly number[] | undefined, n: number): number[] {
  if (!offset) return new Array<number>(n).fill(0);
  if (offset.length !== n) throw new ModelError('invalid-value', `offset has ${offset.length} values for ${n} areas`);
  const i = offset.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    throw new ModelError(
      'invalid-value',
      `offset has no finite value at row ${i + 1} (${offset[i]}): the offset is log(exposure) and exposure must be positive`,
    );
  }
  return [...offset];
}

function linearPredictor(x: Matrix, beta: readonly number[], offset: readonly number[]): number[] {
  return x
    .mmul(Matrix.columnVector([...beta]))
    .getColumn(0)
    .map((v, i) => v + offset[i]);
}

const validMeans = (mu: readonly number[]) => mu.every((m) => m > 0 && Number.isFinite(m));

/**
 * IRLS for a log link as R's glm.fit: starts from `start.mu` (R's mustart) or `start.eta`
 * (etastart), stops when |dev − dev_old| / (|dev| + 0.1) < ε, and halves a step that leaves
 * the valid means. Throws a ModelError instead of R's warning when it does not converge.
 */
export function irls(
  design: Design,
  family: LogLinkFamily,
  offset: readonly number[],
  start: { mu: readonly number[] } | { eta: readonly number[] },
): IrlsFit {
  const { x, y } = design;
  let eta = 'eta' in start ? [...start.eta] : start.mu.map(Math.log);
  let mu = eta.map(Math.exp);
  let devianceOld = totalDeviance(family, y, mu);
  let previous: number[] | undefined;

  for (let iteration = 1; iteration <= GLM_MAX_ITERATIONS; iteration++) {
    // Log link: dμ/dη = μ, so the working weight is μ²/V(μ) and the working response η + (y − μ)/μ.
    const weights = mu.map((m) => (m * m) / family.variance(m));
    const z = eta.map((e, i) => e - offset[i] + (y[i] - mu[i]) / mu[i]);
    const step = leastSquares(x, z, weights);
    let beta = step.coefficients;
    eta = linearPredictor(x, beta, offset);
    mu = eta.map(Math.exp);
    let deviance = totalDeviance(family, y, mu);

    for (let halvings = 0; !(Number.isFinite(deviance) && validMeans(mu)); halvings++) {
      if (!previous || halvings >= GLM_MAX_ITERATIONS) {
        throw new ModelError(
          'no-convergence',
          `the ${family.name} model has no valid fit from response '${design.response}': the fitted means overflow or vanish`,
        );
      }
      const from = previous;
      beta = beta.map((b, j) => (b + from[j]) / 2);
      eta = linearPredictor(x, beta, offset);
      mu = eta.map(Math.exp);
      deviance = totalDeviance(family, y, mu);
    }

    if (Math.abs(deviance - devianceOld) / (Math.abs(deviance) + 0.1) < GLM_EPSILON) {
      return { coefficients: beta, unscaledCovariance: step.unscaledCovariance, mu, deviance, iterations: iteration };
    }
    devianceOld = deviance;
    previous = beta;
  }
  throw new ModelError('no-convergence', `the ${family.name} model did not converge after ${GLM_MAX_ITERATIONS} iterations`);
}

/** Wald rows with the rate ratio exp(β); dispersion 1 for both count families. */
export function countRows(names: readonly string[], fit: IrlsFit, level: number): Term[] {
  return termRows(names, fit.coefficients, fit.unscaledCovariance, level).map((row) => ({
    ...row,
    rateRatio: Math.exp(row.estimate),
  }));
}

export function poisson(y: Response, X: Factors, opts: CountModelOptions = {}, level = 0.95): ModelResult {
  checkLevel(level);
  const design = buildDesign(y, X, { counts: 'poisson' });
  const offset = checkOffset(opts.offset, design.y.length);
  // glm's poisson()$initialize: mustart = y + 0.1, which keeps log(μ) finite at y = 0.
  const fit = irls(design, poissonFamily, offset, { mu: design.y.map((v) => v + 0.1) });
  const p = design.names.length;
  let logLik = 0;
  design.y.forEach((v, i) => {
    logLik += (v > 0 ? v * Math.log(fit.mu[i]) : 0) - fit.mu[i] - gammaln(v + 1);
  });
  return {
    rows: countRows(design.names, fit, level),
    fit: { n: design.y.length, logLik, aic: -2 * logLik + 2 * p, deviance: fit.deviance, iterations: fit.iterations },
    residuals: devianceResiduals(poissonFamily, design.y, fit.mu),
    fitted: fit.mu,
  };
}
