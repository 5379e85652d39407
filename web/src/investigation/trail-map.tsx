// A plate's trail on the map: the sightings joined in time order by a line, one numbered dot per
// sighting (the table's number), the first and last marked. Vectors only, no tile server.

import { circleMarker, type CircleMarker, type FeatureGroup, featureGroup, type Map as LeafletMap, polyline } from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';
import { cityMap, outlineAreas } from '../base-map.js';
import { cityTime } from '../city-time.js';
import type { TrailPoint } from './trail.js';

const FIRST = '#1a7f37';
const LAST = '#d00000';
const BETWEEN = '#1f5fbf';

export function TrailMap({ points, timeZone }: { points: readonly TrailPoint[]; timeZone: string }) {
  const element = useRef<HTMLElement>(null);
  const drawn = useRef<{ map: LeafletMap; layer: FeatureGroup } | null>(null);

  useEffect(() => {
    const map = cityMap(element.current!, { minZoom: 0 });
    drawn.current = { map, layer: featureGroup().addTo(map) };
    outlineAreas(map);
    return () => {
      map.remove();
      drawn.current = null;
    };
  }, []);

  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    d.layer.clearLayers();
    if (points.length === 0) return;
    if (points.length > 1) {
      polyline(
        points.map((p) => [p.lat, p.lon] as [number, number]),
        { color: '#1d2733', weight: 2, opacity: 0.7, dashArray: '6 4', interactive: false },
      ).addTo(d.layer);
    }
    points.forEach((p, i) => {
      const colour = i === 0 ? FIRST : i === points.length - 1 ? LAST : BETWEEN;
      const marker: CircleMarker = circleMarker([p.lat, p.lon], {
        radius: i === 0 || i === points.length - 1 ? 8 : 6,
        color: '#000',
        weight: 1,
        fillColor: colour,
        fillOpacity: 0.9,
      });
      marker.on('add', () => {
        const el = marker.getElement();
        el?.setAttribute('data-testid', 'trail-point');
        el?.setAttribute('data-n', String(p.n));
      });
      marker.bindTooltip(
        `${p.n}. ${cityTime(p.row.ts, timeZone)} · ${p.row.camera ?? 'unknown camera'}${p.row.area ? ` · ${p.row.area}` : ''}`,
      );
      marker.addTo(d.layer);
    });
    d.map.fitBounds(d.layer.getBounds(), { padding: [24, 24], maxZoom: 16 });
  }, [points, timeZone]);

  return <section class="trail-map" data-testid="map" aria-label="Map of the plate's trail" ref={element} />;
}
