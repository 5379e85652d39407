// Where reads and incidents happen: cameras and the areas (mahallas) they lie in.

import type { AreaGeometry } from '../geo/geojson.js';

/** What placing a read needs of a camera. */
export interface CameraSite {
  id: string;
  lat: number;
  lon: number;
  kind?: string | null;
}

export interface Camera extends CameraSite {
  attrs?: Record<string, unknown> | null;
}

export interface Area {
  id: string;
  name: string | null;
  geometry: AreaGeometry;
  /** Numeric properties of the feature: the area's factors for analytics. */
  factors: Record<string, number>;
}
