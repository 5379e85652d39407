// The README's configuration table is made from the schema: it fails here when they differ
// (run `npm run docs:config`), and every key must say what it means.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, configTable, withConfigTable } from '../../engine/config-doc.js';
import { ENV_KEYS } from '../../engine/config.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the configuration table', () => {
  it('in the README is the one the schema makes', () => {
    expect(README).toContain(CONFIG_TABLE_START);
    expect(README).toContain(CONFIG_TABLE_END);
    expect(withConfigTable(README), 'README.md is stale: run npm run docs:config').toBe(README);
  });

  it('describes every key and names every environment variable', () => {
    const rows = configTable().split('\n').slice(2);
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) expect(row, row).not.toMatch(/\|\s*\|$/);
    for (const [env, key] of ENV_KEYS) expect(rows.some((r) => r.startsWith(`| \`${key}\` | \`${env}\` |`)), `${key} ${env}`).toBe(true);
    // The variables the interface has always had are still there.
    for (const env of ['VIGIL_NATS_URL', 'VIGIL_NATS_PREFIX', 'VIGIL_DATA_DIR', 'VIGIL_HTTP_HOST', 'VIGIL_HTTP_PORT', 'VIGIL_WORKERS', 'VIGIL_TZ']) {
      expect(ENV_KEYS.map(([name]) => name)).toContain(env);
    }
  });
});
