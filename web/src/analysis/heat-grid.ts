// The near-repeat (Knox) table as a heat grid: distance bands down, time bands across, each
// cell coloured by observed/expected on a log scale centred on 1 (as many pairs as chance
// gives), so twice and half as many are equally strong colours.

export interface KnoxRow {
  distanceFrom: number;
  distanceTo: number | null;
  daysFrom: number;
  daysTo: number | null;
  observed: number;
  expected: number;
  ratio: number | null;
  p: number;
}

export interface HeatCell extends KnoxRow {
  colour: string;
  /** Black or white, whichever reads better on `colour`. */
  text: string;
  significant: boolean;
}

export interface HeatGrid {
  distanceLabels: string[];
  timeLabels: string[];
  /** [distance band][time band] */
  cells: HeatCell[][];
}

/** `0–1 m`, `300 m +`: a band's edges, the open last band as its lower edge and up. */
export function bandLabel(from: number, to: number | null, unit: string): string {
  return to === null ? `${from} ${unit} +` : `${from}–${to} ${unit}`;
}

/** Blue below 1, red above; saturated at `limit` times (or 1/limit) the expected count. */
export function ratioColour(ratio: number | null, limit = 4): string {
  if (ratio === null || !Number.isFinite(ratio) || ratio <= 0) return ratio === 0 ? '#4575b4' : '#e0e0e0';
  const t = Math.max(-1, Math.min(1, Math.log(ratio) / Math.log(limit)));
  const white = [247, 247, 247];
  const end = t >= 0 ? [178, 24, 43] : [33, 102, 172];
  const rgb = white.map((w, i) => Math.round(w + (end[i] - w) * Math.abs(t)));
  return `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The text colour of higher contrast on `background` (WCAG: black wins above luminance ≈ 0.18). */
export function textOn(background: string): string {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

/** Rows (distance-major, as the API gives them) into the grid; `alpha` marks significant cells. */
export function heatGrid(rows: readonly KnoxRow[], alpha = 0.05): HeatGrid {
  const distances: Array<[number, number | null]> = [];
  const times: Array<[number, number | null]> = [];
  const key = (a: number, b: number | null) => `${a}:${b}`;
  const seenD = new Set<string>();
  const seenT = new Set<string>();
  for (const r of rows) {
    if (!seenD.has(key(r.distanceFrom, r.distanceTo))) {
      seenD.add(key(r.distanceFrom, r.distanceTo));
      distances.push([r.distanceFrom, r.distanceTo]);
    }
    if (!seenT.has(key(r.daysFrom, r.daysTo))) {
      seenT.add(key(r.daysFrom, r.daysTo));
      times.push([r.daysFrom, r.daysTo]);
    }
  }
  const byOrder = (a: [number, number | null], b: [number, number | null]) => a[0] - b[0];
  distances.sort(byOrder);
  times.sort(byOrder);
  const dIndex = new Map(distances.map((d, i) => [key(d[0], d[1]), i]));
  const tIndex = new Map(times.map((t, i) => [key(t[0], t[1]), i]));
  const cells: HeatCell[][] = distances.map(() => new Array<HeatCell>(times.length));
  for (const r of rows) {
    const colour = ratioColour(r.ratio);
    cells[dIndex.get(key(r.distanceFrom, r.distanceTo))!][tIndex.get(key(r.daysFrom, r.daysTo))!] = {
      ...r,
      colour,
      text: textOn(colour),
      significant: r.p < alpha && r.ratio !== null && r.ratio > 1,
    };
  }
  return {
    distanceLabels: distances.map(([a, b]) => bandLabel(a, b, 'm')),
    timeLabels: times.map(([a, b]) => bandLabel(a, b, 'days')),
    cells,
  };
}
