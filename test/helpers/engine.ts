// Start a real engine (real NATS, real DuckDB in a temporary folder) inside the test process.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, type Config } from '../../engine/config.js';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';

export const TOKENS = {
  admin: 'admin-token-0123456789abcdef',
  analyst: 'analyst-token-0123456789abcdef',
  dispatcher: 'dispatcher-token-0123456789abcdef',
} as const;

export function testConfig(natsUrl: string, overrides: Record<string, unknown> = {}): Readonly<Config> {
  return validateConfig({
    nats: { url: natsUrl, prefix: 'vigil' },
    dataDir: mkdtempSync(join(tmpdir(), 'vigil-data-')),
    http: { host: '127.0.0.1', port: 0 },
    auth: {
      tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `${role}-user`, role, token })),
    },
    ingest: { batchMaxWaitMs: 10 },
    ...overrides,
    // Store maintenance (rollups, sealing) only when a test runs it (engine.maintenance.run()) or
    // asks for its timer: a pass in the middle of a test would move the rows it counts.
    store: { maintenanceIntervalSeconds: 3600, ...(overrides.store as object | undefined) },
  });
}

export async function startEngine(config: Readonly<Config>): Promise<Engine> {
  return Engine.start(config, createLogger(process.env.VIGIL_TEST_LOG ?? 'silent'), { listen: false });
}

export function auth(role: keyof typeof TOKENS): { authorization: string } {
  return { authorization: `Bearer ${TOKENS[role]}` };
}

/** Polls `probe` until it returns true or the time is up. */
export async function eventually(probe: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
