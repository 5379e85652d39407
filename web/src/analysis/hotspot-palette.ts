// The colours of the Analysis map: Gi* confidence bins on a diverging palette (cold blue, hot
// red, not significant neutral), and the choropleth's sequential classes of a variable's value.
// ColorBrewer's RdBu and YlOrRd: readable by most colour-blind viewers, and in grey print.

export type Bin = -3 | -2 | -1 | 0 | 1 | 2 | 3;

/** Hot (3) to cold (−3): the order the legend lists them, as ArcGIS's Hot Spot Analysis does. */
export const BINS: readonly Bin[] = [3, 2, 1, 0, -1, -2, -3];

const BIN_COLOURS: Record<Bin, string> = {
  3: '#b2182b',
  2: '#ef8a62',
  1: '#fddbc7',
  0: '#f7f7f7',
  [-1]: '#d1e5f0',
  [-2]: '#67a9cf',
  [-3]: '#2166ac',
};

const LEVELS: Record<number, string> = { 3: '99 %', 2: '95 %', 1: '90 %' };

/** The bin's colour; anything that is not a bin −3…3 (a missing row) is drawn as not significant. */
export function binColour(bin: number): string {
  return BIN_COLOURS[(Number.isInteger(bin) && bin >= -3 && bin <= 3 ? bin : 0) as Bin];
}

export function binLabel(bin: Bin): string {
  if (bin === 0) return 'Not significant';
  return `${bin > 0 ? 'Hot spot' : 'Cold spot'}, ${LEVELS[Math.abs(bin)]} confidence`;
}

/** Light to dark: few incidents to many. */
export const CLASS_COLOURS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'] as const;

/**
 * Upper edges of up to five quantile classes of `values` (the last is the maximum). Ties collapse
 * classes, so a variable with few distinct values gets fewer classes, never an empty one.
 */
export function classBreaks(values: readonly number[], classes = CLASS_COLOURS.length): number[] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const breaks: number[] = [];
  for (let k = 1; k <= classes; k++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.ceil((k * sorted.length) / classes) - 1)];
    if (breaks.length === 0 || edge > breaks[breaks.length - 1]) breaks.push(edge);
  }
  return breaks;
}

/** The class colour of `value` under `breaks`; spread over the palette when there are fewer classes. */
export function classColour(value: number, breaks: readonly number[]): string {
  if (!Number.isFinite(value) || breaks.length === 0) return BIN_COLOURS[0];
  let k = breaks.findIndex((edge) => value <= edge);
  if (k < 0) k = breaks.length - 1;
  const step = breaks.length > 1 ? (CLASS_COLOURS.length - 1) / (breaks.length - 1) : 0;
  return CLASS_COLOURS[Math.round(k * step)];
}

/** Legend rows of the classes: `0 – 3`, `4 – 7`, … (the lowest from the minimum). */
export function classLegend(values: readonly number[], breaks: readonly number[], digits = 0): Array<{ colour: string; label: string }> {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const min = Math.min(...finite);
  const fmt = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: digits });
  return breaks.map((edge, k) => ({
    colour: classColour(edge, breaks),
    label: k === 0 ? (min === edge ? fmt(edge) : `${fmt(min)} – ${fmt(edge)}`) : `> ${fmt(breaks[k - 1])} – ${fmt(edge)}`,
  }));
}
