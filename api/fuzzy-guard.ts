// Edits on a plate list flood dispatch with false hits unless the list is small and sparse, so a
// change that turns edits on, or adds entries to a list that has them, is estimated first
// (engine/match/fuzzy-estimate) and refused above matching.maxFuzzyHitRate. `force` accepts it
// anyway, and that decision is audited with the estimate it overrode.

import type { FastifyRequest } from 'fastify';
import { actorOf } from './auth.js';
import { badInput } from '../engine/errors.js';
import { estimateFuzzyHitRate, type FuzzyEstimate } from '../engine/match/fuzzy-estimate.js';
import type { PlateMatchOptions, Watchlist } from '../engine/match/rules.js';
import { recentPlateSample } from '../engine/store/plate-sample.js';
import type { ApiDeps } from './deps.js';

const DAY_MS = 86_400_000;

export interface FuzzyCheck extends FuzzyEstimate {
  /** The estimate was over the limit and `force` accepted it. */
  forced: boolean;
}

/**
 * Estimates the false hits by edit of `list` with `match` and entries `keys`; throws a 400
 * naming `field` (the request's path to maxEdits) when over the limit and not forced.
 */
export async function checkFuzzyRate(
  deps: ApiDeps,
  request: FastifyRequest,
  list: Pick<Watchlist, 'id'>,
  match: PlateMatchOptions,
  keys: readonly string[],
  force: boolean,
  field: string,
): Promise<FuzzyCheck> {
  const { config, db, audit } = deps;
  const spec = { ocrEquivalence: match.ocrEquivalence, maxEdits: match.maxEdits, formats: config.matching.plateFormats };
  const sample = match.maxEdits > 0 && keys.length > 0 ? await recentPlateSample(db, Date.now() - DAY_MS) : null;
  const estimate = estimateFuzzyHitRate(keys, spec, sample);
  const rate = round(estimate.perThousandReads);
  const limit = config.matching.maxFuzzyHitRate;
  const checked = { ...estimate, perThousandReads: rate, forced: false };
  if (rate <= limit) return checked;
  const detail = { estimatedFuzzyHitRate: rate, maxFuzzyHitRate: limit, basis: estimate.basis, entries: keys.length };
  if (!force) {
    const from =
      estimate.basis === 'reads'
        ? `${estimate.sampled.toLocaleString('en')} reads of the last 24 h`
        : "the list's own plates (no recent reads)";
    throw badInput(
      `${field} ${match.maxEdits} would give an estimated ${rate} false hits per 1,000 reads with ${keys.length.toLocaleString('en')} plates ` +
        `(from ${from}); matching.maxFuzzyHitRate is ${limit}. Use maxEdits 0, fewer plates, or force: true to accept it`,
      detail,
    );
  }
  await audit.record({
    ...actorOf(request),
    action: 'watchlist.fuzzy.override',
    target: list.id,
    detail: { ...detail, maxEdits: match.maxEdits },
  });
  return { ...checked, forced: true };
}

/** Per 1,000 reads, to 4 significant digits: enough to compare with a limit like 0.05. */
function round(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(4));
}
