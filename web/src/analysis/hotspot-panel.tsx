// Where incidents concentrate: the areas shaded by incidents (or the rate per 1,000 people) or
// by their Getis-Ord Gi* hot/cold spot bin, the legend, and the significant areas in words.

import { useSignal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { type Answer, useAnswer } from './answer.js';
import { type AreaCollection, type HotspotFeature, HotspotMap, type Shading } from './hotspot-map.js';
import { type Bin, BINS, binColour, binLabel, classBreaks, classLegend } from './hotspot-palette.js';
import { Panel } from './panel.js';
import { hotspotReadiness, type Known } from './readiness.js';
import { type AnalysisWindow, analyticsUrl } from './window.js';

type Variable = 'incidents' | 'incidentRate';

const VARIABLES: Record<Variable, string> = { incidents: 'Incidents', incidentRate: 'Incidents per 1,000 people' };

interface HotspotsAnswer {
  type: 'FeatureCollection';
  features: HotspotFeature[];
  variable: string;
  fdr: boolean;
}

export function HotspotPanel(props: { window: AnalysisWindow | null; areas: Answer<AreaCollection>; incidents: Known }) {
  const { window, areas, incidents } = props;
  const variable = useSignal<Variable>('incidents');
  const shading = useSignal<Shading>('bins');
  const areaCount: Known = areas.state === 'ok' ? areas.data.features.length : areas.state === 'error' ? undefined : null;
  const readiness = hotspotReadiness(areaCount, incidents);
  const url =
    window && readiness.ready ? analyticsUrl('/api/v1/analytics/hotspots', window, { variable: variable.value, format: 'geojson' }) : null;
  const idle = !window ? 'Choose a valid window above.' : !readiness.ready && !readiness.waiting ? readiness.reason : '';
  const answer = useAnswer<HotspotsAnswer>(url, 'Mapping hotspots', idle, window !== null && !readiness.ready && readiness.waiting).value;
  const features = answer.state === 'ok' ? answer.data.features : null;
  const values = useMemo(() => (features ?? []).map((f) => f.properties.value), [features]);
  const breaks = useMemo(() => classBreaks(values), [values]);
  const drawnAreas = areas.state === 'ok' ? areas.data : null;

  const controls = (
    <>
      <label>
        Variable{' '}
        <select
          value={variable.value}
          data-testid="hotspot-variable"
          onChange={(e) => {
            variable.value = e.currentTarget.value as Variable;
          }}
        >
          {Object.entries(VARIABLES).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="shading">
        <legend>Shade areas by</legend>
        {(['bins', 'values'] as const).map((s) => (
          <label key={s}>
            <input
              type="radio"
              name="shading"
              value={s}
              checked={shading.value === s}
              onChange={() => {
                shading.value = s;
              }}
            />{' '}
            {s === 'bins' ? 'Gi* hot and cold spots' : 'value (choropleth)'}
          </label>
        ))}
      </fieldset>
    </>
  );

  return (
    <Panel
      id="hotspots"
      title="Hotspots"
      answer={answer}
      controls={controls}
      csv={url && window ? { url, name: 'hotspots', window, filters: [variable.value] } : null}
    >
      {areas.state === 'error' && (
        <p class="error" role="alert">
          The areas could not be loaded: {areas.message}
        </p>
      )}
      {areas.state === 'ok' && areas.data.features.length === 0 && (
        <p class="idle">No areas are loaded (an admin uploads them with PUT /api/v1/areas): incidents are mapped on a grid.</p>
      )}
      <div class="map-and-legend">
        <HotspotMap areas={drawnAreas} hotspots={features} shading={shading.value} breaks={breaks} variable={VARIABLES[variable.value]} />
        {features && (
          <div>
            <Legend features={features} shading={shading.value} values={values} breaks={breaks} />
            {shading.value === 'bins' && answer.state === 'ok' && answer.data.fdr && (
              <p class="legend-note">Confidence of Gi* after the Benjamini–Hochberg false-discovery-rate correction.</p>
            )}
          </div>
        )}
      </div>
      {features && shading.value === 'bins' && <SignificantAreas features={features} />}
    </Panel>
  );
}

function Legend(props: { features: HotspotFeature[]; shading: Shading; values: number[]; breaks: number[] }) {
  const { features, shading, values, breaks } = props;
  const rows =
    shading === 'bins'
      ? BINS.map((b) => ({
          colour: binColour(b),
          label: `${binLabel(b)} (${features.filter((f) => f.properties.bin === b).length})`,
        }))
      : classLegend(values, breaks, 2);
  return (
    <ul class="legend" data-testid="legend" aria-label="Legend">
      {rows.map((r) => (
        <li key={r.label}>
          <span class="swatch" style={{ backgroundColor: r.colour }} aria-hidden="true" />
          {r.label}
        </li>
      ))}
    </ul>
  );
}

function SignificantAreas({ features }: { features: HotspotFeature[] }) {
  const name = (f: HotspotFeature) =>
    f.properties.name ?? `${f.properties.area !== undefined ? 'area' : 'cell'} ${f.properties.area ?? f.properties.cell}`;
  const list = (hot: boolean) =>
    features
      .filter((f) => (hot ? f.properties.bin > 0 : f.properties.bin < 0))
      .sort((a, b) => Math.abs(b.properties.z) - Math.abs(a.properties.z))
      .map((f) => `${name(f)} (${binLabel(f.properties.bin as Bin).split(', ')[1]})`);
  const hot = list(true);
  const cold = list(false);
  return (
    <p class="significant-areas" data-testid="significant-areas">
      {hot.length === 0 && cold.length === 0
        ? 'No significant hot or cold spots.'
        : `Hot spots: ${hot.join(', ') || 'none'}. Cold spots: ${cold.join(', ') || 'none'}.`}
    </p>
  );
}
