// Where the board's hits were seen: one marker per hit at its camera's position (panic alarms in
// the alarm colour). GeoJSON-style vectors only, no tile server: nothing leaves the engine's origin.

import {
  circleMarker,
  type CircleMarker,
  latLngBounds,
  type LayerGroup,
  layerGroup,
  map as leafletMap,
  type Map as LeafletMap,
} from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';
import type { BoardHit } from './board.js';
import { headline, isPanic } from './hit.js';

interface Drawn {
  map: LeafletMap;
  layer: LayerGroup;
  markers: Map<string, { marker: CircleMarker; decided: boolean }>;
  fitted: boolean;
}

function style(hit: BoardHit) {
  const panic = isPanic(hit);
  const colour = panic ? '#d00000' : hit.ack ? '#7a7a7a' : '#1f5fbf';
  return { radius: panic ? 9 : 6, color: colour, fillColor: colour, fillOpacity: hit.ack ? 0.3 : 0.8, weight: panic ? 3 : 1 };
}

export function HitMap({ hits }: { hits: readonly BoardHit[] }) {
  const element = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);

  useEffect(() => {
    const map = leafletMap(element.current!, { attributionControl: false, center: [20, 0], zoom: 2, minZoom: 2 });
    drawn.current = { map, layer: layerGroup().addTo(map), markers: new Map(), fitted: false };
    return () => {
      map.remove();
      drawn.current = null;
    };
  }, []);

  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    const shown = new Set<string>();
    for (const hit of hits) {
      if (hit.lat === null || hit.lon === null) continue;
      shown.add(hit.id);
      const known = d.markers.get(hit.id);
      const decided = Boolean(hit.ack);
      if (!known) {
        const marker = circleMarker([hit.lat, hit.lon], style(hit)).bindTooltip(`${headline(hit)} · ${hit.camera ?? ''}`);
        d.layer.addLayer(marker);
        d.markers.set(hit.id, { marker, decided });
      } else if (known.decided !== decided) {
        known.marker.setStyle(style(hit));
        known.decided = decided;
      }
    }
    for (const [id, { marker }] of d.markers) {
      if (shown.has(id)) continue;
      d.layer.removeLayer(marker);
      d.markers.delete(id);
    }
    // The first hits frame the map; after that the dispatcher's own pan and zoom are kept.
    if (!d.fitted && d.markers.size > 0) {
      d.map.fitBounds(latLngBounds([...d.markers.values()].map((m) => m.marker.getLatLng())), { maxZoom: 15, padding: [20, 20] });
      d.fitted = true;
    }
  }, [hits]);

  return <div class="hit-map" data-testid="map" ref={element} />;
}
