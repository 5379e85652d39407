// Starting an engine without configured tokens: a development token on loopback, a refusal elsewhere.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../engine/config.js';
import { Engine } from '../../app/engine.js';
import { createLogger } from '../../engine/logger.js';
import { VigilError } from '../../engine/errors.js';
import { TestNatsServer } from '../helpers/nats-server.js';

let nats: TestNatsServer;
beforeAll(async () => {
  nats = await TestNatsServer.start();
});
afterAll(async () => {
  await nats?.stop();
});

const config = (host: string) =>
  validateConfig({ nats: { url: nats.url }, dataDir: mkdtempSync(join(tmpdir(), 'vigil-start-')), http: { host, port: 0 } });

it('refuses to listen beyond loopback without auth.tokens, naming the host', async () => {
  const err = await Engine.start(config('0.0.0.0'), createLogger('silent')).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(VigilError);
  expect((err as VigilError).code).toBe('VIGIL_ERR_CONFIG_LISTEN_UNSAFE');
  expect((err as VigilError).message).toContain('0.0.0.0');
});

it('generates a development admin token for a loopback listener without auth.tokens', async () => {
  const engine = await Engine.start(config('127.0.0.1'), createLogger('silent'));
  try {
    expect(engine.devToken).toMatch(/^dev-[\w-]{20,}$/);
    const ok = await fetch(`${engine.address}/api/v1/audit`, { headers: { authorization: `Bearer ${engine.devToken}` } });
    expect(ok.status).toBe(200);
    const refused = await fetch(`${engine.address}/api/v1/audit`, { headers: { authorization: 'Bearer dev-guess' } });
    expect(refused.status).toBe(401);
  } finally {
    await engine.stop();
  }
});
