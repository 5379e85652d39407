// The Chicago burglaries of the Near Repeat Calculator's example month (test/fixtures/nearrepeat),
// and how the analytics tests put them into an engine: as incidents on NATS, stored once each.

import { readFileSync } from 'node:fs';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Engine } from '../../app/engine.js';
import { eventually } from './engine.js';

export const chicago = readFileSync(new URL('../fixtures/nearrepeat/chicago_be_month1_lonlat.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [id, date, , , lon, lat] = line.split(',');
    return { id, date, lon: Number(lon), lat: Number(lat) };
  });

/** Publishes every burglary (at 07:00 UTC of its day) and waits until the engine stored them all. */
export async function loadChicago(js: JetStreamClient, engine: Engine): Promise<void> {
  for (const c of chicago) {
    await js.publish(
      'vigil.incident.burglary',
      JSON.stringify({ id: c.id, ts: Date.parse(`${c.date}T07:00:00Z`), lat: c.lat, lon: c.lon, source: 'call' }),
    );
  }
  await eventually(
    async () => Number((await engine.db.query('SELECT count(*) AS n FROM incidents'))[0].n) === chicago.length,
    30_000,
    'incidents stored',
  );
}
