// The dashboards as Grafana imports them: built from the TypeScript sources, then tidied so
// the committed JSON is stable and holds only what Grafana's dashboard schema knows.

import type { Dashboard, Panel, RowPanel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { dispatchView } from './dispatch.js';
import { engineOverview } from './engine-overview.js';

export interface RenderedDashboard {
  /** File name under dashboards/json/. */
  file: string;
  dashboard: Dashboard;
  /** What is committed: two-space JSON with a final newline. */
  text: string;
}

const BUILDERS = [
  { file: 'vigil-engine.json', build: engineOverview },
  { file: 'vigil-dispatch.json', build: dispatchView },
];

// The SDK writes an interval variable's settings on every variable; Grafana's dashboard
// schema has them only for interval variables, and a datasource variable ignores them.
const INTERVAL_ONLY = ['auto', 'auto_min', 'auto_count'] as const;

function tidy(d: Dashboard): Dashboard {
  let id = 0;
  // Grafana wants unique panel ids; the SDK leaves them unset (rows get 0).
  for (const p of (d.panels ?? []) as Array<Panel | RowPanel>) {
    p.id = ++id;
    for (const inner of ('panels' in p ? p.panels : []) as Panel[]) inner.id = ++id;
  }
  for (const v of (d.templating?.list ?? []) as VariableModel[]) {
    if (v.type !== 'interval') for (const key of INTERVAL_ONLY) delete (v as unknown as Record<string, unknown>)[key];
  }
  return d;
}

export function renderDashboards(): RenderedDashboard[] {
  return BUILDERS.map(({ file, build }) => {
    const dashboard = tidy(build().build());
    return { file, dashboard, text: `${JSON.stringify(dashboard, null, 2)}\n` };
  });
}
