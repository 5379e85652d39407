// The regressions behind the `factors` endpoint: OLS, Poisson and negative binomial with an
// intercept, each answering coefficient rows and fit statistics as R does. What is public.

export { ols } from './ols.js';
export { poisson, type CountModelOptions } from './glm.js';
export { negativeBinomial } from './negbin.js';
export { ModelError, type ModelProblem } from './model-error.js';
export type { Factors, Fit, ModelResult, Response, Term } from './model-table.js';
