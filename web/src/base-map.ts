// Every map of the app starts here: a Leaflet map with the deployment's tiles under it when
// `ui.tileUrl` is set (and their attribution shown), or none, so that no request leaves the
// engine's origin. A map can have the mahallas drawn faintly under it too, to find one's way
// without tiles; they come from GET /areas, which a dispatcher may not read: then there are none.

import type { FeatureCollection } from 'geojson';
import { control, geoJSON, type LatLngBounds, type Map as LeafletMap, type MapOptions, map as leafletMap, tileLayer } from 'leaflet';
import { getJson } from './api.js';
import { loadConfig, tiles } from './config.js';
import { me } from './session.js';

const OUTLINE_STYLE = { color: '#7d8797', weight: 1, fillOpacity: 0.03, interactive: false };

export function cityMap(element: HTMLElement, options: MapOptions = {}): LeafletMap {
  const map = leafletMap(element, { attributionControl: false, center: [20, 0], zoom: 2, minZoom: 2, ...options });
  // Leaflet measures its container once; a panel that lays out after the map is made (a grid
  // column, a lazy stylesheet) would leave the view framed for the wrong size.
  const resized = new ResizeObserver(() => map.invalidateSize());
  resized.observe(element);
  let removed = false;
  map.once('unload', () => {
    removed = true;
    resized.disconnect();
  });
  void loadConfig().then(() => {
    if (!tiles || removed) return;
    control.attribution({ prefix: false }).addTo(map);
    tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
  });
  return map;
}

interface Areas {
  data: FeatureCollection | null;
  /** Why they could not be had; null when they were, or when the caller may not read them. */
  error: string | null;
}

let areas: Promise<Areas> | null = null;

/** The mahallas as GeoJSON, asked once per page (a failure is asked again by the next map). */
function cityAreas(): Promise<Areas> {
  const roles = me.value?.roles ?? [];
  if (!roles.includes('admin') && !roles.includes('analyst')) return Promise.resolve({ data: null, error: null });
  areas ??= getJson<FeatureCollection>('/api/v1/areas?format=geojson').then(
    (data) => ({ data, error: null }),
    (err: unknown) => {
      areas = null;
      return { data: null, error: err instanceof Error ? err.message : String(err) };
    },
  );
  return areas;
}

/**
 * Draws the mahallas faintly under a map's own layers (not interactive: clicks go to the map).
 * `onDrawn` gets their bounds, for a map that has nothing else to frame yet; `onError` why they
 * could not be read.
 */
export function outlineAreas(
  map: LeafletMap,
  on: { onDrawn?: (bounds: LatLngBounds) => void; onError?: (why: string) => void } = {},
): void {
  let removed = false;
  map.once('unload', () => {
    removed = true;
  });
  void cityAreas().then(({ data, error }) => {
    if (removed) return;
    if (error !== null) on.onError?.(error);
    if (!data || data.features.length === 0) return;
    const outline = geoJSON(data, { style: OUTLINE_STYLE, interactive: false }).addTo(map);
    outline.bringToBack();
    on.onDrawn?.(outline.getBounds());
  });
}
