// The reference tables in the docs are the ones the code makes: this fails when they differ
// (run `npm run docs`), and every configuration key must say what it means.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../engine/config.js';
import { ERRORS } from '../../engine/errors.js';
import { CONFIG_SECTION, configTable, ERROR_SECTION, withSection } from '../../engine/reference-doc.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the reference tables', () => {
  it('in the README (configuration) and docs/interface.md (error codes) are the ones the code makes', () => {
    for (const [path, section] of [
      ['README.md', CONFIG_SECTION],
      ['docs/interface.md', ERROR_SECTION],
    ] as const) {
      const text = read(path);
      expect(withSection(text, section), `${path} is stale: run npm run docs`).toBe(text);
    }
    for (const e of Object.values(ERRORS)) expect(read('docs/interface.md')).toContain(`| \`${e.code}\` |`);
  });

  it('describe every configuration key and name every environment variable', () => {
    const rows = configTable().split('\n').slice(2);
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows) expect(row, row).not.toMatch(/\|\s*\|$/);
    for (const [env, key] of ENV_KEYS)
      expect(
        rows.some((r) => r.startsWith(`| \`${key}\` | \`${env}\` |`)),
        `${key} ${env}`,
      ).toBe(true);
    // The variables the interface has always had are still there.
    for (const env of [
      'VIGIL_NATS_URL',
      'VIGIL_NATS_PREFIX',
      'VIGIL_DATA_DIR',
      'VIGIL_HTTP_HOST',
      'VIGIL_HTTP_PORT',
      'VIGIL_WORKERS',
      'VIGIL_TZ',
    ]) {
      expect(ENV_KEYS.map(([name]) => name)).toContain(env);
    }
  });
});
