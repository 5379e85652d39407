// engine/analytics/regression: OLS against Anselin's published Columbus fit, OLS, Poisson and
// negative binomial against R (lm, glm, MASS::glm.nb), and one test per ModelError message.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { irls, poissonFamily } from '../../engine/analytics/glm.js';
import { buildDesign } from '../../engine/analytics/model-design.js';
import {
  ModelError,
  negativeBinomial,
  ols,
  poisson,
  type Factors,
  type ModelResult,
  type Term,
} from '../../engine/analytics/regression.js';
import { thrown } from '../helpers/thrown.js';

// The Columbus neighbourhoods (Anselin 1988), the same file the R script reads.
const columbus = JSON.parse(readFileSync(new URL('../fixtures/columbus.geojson', import.meta.url), 'utf8')) as {
  features: { properties: Record<string, number> }[];
};
const column = (name: string) => columbus.features.map((f) => f.properties[name]);
const factors = (...names: string[]): Factors => ({ names, columns: names.map(column) });
const CRIME = { name: 'CRIME', values: column('CRIME') };

// Every number below that is not Anselin's comes from test/fixtures/r/regression.json, written by
// test/fixtures/r/regression.R (R 4.2.2, MASS 7.3-58.2; see its `source`). CRIME is a rate, not a
// count, so the count models there and here use round(CRIME) as the count and log(HOVAL) as a
// stand-in exposure: a check of the numerics, not a model of Columbus.
interface RCase {
  formula: string;
  offset: string | null;
  level: number;
  rows: Omit<Term, 'rateRatio'>[];
  fit: Record<string, number>;
  residuals: number[];
}
const R = JSON.parse(readFileSync(new URL('../fixtures/r/regression.json', import.meta.url), 'utf8')) as {
  source: string;
  counts: number[];
  lm: RCase[];
  poisson: RCase[];
  negbin: RCase[];
};

const count = { name: 'count', values: column('CRIME').map(Math.round) };
const factorsOf = (c: RCase) =>
  factors(
    ...c.formula
      .split('~')[1]
      .split('+')
      .map((s) => s.trim()),
  );
const offsetOf = (c: RCase) => (c.offset === 'log(HOVAL)' ? column('HOVAL').map(Math.log) : undefined);

function expectRelative(actual: number | undefined, expected: number, tolerance: number, what: string): void {
  expect(actual, what).toBeTypeOf('number');
  // A p-value beyond double precision (|z| > 38) is 0 on both sides.
  if (expected === 0) return void expect(actual, what).toBe(0);
  const error = Math.abs((actual as number) - expected) / Math.abs(expected);
  expect(error, `${what}: ${actual} vs R ${expected}`).toBeLessThanOrEqual(tolerance);
}

const FIELDS = ['estimate', 'stdError', 'statistic', 'p', 'ciLow', 'ciHigh'] as const;

function expectLikeR(model: ModelResult, c: RCase, tolerance: number): void {
  expect(model.rows.map((r) => r.term)).toEqual(c.rows.map((r) => r.term));
  model.rows.forEach((row, j) => {
    for (const field of FIELDS) expectRelative(row[field], c.rows[j][field], tolerance, `${row.term}.${field}`);
  });
  for (const [key, value] of Object.entries(c.fit)) {
    if (key === 'iterations') expect(model.fit.iterations, 'fit.iterations').toBe(value);
    else if (key === 'seTheta') expectRelative(model.fit.thetaStdError, value, tolerance, 'fit.thetaStdError');
    else expectRelative(model.fit[key as keyof typeof model.fit] as number, value, tolerance, `fit.${key}`);
  }
  model.residuals.forEach((r, i) => expect(Math.abs(r - c.residuals[i]), `residual ${i}`).toBeLessThanOrEqual(tolerance * 10));
}

describe('ols: Anselin (1988) CRIME ~ INC + HOVAL', () => {
  const model = ols(CRIME, factors('INC', 'HOVAL'));
  // Published in Spatial Econometrics (1988), table 12.1's OLS column; also shared/data/README.md.
  const published = [
    { term: '(Intercept)', estimate: '68.6190', stdError: '4.7355' },
    { term: 'INC', estimate: '-1.5973', stdError: '0.3341' },
    { term: 'HOVAL', estimate: '-0.2739', stdError: '0.1032' },
  ];

  it('reproduces the estimates and standard errors to the published four decimals', () => {
    expect(model.rows.map((r) => ({ term: r.term, estimate: r.estimate.toFixed(4), stdError: r.stdError.toFixed(4) }))).toEqual(published);
  });

  it('reproduces R² = 0.5524', () => {
    expect(model.fit.r2?.toFixed(4)).toBe('0.5524');
    expect(model.fit.n).toBe(49);
  });

  it('returns residuals and fitted values that add up to the response', () => {
    model.fitted.forEach((f, i) => expect(f + model.residuals[i]).toBeCloseTo(CRIME.values[i], 10));
  });
});

describe('ols against R lm, summary.lm, confint, logLik, AIC', () => {
  // Exact linear algebra on both sides: agreement is limited by the 15 digits R printed.
  for (const c of R.lm) {
    it(`${c.formula} at level ${c.level}`, () => {
      expectLikeR(ols(CRIME, factorsOf(c), c.level), c, 1e-9);
    });
  }
});

describe('poisson against R glm(family = poisson), confint.default', () => {
  it('uses the same counts as R (round(CRIME))', () => {
    expect(count.values).toEqual(R.counts);
  });

  for (const c of R.poisson) {
    it(`${c.formula}${c.offset ? ` + offset(${c.offset})` : ''} at level ${c.level}`, () => {
      const model = poisson(count, factorsOf(c), { offset: offsetOf(c) }, c.level);
      expectLikeR(model, c, 1e-5);
      for (const row of model.rows) expect(row.rateRatio).toBe(Math.exp(row.estimate));
    });
  }

  it('fits the offset: exposure doubled everywhere leaves the slopes and adds log 2 to the intercept', () => {
    const base = poisson(count, factors('INC'), {});
    const doubled = poisson(count, factors('INC'), { offset: new Array<number>(49).fill(Math.log(2)) });
    expect(doubled.rows[1].estimate).toBeCloseTo(base.rows[1].estimate, 10);
    expect(doubled.rows[0].estimate).toBeCloseTo(base.rows[0].estimate - Math.log(2), 10);
    doubled.fitted.forEach((m, i) => expect(m).toBeCloseTo(base.fitted[i], 8));
  });
});

describe('negativeBinomial against R MASS::glm.nb', () => {
  for (const c of R.negbin) {
    it(`${c.formula}${c.offset ? ` + offset(${c.offset})` : ''} at level ${c.level}`, () => {
      const model = negativeBinomial(count, factorsOf(c), { offset: offsetOf(c) }, c.level);
      expectLikeR(model, c, 1e-5);
      expect(model.fit.iterations).toBeGreaterThan(0);
      for (const row of model.rows) expect(row.rateRatio).toBe(Math.exp(row.estimate));
    });
  }

  it('counts θ as a parameter in AIC', () => {
    const { fit, rows } = negativeBinomial(count, factors('INC', 'HOVAL'));
    expect(fit.aic).toBeCloseTo(-2 * fit.logLik + 2 * (rows.length + 1), 10);
  });
});

describe('ModelError: degenerate data answers with a message, never NaN', () => {
  const inc = column('INC');
  const hoval = column('HOVAL');

  function modelError(fn: () => unknown): ModelError {
    const err = thrown(fn, ModelError);
    // A 400 through the API's error handler, like any other bad input.
    expect(err.statusCode).toBe(400);
    return err;
  }

  it('names a constant response, for every model', () => {
    const flat = { name: 'CRIME', values: new Array<number>(49).fill(7) };
    for (const fit of [
      () => ols(flat, factors('INC')),
      () => poisson(flat, factors('INC')),
      () => negativeBinomial(flat, factors('INC')),
    ]) {
      const err = modelError(fit);
      expect(err.message).toBe("response 'CRIME' is constant");
      expect(err.problem).toBe('constant-response');
    }
  });

  it("calls a bare array response 'y'", () => {
    expect(modelError(() => ols(new Array<number>(49).fill(1), factors('INC'))).message).toBe("response 'y' is constant");
  });

  it('names a constant factor', () => {
    const X = { names: ['INC', 'HOVAL'], columns: [inc, new Array<number>(49).fill(50)] };
    const err = modelError(() => ols(CRIME, X));
    expect(err.message).toBe("factor 'HOVAL' is constant");
    expect(err.problem).toBe('constant-factor');
    const nearly = { names: ['INC', 'HOVAL'], columns: [inc, hoval.map((v) => 1e9 + v * 1e-9)] };
    expect(modelError(() => ols(CRIME, nearly)).message).toBe("factor 'HOVAL' is nearly constant: its spread is below 1e-7 of its size");
  });

  it('names the factor that is a linear combination of the others', () => {
    const X = { names: ['INC', 'HOVAL', 'A'], columns: [inc, hoval, inc.map((v, i) => 2 * v - hoval[i] + 3)] };
    for (const fit of [() => ols(CRIME, X), () => poisson(count, X), () => negativeBinomial(count, X)]) {
      const err = modelError(fit);
      expect(err.message).toBe("the design is singular: 'A' is a linear combination of the others");
      expect(err.problem).toBe('singular-design');
    }
  });

  it('names the later of two identical factors', () => {
    const X = { names: ['INC', 'INC2', 'HOVAL'], columns: [inc, [...inc], hoval] };
    expect(modelError(() => ols(CRIME, X)).message).toBe("the design is singular: 'INC2' is a linear combination of the others");
  });

  it('refuses fewer areas than parameters, counting θ for the negative binomial', () => {
    const three = (c: number[]) => c.slice(0, 3);
    const X3 = { names: ['INC', 'HOVAL', 'OPEN'], columns: [three(inc), three(hoval), three(column('OPEN'))] };
    expect(modelError(() => ols(three(CRIME.values), X3)).message).toBe('too few areas: n=3 for 4 parameters');
    const X2 = { names: ['INC', 'HOVAL'], columns: [three(inc), three(hoval)] };
    const err = modelError(() => negativeBinomial(three(count.values), X2));
    expect(err.message).toBe('too few areas: n=3 for 4 parameters');
    expect(err.problem).toBe('too-few-areas');
  });

  it('refuses a rate or a negative value as a count, naming the response', () => {
    expect(modelError(() => poisson(CRIME, factors('INC'))).message).toBe(
      "response 'CRIME' must be a count (a non-negative integer) for model=poisson, but row 1 is 15.72598",
    );
    const negative = { name: 'incidents', values: count.values.map((v, i) => (i === 4 ? -1 : v)) };
    const err = modelError(() => negativeBinomial(negative, factors('INC')));
    expect(err.message).toBe("response 'incidents' must be a count (a non-negative integer) for model=negbin, but row 5 is -1");
    expect(err.problem).toBe('not-counts');
  });

  it('names a missing value in the response, a factor or the offset', () => {
    const gap = CRIME.values.map((v, i) => (i === 2 ? NaN : v));
    expect(modelError(() => ols({ name: 'CRIME', values: gap }, factors('INC'))).message).toBe(
      "response 'CRIME' has no finite value at row 3 (NaN)",
    );
    expect(modelError(() => ols(CRIME, { names: ['INC'], columns: [gap] })).message).toBe(
      "factor 'INC' has no finite value at row 3 (NaN)",
    );
    expect(modelError(() => ols(CRIME, { names: ['INC'], columns: [inc.slice(1)] })).message).toBe(
      "factor 'INC' has 48 values for 49 areas",
    );
    const offset = hoval.map((v, i) => (i === 0 ? Math.log(0) : Math.log(v)));
    expect(modelError(() => poisson(count, factors('INC'), { offset })).message).toBe(
      'offset has no finite value at row 1 (-Infinity): the offset is log(exposure) and exposure must be positive',
    );
  });

  it('refuses a response the factors fit exactly (no residual variance for OLS)', () => {
    const exact = { name: 'CRIME', values: inc.map((v) => 3 + 2 * v) };
    const err = modelError(() => ols(exact, factors('INC', 'HOVAL')));
    expect(err.message).toBe("response 'CRIME' is fitted exactly by the factors: no residual variance to test against");
    expect(err.problem).toBe('perfect-fit');
  });

  it('says θ does not converge when the counts are not overdispersed', () => {
    // Counts far less spread than Poisson: θ runs off to infinity.
    const even = { name: 'incidents', values: inc.map((_, i) => 20 + (i % 3)) };
    const err = modelError(() => negativeBinomial(even, factors('INC')));
    expect(err.message).toBe("θ did not converge after 25 iterations: response 'incidents' may not be overdispersed (try model=poisson)");
    expect(err.problem).toBe('no-convergence');
    // The same counts are a fine Poisson response.
    expect(poisson(even, factors('INC')).rows.every((r) => Number.isFinite(r.stdError))).toBe(true);
  });

  it('says IRLS did not converge after the iteration limit', () => {
    // A family whose deviance never settles stands in for data that IRLS cannot fit.
    let calls = 0;
    const restless = { ...poissonFamily, name: 'restless', unitDeviance: () => (calls++ % 98 < 49 ? 1 : 2) };
    const design = buildDesign(count, factors('INC'), { counts: 'poisson' });
    const err = modelError(() => irls(design, restless, new Array<number>(49).fill(0), { mu: count.values.map((v) => v + 0.1) }));
    expect(err.message).toBe('the restless model did not converge after 25 iterations');
  });

  it('refuses a confidence level outside (0, 1)', () => {
    expect(modelError(() => ols(CRIME, factors('INC'), 95)).message).toBe('confidence level must be between 0 and 1, got 95');
  });
});
