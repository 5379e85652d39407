// Checks a response and its factors before any fitting and builds the design matrix with the
// intercept, so degenerate data fails with a message naming the variable instead of NaN.

import { Matrix, QrDecomposition } from 'ml-matrix';
import { ModelError } from './model-error.js';
import type { Factors, Response } from './model-table.js';

/** R's lm tolerance: a column whose part outside the earlier columns is below this share of its norm is aliased. */
export const RANK_TOLERANCE = 1e-7;

export interface Design {
  response: string;
  y: number[];
  /** '(Intercept)' then the factor names. */
  names: string[];
  /** n × p, row-major, intercept column first. */
  x: Matrix;
}

export interface DesignOptions {
  /** Parameters beyond the coefficients (θ for the negative binomial), for the too-few check. */
  extraParameters?: number;
  /** A count model's name (poisson, negbin): its response must be non-negative integers. */
  counts?: string;
}

/** The confidence level of the intervals, strictly between 0 and 1. */
export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new ModelError('invalid-value', `confidence level must be between 0 and 1, got ${level}`);
}

function responseOf(y: Response): { name: string; values: readonly number[] } {
  return Array.isArray(y) ? { name: 'y', values: y as readonly number[] } : (y as { name: string; values: readonly number[] });
}

function rowOf(i: number): string {
  return `row ${i + 1}`;
}

function checkFinite(what: string, values: readonly number[]): void {
  const i = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (i >= 0) throw new ModelError('invalid-value', `${what} has no finite value at ${rowOf(i)} (${String(values[i])})`);
}

function sumSquares(values: readonly number[], centre = 0): number {
  let s = 0;
  for (const v of values) s += (v - centre) * (v - centre);
  return s;
}

function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

export function buildDesign(response: Response, factors: Factors, options: DesignOptions = {}): Design {
  const { name, values } = responseOf(response);
  const n = values.length;
  if (factors.names.length !== factors.columns.length) {
    throw new ModelError('invalid-value', `${factors.names.length} factor names for ${factors.columns.length} columns`);
  }
  checkFinite(`response '${name}'`, values);
  factors.columns.forEach((column, j) => {
    const factor = `factor '${factors.names[j]}'`;
    if (column.length !== n) throw new ModelError('invalid-value', `${factor} has ${column.length} values for ${n} areas`);
    checkFinite(factor, column);
  });
  if (options.counts) {
    const i = values.findIndex((v) => v < 0 || !Number.isInteger(v));
    if (i >= 0) {
      throw new ModelError(
        'not-counts',
        `response '${name}' must be a count (a non-negative integer) for model=${options.counts}, but ${rowOf(i)} is ${values[i]}`,
      );
    }
  }

  const p = factors.names.length + 1;
  const parameters = p + (options.extraParameters ?? 0);
  // A fit needs at least one residual degree of freedom; with n ≤ parameters it is exact or undefined.
  if (n <= parameters) throw new ModelError('too-few-areas', `too few areas: n=${n} for ${parameters} parameters`);

  if (values.every((v) => v === values[0])) throw new ModelError('constant-response', `response '${name}' is constant`);
  factors.columns.forEach((column, j) => {
    const factor = `factor '${factors.names[j]}'`;
    if (column.every((v) => v === column[0])) throw new ModelError('constant-factor', `${factor} is constant`);
    // Within the rank tolerance of constant, the QR below could not tell it from the intercept either.
    if (Math.sqrt(sumSquares(column, mean(column))) <= RANK_TOLERANCE * Math.sqrt(sumSquares(column))) {
      throw new ModelError('constant-factor', `${factor} is nearly constant: its spread is below 1e-7 of its size`);
    }
  });

  const names = ['(Intercept)', ...factors.names];
  const x = new Matrix(n, p);
  for (let i = 0; i < n; i++) {
    x.set(i, 0, 1);
    for (let j = 1; j < p; j++) x.set(i, j, factors.columns[j - 1][i]);
  }
  const aliased = firstAliasedColumn(x);
  if (aliased >= 0) {
    throw new ModelError('singular-design', `the design is singular: '${names[aliased]}' is a linear combination of the others`);
  }
  return { response: name, y: [...values], names, x };
}

/**
 * Householder QR in column order: |R_jj| is the norm of column j's part outside the span of
 * columns 0..j−1, so the first column where it falls below the tolerance (relative to the
 * column's norm) is the one R's lm would report as NA. −1 when the design has full rank.
 */
export function firstAliasedColumn(x: Matrix): number {
  const r = new QrDecomposition(x).upperTriangularMatrix;
  for (let j = 0; j < x.columns; j++) {
    const norm = Math.sqrt(sumSquares(x.getColumn(j)));
    if (Math.abs(r.get(j, j)) <= RANK_TOLERANCE * norm) return j;
  }
  return -1;
}
