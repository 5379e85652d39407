// The Analysis map: every area (mahalla) drawn once from GET /api/v1/areas?format=geojson, then
// shaded from the hotspots answer, by Gi* confidence bin or by the variable's value. Vectors
// only, no tile server. Each area's path carries data-area-id, so a test (or a screen reader's
// user, with the list below the map) can tell which shape is which.

import { circleMarker, type FeatureGroup, featureGroup, geoJSON, type Layer, type Map as LeafletMap, type Path } from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';
import { cityMap } from '../base-map.js';
import { binColour, binLabel, type Bin, classColour } from './hotspot-palette.js';
import { formatP } from './trend-words.js';

export interface AreaCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    id?: string | number;
    properties: { id: string | number; name?: string | null } & Record<string, unknown>;
    geometry: { type: string; coordinates: unknown } | null;
  }>;
}

/** A feature of GET /analytics/hotspots?format=geojson: an area's row, or a grid cell's at its centre. */
export interface HotspotFeature {
  id?: string | number;
  geometry: { type: string; coordinates: unknown } | null;
  properties: { area?: string; cell?: string; name?: string | null; value: number; z: number; p: number; pFdr?: number; bin: number };
}

export type Shading = 'bins' | 'values';

interface Drawn {
  map: LeafletMap;
  areas: Map<string, Path>;
  names: Map<string, string | null>;
  areaLayer: FeatureGroup | null;
  cellLayer: FeatureGroup;
}

const NO_DATA = { fillColor: '#d9d9d9', fillOpacity: 0.6 };

function areaIdOf(f: AreaCollection['features'][number]): string {
  return String(f.properties?.id ?? f.id);
}

function describe(name: string, p: HotspotFeature['properties'] | undefined, variable: string): string {
  if (!p) return `${name}: no value`;
  return `${name}: ${variable} ${p.value.toLocaleString('en-GB', { maximumFractionDigits: 2 })}; Gi* z = ${p.z.toFixed(2)}, ${formatP(p.p)}; ${binLabel(p.bin as Bin)}`;
}

export function HotspotMap(props: {
  areas: AreaCollection | null;
  hotspots: HotspotFeature[] | null;
  shading: Shading;
  breaks: readonly number[];
  variable: string;
}) {
  const { areas, hotspots, shading, breaks, variable } = props;
  const element = useRef<HTMLElement>(null);
  const drawn = useRef<Drawn | null>(null);

  useEffect(() => {
    const map = cityMap(element.current!, { minZoom: 0, zoomSnap: 0.25 });
    drawn.current = { map, areas: new Map(), names: new Map(), areaLayer: null, cellLayer: featureGroup().addTo(map) };
    return () => {
      map.remove();
      drawn.current = null;
    };
  }, []);

  // The shapes: drawn once per areas answer, one path per area, tagged as soon as it is on the map.
  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    d.areaLayer?.remove();
    d.areas.clear();
    d.names.clear();
    d.areaLayer = null;
    if (!areas || areas.features.length === 0) return;
    const layer = geoJSON(areas as never, {
      style: () => ({ color: '#4a4a4a', weight: 1, ...NO_DATA }),
      onEachFeature: (feature, l: Layer) => {
        const f = feature as unknown as AreaCollection['features'][number];
        const id = areaIdOf(f);
        const path = l as Path;
        const tag = () => {
          const el = path.getElement();
          el?.setAttribute('data-testid', 'area');
          el?.setAttribute('data-area-id', id);
        };
        path.on('add', tag);
        d.areas.set(id, path);
        d.names.set(id, f.properties?.name ?? null);
        path.bindTooltip(f.properties?.name ?? `Area ${id}`, { sticky: true });
      },
    }).addTo(d.map);
    d.areaLayer = layer;
    const bounds = layer.getBounds();
    if (bounds.isValid()) d.map.fitBounds(bounds, { padding: [10, 10] });
  }, [areas]);

  // The shading: restyled in place when the answer or the choice changes, the shapes kept (and
  // applied to the shapes when they come after the answer).
  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    const byArea = new Map<string, HotspotFeature['properties']>();
    const cells: HotspotFeature[] = [];
    for (const f of hotspots ?? []) {
      if (f.properties.area !== undefined) byArea.set(String(f.properties.area), f.properties);
      else if (f.geometry?.type === 'Point') cells.push(f);
    }
    const fill = (p: HotspotFeature['properties']) => (shading === 'bins' ? binColour(p.bin) : classColour(p.value, breaks));
    for (const [id, path] of d.areas) {
      const p = byArea.get(id);
      path.setStyle(p ? { fillColor: fill(p), fillOpacity: 0.8 } : NO_DATA);
      path.setTooltipContent(describe(d.names.get(id) ?? `Area ${id}`, p, variable));
    }
    // Without areas the engine maps incidents on a grid: its cells as dots at their centres.
    d.cellLayer.clearLayers();
    for (const c of cells) {
      const [lon, lat] = c.geometry!.coordinates as [number, number];
      circleMarker([lat, lon], { radius: 7, color: '#4a4a4a', weight: 1, fillColor: fill(c.properties), fillOpacity: 0.9 })
        .bindTooltip(describe(`Cell ${c.properties.cell}`, c.properties, variable))
        .addTo(d.cellLayer);
    }
    if (d.areas.size === 0 && cells.length > 0) d.map.fitBounds(d.cellLayer.getBounds(), { padding: [10, 10], maxZoom: 15 });
  }, [areas, hotspots, shading, breaks, variable]);

  return <section class="analysis-map" data-testid="map" aria-label="Map of the areas, shaded as the legend says" ref={element} />;
}
