// Hotspots when no areas are loaded: incidents counted on a regular grid of square cells.
//
// The cell size comes from the data: the side of a square that would hold 4 incidents if they
// were spread evenly over their bounding box (√(box area / (n / 4))), rounded to 10 m and kept
// within 50 m – 2 km, and widened if the grid would pass 40,000 cells. Four per cell keeps
// most cells' counts away from 0/1 noise while staying fine enough to show a street-level
// cluster. Cells are squares in metres (a local equirectangular frame: at city scale the
// error is far below a cell).

import { M_PER_DEG_LAT, metresPerDegLon } from '../geo/earth.js';

const MAX_CELLS = 40_000;

export interface IncidentGrid {
  cellMetres: number;
  columns: number;
  rowsCount: number;
  how: string;
  cells: Array<{ id: string; lon: number; lat: number; count: number }>;
  /** Queen neighbours (the 8 around) of each cell, by index. */
  neighbours: number[][];
}

export function incidentGrid(points: ReadonlyArray<{ lon: number; lat: number }>): IncidentGrid {
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const p of points) {
    minLon = Math.min(minLon, p.lon);
    maxLon = Math.max(maxLon, p.lon);
    minLat = Math.min(minLat, p.lat);
    maxLat = Math.max(maxLat, p.lat);
  }
  const mPerDegLon = metresPerDegLon((minLat + maxLat) / 2);
  const widthM = Math.max(1, (maxLon - minLon) * mPerDegLon);
  const heightM = Math.max(1, (maxLat - minLat) * M_PER_DEG_LAT);
  let side = Math.sqrt((widthM * heightM) / (points.length / 4));
  side = Math.min(2000, Math.max(50, Math.round(side / 10) * 10));
  while (Math.ceil(widthM / side) * Math.ceil(heightM / side) > MAX_CELLS) side *= 1.25;
  const columns = Math.max(1, Math.ceil(widthM / side));
  const rowsCount = Math.max(1, Math.ceil(heightM / side));
  const counts = new Array<number>(columns * rowsCount).fill(0);
  for (const p of points) {
    const c = Math.min(columns - 1, Math.floor(((p.lon - minLon) * mPerDegLon) / side));
    const r = Math.min(rowsCount - 1, Math.floor(((p.lat - minLat) * M_PER_DEG_LAT) / side));
    counts[r * columns + c]++;
  }
  const cells = counts.map((count, i) => {
    const r = Math.floor(i / columns);
    const c = i % columns;
    return { id: `r${r}c${c}`, lon: minLon + ((c + 0.5) * side) / mPerDegLon, lat: minLat + ((r + 0.5) * side) / M_PER_DEG_LAT, count };
  });
  const neighbours = cells.map((_, i) => {
    const r = Math.floor(i / columns);
    const c = i % columns;
    const nb: number[] = [];
    for (let dr = -1; dr <= 1; dr++)
      for (let dc = -1; dc <= 1; dc++) {
        const rr = r + dr;
        const cc = c + dc;
        if ((dr || dc) && rr >= 0 && rr < rowsCount && cc >= 0 && cc < columns) nb.push(rr * columns + cc);
      }
    return nb;
  });
  return {
    cellMetres: Math.round(side),
    columns,
    rowsCount,
    how: `square cells of ${Math.round(side)} m: about 4 incidents per cell over the incidents' bounding box (50 m–2 km, at most ${MAX_CELLS} cells)`,
    cells,
    neighbours,
  };
}
