// What each panel needs before it asks: the engine would answer 400 to a question that cannot
// be answered (too few areas, too few incidents), and the browser logs every refused call as a
// console error. Counts already on the page (the areas, the incidents per type) say so first,
// and the panel says why in words instead.

/** A count on the page: a number, null while it loads, undefined when it could not be had (then ask anyway). */
export type Known = number | null | undefined;

export type Readiness = { ready: true } | { ready: false; waiting: true } | { ready: false; waiting: false; reason: string };

const READY: Readiness = { ready: true };
const WAITING: Readiness = { ready: false, waiting: true };
const not = (reason: string): Readiness => ({ ready: false, waiting: false, reason });

/** The engine's minimum of areas for any area statistic, and of incidents for a grid or a pair. */
export const MIN_AREAS = 3;
export const MIN_GRID_INCIDENTS = 3;
export const MIN_PAIR_INCIDENTS = 2;

function incidentsIn(n: number): string {
  return `${n === 0 ? 'no' : n} incident${n === 1 ? '' : 's'} in the window`;
}

function tooFewAreas(areas: number): string {
  return `At least ${MIN_AREAS} areas are needed; ${areas} ${areas === 1 ? 'is' : 'are'} loaded (an admin uploads them: PUT /api/v1/areas).`;
}

/** Gi* per area, or per grid cell of incidents when no areas are loaded. */
export function hotspotReadiness(areas: Known, incidents: Known): Readiness {
  if (areas === null || incidents === null) return WAITING;
  if (areas === 0) {
    if (incidents !== undefined && incidents < MIN_GRID_INCIDENTS) {
      return not(`No areas are loaded, and a grid of incidents needs at least ${MIN_GRID_INCIDENTS}: ${incidentsIn(incidents)}.`);
    }
    return READY;
  }
  if (areas !== undefined && areas < MIN_AREAS) return not(tooFewAreas(areas));
  if (incidents === 0) return not('No incidents in the window: nothing to map.');
  return READY;
}

/** A factor model over the areas. */
export function factorsReadiness(areas: Known): Readiness {
  if (areas === null) return WAITING;
  if (areas !== undefined && areas < MIN_AREAS) return not(tooFewAreas(areas));
  return READY;
}

/** The Knox test over pairs of incidents. */
export function nearRepeatReadiness(incidents: Known): Readiness {
  if (incidents === null) return WAITING;
  if (incidents !== undefined && incidents < MIN_PAIR_INCIDENTS) {
    return not(`The near-repeat test needs at least ${MIN_PAIR_INCIDENTS} incidents: ${incidentsIn(incidents)}.`);
  }
  return READY;
}
