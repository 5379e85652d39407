// Negative binomial (NB2: var = μ + μ²/θ) regression with a log link, as MASS::glm.nb:
// a Poisson start, then IRLS for β at fixed θ alternating with Newton's method for θ
// (MASS::theta.ml) until the log-likelihood and θ settle. AIC counts θ as a parameter.

import digamma from '@stdlib/math-base-special-digamma';
import gammaln from '@stdlib/math-base-special-gammaln';
import trigamma from '@stdlib/math-base-special-trigamma';
import {
  GLM_EPSILON,
  GLM_MAX_ITERATIONS,
  checkOffset,
  countRows,
  devianceResiduals,
  irls,
  poissonFamily,
  type CountModelOptions,
  type LogLinkFamily,
} from './glm.js';
import { buildDesign, checkLevel } from './model-design.js';
import { ModelError } from './model-error.js';
import type { Factors, ModelResult, Response } from './model-table.js';

/** theta.ml's tolerance on the Newton step: .Machine$double.eps^0.25. */
const THETA_EPSILON = (2 ** -52) ** 0.25;

export function negativeBinomialFamily(theta: number): LogLinkFamily {
  return {
    name: 'negative binomial',
    variance: (mu) => mu + (mu * mu) / theta,
    unitDeviance: (y, mu) => 2 * (y * Math.log(Math.max(1, y) / mu) - (y + theta) * Math.log((y + theta) / (mu + theta))),
  };
}

/** MASS's loglik(): the NB2 log-likelihood; y·log(μ + [y = 0]) keeps 0·log 0 out. */
export function negativeBinomialLogLik(theta: number, mu: readonly number[], y: readonly number[]): number {
  let l = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    l +=
      gammaln(theta + v) -
      gammaln(theta) -
      gammaln(v + 1) +
      theta * Math.log(theta) +
      v * Math.log(mu[i] + (v === 0 ? 1 : 0)) -
      (theta + v) * Math.log(theta + mu[i]);
  }
  return l;
}

/**
 * θ by maximum likelihood at fixed μ, as MASS::theta.ml: Newton on the score from the
 * moment estimate n / Σ(y/μ − 1)². `stdError` is 1/√information at the last step.
 */
export function thetaML(y: readonly number[], mu: readonly number[], response: string): { theta: number; stdError: number } {
  let moment = 0;
  for (let i = 0; i < y.length; i++) moment += (y[i] / mu[i] - 1) ** 2;
  let theta = y.length / moment;
  let step = 1;
  let information = NaN;
  for (let it = 1; it < GLM_MAX_ITERATIONS && Math.abs(step) > THETA_EPSILON; it++) {
    theta = Math.abs(theta);
    let score = 0;
    information = 0;
    for (let i = 0; i < y.length; i++) {
      const t = theta + mu[i];
      score += digamma(theta + y[i]) - digamma(theta) + Math.log(theta) + 1 - Math.log(t) - (y[i] + theta) / t;
      information += -trigamma(theta + y[i]) + trigamma(theta) - 1 / theta + 2 / t - (y[i] + theta) / (t * t);
    }
    step = score / information;
    theta += step;
  }
  // θ grows without bound when the counts are no more spread than Poisson counts.
  if (!(Math.abs(step) <= THETA_EPSILON) || !Number.isFinite(theta)) {
    throw new ModelError(
      'no-convergence',
      `θ did not converge after ${GLM_MAX_ITERATIONS} iterations: response '${response}' may not be overdispersed (try model=poisson)`,
    );
  }
  if (theta <= 0) {
    throw new ModelError('no-convergence', `θ fell to ${theta}: response '${response}' is underdispersed (try model=poisson)`);
  }
  return { theta, stdError: Math.sqrt(1 / information) };
}

export function negativeBinomial(y: Response, X: Factors, opts: CountModelOptions = {}, level = 0.95): ModelResult {
  checkLevel(level);
  const design = buildDesign(y, X, { counts: 'negbin', extraParameters: 1 });
  const counts = design.y;
  const n = counts.length;
  const p = design.names.length;
  const offset = checkOffset(opts.offset, n);

  let fit = irls(design, poissonFamily, offset, { mu: counts.map((v) => v + 0.1) });
  let family = poissonFamily;
  let mu = fit.mu;
  let theta = thetaML(counts, mu, design.response);
  // glm.nb's stopping rule: the change in log-likelihood on the scale of √(2·df) plus the change in θ.
  const scale = Math.sqrt(2 * Math.max(1, n - p));
  let change = 1;
  let logLik = negativeBinomialLogLik(theta.theta, mu, counts);
  let logLikOld = logLik + 2 * scale;
  let alternations = 0;
  while (Math.abs(logLikOld - logLik) / scale + Math.abs(change) > GLM_EPSILON) {
    if (++alternations > GLM_MAX_ITERATIONS) {
      throw new ModelError(
        'no-convergence',
        `the negative binomial model did not converge after ${GLM_MAX_ITERATIONS} alternations of β and θ`,
      );
    }
    family = negativeBinomialFamily(theta.theta);
    fit = irls(design, family, offset, { eta: mu.map(Math.log) });
    const previous = theta.theta;
    // As MASS: θ is re-estimated at the means before this β step, then the means move on.
    theta = thetaML(counts, mu, design.response);
    mu = fit.mu;
    change = previous - theta.theta;
    logLikOld = logLik;
    logLik = negativeBinomialLogLik(theta.theta, mu, counts);
  }

  return {
    // Standard errors and deviance come from the last β step, at the θ it used, as in R.
    rows: countRows(design.names, fit, level),
    fit: {
      n,
      logLik,
      aic: -2 * logLik + 2 * p + 2,
      theta: theta.theta,
      thetaStdError: theta.stdError,
      deviance: fit.deviance,
      iterations: alternations,
    },
    residuals: devianceResiduals(family, counts, mu),
    fitted: mu,
  };
}
