// Geofences: the list and a map of them; a new one drawn on the map (circle or polygon) or typed
// as coordinates, then its trigger, the reads and lists it applies to, priority and cooldown.

import { type Signal, useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ConfirmDelete } from './confirm-delete.js';
import { ListState } from './list-state.js';
import { FenceMap, type Tool } from './fence-map.js';
import { type FenceDraft, formatRadius, typedCircle, typedPolygon } from './fence-shape.js';
import {
  type GeofenceFields,
  type GeofenceRow,
  geofenceBody,
  NEW_GEOFENCE,
  TRIGGERS,
  type Trigger,
  type WatchlistRow,
} from './rule-forms.js';
import { type Loaded, useCreate, useLoaded } from './rules-data.js';

const READ_KINDS = ['plate', 'face'] as const;

interface Props {
  lists: Signal<Loaded<{ rows: WatchlistRow[] }>>;
}

function shapeOf(g: GeofenceRow['geometry']): string {
  if (g.type === 'Circle') return `circle, ${formatRadius(g.radiusM)} around ${g.center[1]}, ${g.center[0]}`;
  return g.type === 'Polygon' ? 'polygon' : 'polygons';
}

export function GeofencesPanel({ lists }: Props) {
  const fences = useLoaded<{ rows: GeofenceRow[] }>('/api/v1/geofences', 'Reading geofences');
  const areasError = useSignal<string | null>(null);
  const draft = useSignal<FenceDraft | null>(null);
  const tool = useSignal<Tool | null>(null);
  const focus = useSignal(0);
  const { data, error, loading } = fences.state.value;
  const rows = data?.rows ?? [];
  const listNames = new Map((lists.value.data?.rows ?? []).map((w) => [w.id, w.name]));

  const cancel = () => {
    tool.value = null;
    draft.value = null;
  };
  const pick = (t: Tool) => {
    draft.value = null;
    tool.value = tool.value === t ? null : t;
  };
  // Escape puts the drawing down, wherever the focus is.
  useEffect(() => {
    if (!tool.value) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') cancel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [tool.value]);

  const d = draft.value;
  const polygonReady = d?.shape === 'polygon' && d.vertices.length >= 3;
  let instruction = 'Pick a tool to draw a geofence, or type its coordinates below.';
  if (tool.value === 'circle') {
    instruction =
      d?.shape === 'circle'
        ? `Radius ${formatRadius(d.radiusM)}: click the edge (or release the drag) to set it. Escape cancels.`
        : 'Press on the centre, then click the edge or drag to it. Escape cancels.';
  } else if (tool.value === 'polygon') {
    const n = d?.shape === 'polygon' ? d.vertices.length : 0;
    instruction = `${n} ${n === 1 ? 'vertex' : 'vertices'}: click to add one; double-click or Finish closes the polygon. Escape cancels.`;
  } else if (d) {
    instruction = d.shape === 'circle' ? `Circle of ${formatRadius(d.radiusM)} drawn.` : `Polygon of ${d.vertices.length} vertices drawn.`;
  }

  return (
    <section class="rules-panel geofences" aria-labelledby="geofences-title" aria-busy={loading} data-testid="geofences">
      <h3 id="geofences-title">Geofences</h3>
      <ListState
        noun="geofences"
        error={error}
        loading={loading && !data}
        empty={Boolean(data) && rows.length === 0}
        reload={fences.reload}
      />
      {rows.length > 0 && (
        <div class="table-scroll">
          <table class="rules-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Shape</th>
                <th scope="col">Trigger</th>
                <th scope="col">Reads</th>
                <th scope="col">Watchlists</th>
                <th scope="col">Priority</th>
                <th scope="col">Cooldown</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <tr key={g.id} data-testid="geofence-row" data-geofence-id={g.id}>
                  <th scope="row">{g.name}</th>
                  <td>{shapeOf(g.geometry)}</td>
                  <td>{g.trigger === 'dwell' ? `dwell ${g.dwellSeconds} s` : g.trigger}</td>
                  <td>{g.kinds?.join(', ') ?? 'all'}</td>
                  <td>{g.watchlists?.map((id) => listNames.get(id) ?? id).join(', ') ?? 'any subject'}</td>
                  <td>{g.priority}</td>
                  <td>{g.cooldownSeconds} s</td>
                  <td class="actions">
                    <ConfirmDelete
                      path={`/api/v1/geofences/${encodeURIComponent(g.id)}`}
                      what={`the geofence ${g.name}`}
                      action="Deleting a geofence"
                      onDeleted={fences.reload}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h4 id="new-geofence-title">New geofence</h4>
      <div class="fence-drawing">
        <div class="fence-map-column">
          <div class="toolbar" role="toolbar" aria-label="Drawing tools">
            <button type="button" data-testid="tool-circle" aria-pressed={tool.value === 'circle'} onClick={() => pick('circle')}>
              Circle
            </button>
            <button type="button" data-testid="tool-polygon" aria-pressed={tool.value === 'polygon'} onClick={() => pick('polygon')}>
              Polygon
            </button>
            <button
              type="button"
              data-testid="tool-finish"
              disabled={tool.value !== 'polygon' || !polygonReady}
              onClick={() => {
                tool.value = null;
              }}
            >
              Finish
            </button>
            <button type="button" data-testid="tool-cancel" disabled={!tool.value && !d} onClick={cancel}>
              {tool.value ? 'Cancel' : 'Clear'}
            </button>
          </div>
          <p class="instruction" aria-live="polite" data-testid="draw-instruction">
            {instruction}
          </p>
          {areasError.value && <p class="hint">No mahallas to show ({areasError.value}).</p>}
          <FenceMap
            fences={data?.rows ?? null}
            onAreasError={(why) => {
              areasError.value = why;
            }}
            draft={d}
            tool={tool.value}
            focus={focus.value}
            onDraft={(next) => {
              draft.value = next;
            }}
            onFinished={() => {
              tool.value = null;
            }}
          />
        </div>
        <div class="fence-form-column">
          <TypedShape
            draft={d}
            onPlace={(next) => {
              tool.value = null;
              draft.value = next;
              focus.value++;
            }}
          />
          <NewGeofence
            draft={d}
            lists={lists.value.data?.rows ?? []}
            onCreated={() => {
              draft.value = null;
              fences.reload();
            }}
          />
        </div>
      </div>
    </section>
  );
}

/** The keyboard's way to a shape: a circle's centre and radius, or a polygon's vertices. */
function TypedShape({ draft, onPlace }: { draft: FenceDraft | null; onPlace: (d: FenceDraft) => void }) {
  const lat = useSignal('');
  const lon = useSignal('');
  const radius = useSignal('');
  const vertices = useSignal('');
  const error = useSignal<string | null>(null);

  // A shape drawn with the mouse shows in the fields, to be read or corrected by hand.
  useEffect(() => {
    if (draft?.shape === 'circle') {
      lat.value = String(draft.center.lat);
      lon.value = String(draft.center.lon);
      radius.value = String(draft.radiusM);
    } else if (draft?.shape === 'polygon') {
      vertices.value = draft.vertices.map((v) => `${v.lat}, ${v.lon}`).join('\n');
    }
  }, [draft]);

  const place = (typed: ReturnType<typeof typedCircle>) => {
    if (!typed.ok) {
      error.value = typed.error;
      return;
    }
    error.value = null;
    onPlace(typed.value);
  };

  return (
    <div class="typed-shape">
      <fieldset>
        <legend>Circle by coordinates</legend>
        <label>
          Centre latitude
          <input data-testid="circle-lat" inputMode="decimal" value={lat.value} onInput={(e) => (lat.value = e.currentTarget.value)} />
        </label>
        <label>
          Centre longitude
          <input data-testid="circle-lon" inputMode="decimal" value={lon.value} onInput={(e) => (lon.value = e.currentTarget.value)} />
        </label>
        <label>
          Radius (m)
          <input
            data-testid="circle-radius"
            inputMode="decimal"
            value={radius.value}
            onInput={(e) => (radius.value = e.currentTarget.value)}
          />
        </label>
        <button type="button" data-testid="circle-place" onClick={() => place(typedCircle(lat.value, lon.value, radius.value))}>
          Place circle
        </button>
      </fieldset>
      <fieldset>
        <legend>Polygon by coordinates</legend>
        <label>
          Vertices, one "lat, lon" per line
          <textarea
            data-testid="polygon-vertices"
            rows={4}
            value={vertices.value}
            onInput={(e) => (vertices.value = e.currentTarget.value)}
          />
        </label>
        <button type="button" data-testid="polygon-place" onClick={() => place(typedPolygon(vertices.value))}>
          Place polygon
        </button>
      </fieldset>
      {error.value && (
        <p class="error" role="alert" data-testid="typed-shape-error">
          {error.value}
        </p>
      )}
    </div>
  );
}

function NewGeofence({ draft, lists, onCreated }: { draft: FenceDraft | null; lists: readonly WatchlistRow[]; onCreated: () => void }) {
  const fields = useSignal<GeofenceFields>(NEW_GEOFENCE);
  const { busy, error, done, create } = useCreate('/api/v1/geofences', 'Creating a geofence');
  const f = fields.value;
  const set = (change: Partial<GeofenceFields>) => {
    fields.value = { ...fields.value, ...change };
  };
  // Only plate lists: a zone follows a plate read's plate; face lists are matched by embedding.
  const plateLists = lists.filter((w) => w.kind === 'plate');

  const submit = async () => {
    // A list selected and since deleted is no longer offered, nor sent.
    const offered = fields.value.watchlists.filter((id) => plateLists.some((w) => w.id === id));
    if (await create(geofenceBody({ ...fields.value, watchlists: offered }, draft), (g) => `Geofence ${g.name} created.`)) {
      fields.value = NEW_GEOFENCE;
      onCreated();
    }
  };

  return (
    <form
      class="rules-form"
      data-testid="new-geofence"
      aria-labelledby="new-geofence-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        Name
        <input data-testid="gf-name" value={f.name} maxLength={200} required onInput={(e) => set({ name: e.currentTarget.value })} />
      </label>
      <label>
        Trigger
        <select data-testid="gf-trigger" value={f.trigger} onChange={(e) => set({ trigger: e.currentTarget.value as Trigger })}>
          {TRIGGERS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      {f.trigger === 'dwell' && (
        <label>
          Dwell (s)
          <input
            data-testid="gf-dwell"
            type="number"
            min={1}
            max={604800}
            step={1}
            value={f.dwell}
            required
            onInput={(e) => set({ dwell: e.currentTarget.value })}
          />
        </label>
      )}
      <fieldset>
        <legend>Reads (none ticked: every kind)</legend>
        {READ_KINDS.map((k) => (
          <label class="check" key={k}>
            <input
              type="checkbox"
              checked={f.kinds.includes(k)}
              onChange={(e) => set({ kinds: e.currentTarget.checked ? [...f.kinds, k] : f.kinds.filter((x) => x !== k) })}
            />{' '}
            {k}
          </label>
        ))}
        <label>
          Other kinds (comma-separated)
          <input value={f.otherKinds} onInput={(e) => set({ otherKinds: e.currentTarget.value })} />
        </label>
      </fieldset>
      {plateLists.length > 0 ? (
        <label>
          Only subjects on these plate lists (none selected: any subject)
          <select
            data-testid="gf-watchlists"
            multiple
            size={Math.min(5, Math.max(2, plateLists.length))}
            onChange={(e) => set({ watchlists: [...e.currentTarget.selectedOptions].map((o) => o.value) })}
          >
            {plateLists.map((w) => (
              <option key={w.id} value={w.id} selected={f.watchlists.includes(w.id)}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <p class="hint">Any subject: no plate watchlist to limit the geofence to.</p>
      )}
      <label>
        Priority (0–100)
        <input
          data-testid="gf-priority"
          type="number"
          min={0}
          max={100}
          step={1}
          value={f.priority}
          required
          onInput={(e) => set({ priority: e.currentTarget.value })}
        />
      </label>
      <label>
        Cooldown (s)
        <input type="number" min={0} max={86400} step={1} value={f.cooldown} onInput={(e) => set({ cooldown: e.currentTarget.value })} />
      </label>
      <div class="form-actions">
        <button type="submit" data-testid="gf-create" disabled={busy.value}>
          Create geofence
        </button>
        {error.value && (
          <span class="error" role="alert" data-testid="gf-error">
            {error.value}
          </span>
        )}
        {done.value && (
          <span class="done" role="status" data-testid="gf-done">
            {done.value}
          </span>
        )}
      </div>
    </form>
  );
}
