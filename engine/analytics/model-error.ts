// Why a regression cannot be fitted (constant or singular data, too few areas, counts that are
// not counts, no convergence): a 400 for the API, with a message naming the variable.

import { VigilError } from '../errors.js';

export type ModelProblem =
  | 'constant-response'
  | 'constant-factor'
  | 'singular-design'
  | 'too-few-areas'
  | 'perfect-fit'
  | 'invalid-value'
  | 'not-counts'
  | 'no-convergence';

/** The data cannot support the model; `problem` lets a caller branch without parsing the message. */
export class ModelError extends VigilError {
  readonly problem: ModelProblem;
  constructor(problem: ModelProblem, message: string) {
    super('INPUT_INVALID', message);
    this.name = 'ModelError';
    this.problem = problem;
  }
}
