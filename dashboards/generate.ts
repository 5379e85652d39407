// `npm run dashboards`: writes dashboards/json/*.json from the TypeScript sources. The JSON is
// committed (Grafana provisions it as is); test/unit/dashboards.test.ts fails when it is stale.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDashboards } from './render.js';

// Compiled, this runs from dist/dashboards/; the JSON belongs beside the sources.
const here = new URL('.', import.meta.url);
export const JSON_DIR = fileURLToPath(new URL(here.pathname.includes('/dist/dashboards/') ? '../../dashboards/json/' : './json/', here));

export function writeDashboards(dir = JSON_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  return renderDashboards().map(({ file, text }) => {
    writeFileSync(`${dir}/${file}`, text);
    return file;
  });
}

// `node dist/dashboards/generate.js [DIR]`: DIR defaults to dashboards/json/.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? JSON_DIR;
  for (const file of writeDashboards(dir)) console.log(`${dir}/${file}`.replace(/\/+/g, '/'));
}
