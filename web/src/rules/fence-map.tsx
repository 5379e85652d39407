// The geofence map: the mahallas as a faint base to find one's way (base-map.ts), the existing
// geofences, and the one being drawn. Drawing is done here with Leaflet's own map events rather
// than a plugin: the circle tool takes a press on the
// centre and a release (a drag) or a second click at the edge; the polygon tool takes a click per
// vertex and a double-click to close. The draft itself lives with the panel, which the typed
// coordinates edit too; this component only draws it and reports what the mouse did.

import type { Feature } from 'geojson';
import {
  circle,
  circleMarker,
  type FeatureGroup,
  featureGroup,
  geoJSON,
  latLng,
  type LatLngBounds,
  latLngBounds,
  type LayerGroup,
  layerGroup,
  type LeafletMouseEvent,
  type Map as LeafletMap,
  polygon,
  polyline,
} from 'leaflet';
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { cityMap, outlineAreas } from '../base-map.js';
import { clickedPoint, distanceM, type FenceDraft, formatRadius, type LatLon } from './fence-shape.js';
import type { GeofenceRow } from './rule-forms.js';

export type Tool = 'circle' | 'polygon';

interface Props {
  fences: readonly GeofenceRow[] | null;
  /** Why the mahallas could not be drawn under the map. */
  onAreasError: (why: string) => void;
  draft: FenceDraft | null;
  tool: Tool | null;
  /** Bumped when a shape is placed by typed coordinates: the map brings it into view. */
  focus: number;
  onDraft: (draft: FenceDraft) => void;
  /** The mouse finished a shape. */
  onFinished: () => void;
}

/** Below this many pixels a press and its release are one click, not a drag. */
const CLICK_SLOP_PX = 4;
const FENCE_STYLE = { color: '#1f5fbf', weight: 2, fillOpacity: 0.12 };
// Not interactive: a click on the shape being drawn goes to the map, as a click beside it does.
const DRAFT_STYLE = { color: '#c25400', weight: 3, dashArray: '6 4', fillOpacity: 0.15, interactive: false };
const VERTEX_STYLE = { radius: 3, color: DRAFT_STYLE.color, interactive: false };

interface Drawing {
  map: LeafletMap;
  fences: FeatureGroup;
  draft: LayerGroup;
  framed: boolean;
}

/** A circle being drawn: its centre once pressed, and the press, to tell a drag from a click. */
interface Pending {
  centre: LatLon | null;
  press: { x: number; y: number; setCentre: boolean } | null;
  /** The tool this was begun with. */
  tool: Tool | null;
}

export function FenceMap({ fences, draft, tool, focus, onDraft, onFinished, onAreasError }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const drawn = useRef<Drawing | null>(null);
  // The map's handlers are bound once; they read the latest props through this.
  const now = useRef({ tool, draft, onDraft, onFinished });
  now.current = { tool, draft, onDraft, onFinished };
  const pending = useRef<Pending>({ centre: null, press: null, tool });
  // A tool put down or switched half-way forgets its half-set centre. Checked here, as the props
  // arrive, and not in an effect: an effect runs after the next frame, by when a fast press on the
  // map may already have set a centre that it would then wipe.
  if (pending.current.tool !== tool) pending.current = { centre: null, press: null, tool };

  useEffect(() => {
    const map = cityMap(element.current!);
    drawn.current = {
      map,
      fences: featureGroup().addTo(map),
      draft: layerGroup().addTo(map),
      framed: false,
    };
    // The mahallas frame the map unless the geofences already have.
    outlineAreas(map, { onDrawn: (bounds) => frame(drawn.current!, bounds), onError: onAreasError });

    map.on('mousedown', (e: LeafletMouseEvent) => {
      const p = pending.current;
      if (now.current.tool !== 'circle') return;
      const setCentre = p.centre === null;
      if (p.centre === null) {
        p.centre = clickedPoint(e.latlng.lat, e.latlng.lng);
        now.current.onDraft({ shape: 'circle', center: p.centre, radiusM: 0 });
      }
      p.press = { x: e.containerPoint.x, y: e.containerPoint.y, setCentre };
    });
    map.on('mousemove', (e: LeafletMouseEvent) => {
      const p = pending.current;
      if (now.current.tool !== 'circle' || p.centre === null) return;
      const radiusM = Math.round(distanceM(p.centre, clickedPoint(e.latlng.lat, e.latlng.lng)));
      now.current.onDraft({ shape: 'circle', center: p.centre, radiusM });
    });
    map.on('mouseup', (e: LeafletMouseEvent) => {
      const p = pending.current;
      if (now.current.tool !== 'circle' || p.centre === null || p.press === null) return;
      const moved = Math.hypot(e.containerPoint.x - p.press.x, e.containerPoint.y - p.press.y) > CLICK_SLOP_PX;
      const wasCentre = p.press.setCentre;
      p.press = null;
      // The click that set the centre: the radius comes with the next click (or this press dragged).
      if (wasCentre && !moved) return;
      const radiusM = Math.max(1, Math.round(distanceM(p.centre, clickedPoint(e.latlng.lat, e.latlng.lng))));
      now.current.onDraft({ shape: 'circle', center: p.centre, radiusM });
      p.centre = null;
      now.current.onFinished();
    });
    map.on('click', (e: LeafletMouseEvent) => {
      const { tool: t, draft: current } = now.current;
      if (t !== 'polygon') return;
      const vertices = current?.shape === 'polygon' ? current.vertices : [];
      const last = vertices[vertices.length - 1];
      // The second click of a double-click lands where the first did: one vertex, not two.
      if (last && map.latLngToContainerPoint([last.lat, last.lon]).distanceTo(e.containerPoint) <= CLICK_SLOP_PX) return;
      now.current.onDraft({ shape: 'polygon', vertices: [...vertices, clickedPoint(e.latlng.lat, e.latlng.lng)] });
    });
    map.on('dblclick', () => {
      const { tool: t, draft: current } = now.current;
      if (t === 'polygon' && current?.shape === 'polygon' && current.vertices.length >= 3) now.current.onFinished();
    });
    return () => {
      map.remove();
      drawn.current = null;
    };
  }, []);

  // Before the next frame (a layout effect), so that a press right after the tool is picked does not pan.
  useLayoutEffect(() => {
    const d = drawn.current;
    if (!d) return;
    d.map.getContainer().classList.toggle('drawing', tool !== null);
    // While drawing, a press must not pan the map nor a double-click zoom it.
    if (tool) {
      d.map.dragging.disable();
      d.map.doubleClickZoom.disable();
    } else {
      d.map.dragging.enable();
      d.map.doubleClickZoom.enable();
    }
  }, [tool]);

  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    d.fences.clearLayers();
    for (const f of fences ?? []) {
      const g = f.geometry;
      const layer =
        g.type === 'Circle'
          ? circle([g.center[1], g.center[0]], { ...FENCE_STYLE, radius: g.radiusM })
          : geoJSON({ type: 'Feature', properties: {}, geometry: g } as Feature, { style: FENCE_STYLE });
      d.fences.addLayer(layer.bindTooltip(f.name));
    }
    // Until the mahallas are drawn, the geofences frame the map, once.
    if (d.fences.getLayers().length > 0) frame(d, d.fences.getBounds());
  }, [fences]);

  useEffect(() => {
    const d = drawn.current;
    if (!d) return;
    d.draft.clearLayers();
    if (!draft) return;
    if (draft.shape === 'circle') {
      d.draft.addLayer(circleMarker([draft.center.lat, draft.center.lon], VERTEX_STYLE));
      if (draft.radiusM > 0) {
        d.draft.addLayer(
          circle([draft.center.lat, draft.center.lon], { ...DRAFT_STYLE, radius: draft.radiusM }).bindTooltip(formatRadius(draft.radiusM), {
            permanent: true,
            direction: 'top',
          }),
        );
      }
    } else {
      const points = draft.vertices.map((v): [number, number] => [v.lat, v.lon]);
      for (const p of points) d.draft.addLayer(circleMarker(p, VERTEX_STYLE));
      d.draft.addLayer(tool === 'polygon' ? polyline(points, DRAFT_STYLE) : polygon(points, DRAFT_STYLE));
    }
  }, [draft, tool]);

  useEffect(() => {
    const d = drawn.current;
    if (!d || focus === 0 || !draft) return;
    const bounds =
      draft.shape === 'circle'
        ? latLng(draft.center.lat, draft.center.lon).toBounds(2 * draft.radiusM)
        : latLngBounds(draft.vertices.map((v): [number, number] => [v.lat, v.lon]));
    frame(d, bounds, true);
  }, [focus]);

  return <div class="fence-map" data-testid="map" ref={element} />;
}

function frame(d: Drawing, bounds: LatLngBounds, always = false): void {
  if ((d.framed && !always) || !bounds.isValid()) return;
  d.map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
  d.framed = true;
}
