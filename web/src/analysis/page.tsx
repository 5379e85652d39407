// The Analysis view: a window of days on the city's clock and an incident type drive four
// panels, each asking the API on its own (and failing on its own): the hotspot map, the trend,
// the factor models and the near-repeat grid.

import './analysis.css';
import { useSignal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { timezone } from '../config.js';
import { useAnswer } from './answer.js';
import { FactorsPanel } from './factors-panel.js';
import type { AreaCollection } from './hotspot-map.js';
import { HotspotPanel } from './hotspot-panel.js';
import { NearRepeatPanel } from './near-repeat-panel.js';
import type { Known } from './readiness.js';
import { TrendPanel } from './trend-panel.js';
import { type AnalysisWindow, analyticsUrl, lastDays, windowProblem } from './window.js';

/** The window first shown: the last 30 days, today included. */
const FIRST_DAYS = 30;

export function AnalysisPage() {
  const first = useMemo(() => lastDays(FIRST_DAYS, timezone.value), []);
  const from = useSignal(first.from);
  const to = useSignal(first.to);
  const type = useSignal('');
  const chosen: AnalysisWindow = { from: from.value, to: to.value, type: type.value };
  const problem = windowProblem(chosen);
  const window = problem ? null : chosen;

  // The types seen in the window (all of them, whatever type is chosen).
  const typesUrl = window ? analyticsUrl('/api/v1/analytics/trends', { ...window, type: '' }, { bucket: 'month', groupBy: 'type' }) : null;
  const typesAnswer = useAnswer<{ rows: Array<{ type: string; count: number }> }>(typesUrl, 'Reading incident types').value;
  const types = new Set(typesAnswer.state === 'ok' ? typesAnswer.data.rows.map((r) => r.type) : []);
  if (type.value !== '') types.add(type.value);
  // The incidents of the chosen type in the window: what the panels need to know before they ask.
  const incidents: Known =
    typesAnswer.state === 'ok'
      ? typesAnswer.data.rows.reduce((sum, r) => sum + (type.value === '' || r.type === type.value ? r.count : 0), 0)
      : typesAnswer.state === 'error'
        ? undefined
        : null;

  const areas = useAnswer<AreaCollection>('/api/v1/areas?format=geojson', 'Reading areas').value;
  const areaRows = useAnswer<{ rows: Array<{ factors: Record<string, number> }> }>('/api/v1/areas', 'Reading areas').value;
  const areaCount: Known = areas.state === 'ok' ? areas.data.features.length : areas.state === 'error' ? undefined : null;
  const areaFactors = useMemo(
    () => (areaRows.state === 'ok' ? [...new Set(areaRows.data.rows.flatMap((r) => Object.keys(r.factors ?? {})))].sort() : []),
    [areaRows],
  );

  return (
    <section class="analysis" aria-labelledby="analysis-title">
      <h2 id="analysis-title">Analysis</h2>
      <form
        class="analysis-filters"
        data-testid="analysis-filters"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <label>
          From{' '}
          <input
            type="date"
            data-testid="analysis-from"
            value={from.value}
            max={to.value}
            required
            onChange={(e) => {
              from.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          To (included){' '}
          <input
            type="date"
            data-testid="analysis-to"
            value={to.value}
            min={from.value}
            required
            onChange={(e) => {
              to.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          Incident type{' '}
          <select
            data-testid="analysis-type"
            value={type.value}
            onChange={(e) => {
              type.value = e.currentTarget.value;
            }}
          >
            <option value="">All types</option>
            {[...types].sort().map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <span class="zone-note">Days on the city's clock ({timezone.value}).</span>
        {problem && (
          <p class="error" role="alert">
            {problem}
          </p>
        )}
        {typesAnswer.state === 'error' && (
          <p class="error" role="alert">
            The incident types could not be read: {typesAnswer.message}
          </p>
        )}
      </form>
      <div class="analysis-panels">
        <HotspotPanel window={window} areas={areas} incidents={incidents} />
        <TrendPanel window={window} />
        <FactorsPanel window={window} areaFactors={areaFactors} areaCount={areaCount} />
        <NearRepeatPanel window={window} incidents={incidents} />
      </div>
    </section>
  );
}
