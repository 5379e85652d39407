// Where the board's hits were seen: one marker per hit at its camera's position (panic alarms in
// the alarm colour), and, for the hit a dispatcher picked, the plate's trail of the hour before and
// the nearest rapid-response units, each with its straight-line distance. Tiles only when the
// deployment has some (base-map.ts); otherwise vectors alone, and nothing leaves the origin.

import {
  circleMarker,
  type CircleMarker,
  type FeatureGroup,
  featureGroup,
  latLngBounds,
  type LayerGroup,
  layerGroup,
  type Map as LeafletMap,
  polyline,
} from 'leaflet';
import { useEffect, useRef } from 'preact/hooks';
import { cityMap, outlineAreas } from './base-map.js';
import type { BoardHit } from './board.js';
import { cityTime } from './city-time.js';
import { formatDistance, type HitContext, placedTrail } from './hit-context.js';
import { headline, isPanic } from './hit.js';

interface Drawn {
  map: LeafletMap;
  layer: LayerGroup;
  context: FeatureGroup;
  markers: Map<string, { marker: CircleMarker; decided: boolean; selected: boolean }>;
  fitted: boolean;
}

interface Props {
  hits: readonly BoardHit[];
  selected: string | null;
  context: HitContext | null;
  timeZone: string;
  onSelect: (id: string) => void;
}

const TRAIL = '#5a3fc0';
const UNIT = '#1a7f37';

function style(hit: BoardHit, selected: boolean) {
  const panic = isPanic(hit);
  const colour = panic ? '#d00000' : hit.ack ? '#7a7a7a' : '#1f5fbf';
  return {
    radius: panic ? 9 : selected ? 9 : 6,
    color: selected ? '#000' : colour,
    fillColor: colour,
    fillOpacity: hit.ack ? 0.3 : 0.8,
    weight: panic || selected ? 3 : 1,
  };
}

/** A marker's element carries a test id once Leaflet has made it. */
function tagged(marker: CircleMarker, attributes: Record<string, string>): CircleMarker {
  marker.on('add', () => {
    const el = marker.getElement();
    for (const [k, v] of Object.entries(attributes)) el?.setAttribute(k, v);
  });
  return marker;
}

export function HitMap({ hits, selected, context, timeZone, onSelect }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawn | null>(null);
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    const map = cityMap(element.current!);
    const d: Drawn = { map, layer: layerGroup().addTo(map), context: featureGroup().addTo(map), markers: new Map(), fitted: false };
    drawn.current = d;
    // The city frames the map until the first hits do.
    outlineAreas(map, {
      onDrawn: (bounds) => {
        if (d.fitted) return;
        map.fitBounds(bounds, { maxZoom: 15 });
        d.fitted = true;
      },
    });
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
      const isSelected = hit.id === selected;
      if (!known) {
        const marker = tagged(circleMarker([hit.lat, hit.lon], style(hit, isSelected)), {
          'data-testid': 'hit-marker',
          'data-hit': hit.id,
        })
          .bindTooltip(`${headline(hit)} · ${hit.camera ?? ''}`)
          .on('click', () => select.current(hit.id));
        d.layer.addLayer(marker);
        d.markers.set(hit.id, { marker, decided, selected: isSelected });
      } else if (known.decided !== decided || known.selected !== isSelected) {
        known.marker.setStyle(style(hit, isSelected));
        if (isSelected) known.marker.bringToFront();
        known.decided = decided;
        known.selected = isSelected;
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
  }, [hits, selected]);

  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    d.context.clearLayers();
    if (!context) return;
    const trail = placedTrail(context);
    if (trail.length > 1) {
      polyline(
        trail.map((r): [number, number] => [r.lat, r.lon]),
        { color: TRAIL, weight: 2, dashArray: '6 4', interactive: false },
      ).addTo(d.context);
    }
    trail.forEach((r, i) => {
      tagged(circleMarker([r.lat, r.lon], { radius: 4, color: TRAIL, fillColor: TRAIL, fillOpacity: 0.9, weight: 1 }), {
        'data-testid': 'trail-point',
        'data-n': String(i + 1),
      })
        .bindTooltip(`${i + 1}. ${cityTime(r.ts, timeZone)} · ${r.camera ?? 'unknown camera'}`)
        .addTo(d.context);
    });
    for (const u of context.units) {
      tagged(circleMarker([u.lat, u.lon], { radius: 7, color: '#000', fillColor: UNIT, fillOpacity: 0.9, weight: 2 }), {
        'data-testid': 'unit-marker',
        'data-camera': u.camera,
      })
        .bindTooltip(`${u.camera}: ${formatDistance(u.distanceM)}, position at ${cityTime(u.at, timeZone)}`)
        .addTo(d.context);
      if (context.lat !== null && context.lon !== null) {
        polyline(
          [
            [context.lat, context.lon],
            [u.lat, u.lon],
          ],
          { color: UNIT, weight: 1, opacity: 0.6, interactive: false },
        ).addTo(d.context);
      }
    }
    // The picked hit, its trail and its units in view; the dispatcher's zoom kept if they already are.
    const bounds = d.context.getBounds();
    if (context.lat !== null && context.lon !== null) bounds.extend([context.lat, context.lon]);
    if (bounds.isValid() && !d.map.getBounds().contains(bounds)) d.map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });
  }, [context, timeZone]);

  return <div class="hit-map" data-testid="map" ref={element} />;
}
