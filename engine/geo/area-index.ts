// Which area a point lies in: a flatbush R-tree over polygon bounding boxes narrows the
// candidates, an exact point-in-polygon test decides. Immutable once built; rebuilt on upload.

import Flatbush from 'flatbush';
import { bboxOf, polygonContains, polygonsOf, type AreaGeometry, type PolygonCoords } from './geojson.js';

export interface AreaShape {
  id: string;
  geometry: AreaGeometry;
}

export class AreaIndex {
  private readonly tree: Flatbush | null;
  private readonly polygons: PolygonCoords[] = [];
  private readonly owners: string[] = [];

  constructor(areas: readonly AreaShape[]) {
    for (const area of areas) {
      for (const polygon of polygonsOf(area.geometry)) {
        this.polygons.push(polygon);
        this.owners.push(area.id);
      }
    }
    if (this.polygons.length === 0) {
      this.tree = null;
      return;
    }
    this.tree = new Flatbush(this.polygons.length);
    for (const p of this.polygons) this.tree.add(...bboxOf(p));
    this.tree.finish();
  }

  get size(): number {
    return new Set(this.owners).size;
  }

  /** The id of the area containing (lon, lat), or null. Overlaps resolve to the first uploaded. */
  locate(lon: number, lat: number): string | null {
    if (!this.tree) return null;
    let best = -1;
    for (const i of this.tree.search(lon, lat, lon, lat)) {
      if ((best === -1 || i < best) && polygonContains(this.polygons[i], lon, lat)) best = i;
    }
    return best === -1 ? null : this.owners[best];
  }
}
