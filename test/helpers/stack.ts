// The usual stack of an integration test file: a private nats-server, an engine on it with a
// DuckDB file in a temporary folder, and a client connection; stopped in reverse order.

import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { Engine } from '../../app/engine.js';
import { startEngine, testConfig } from './engine.js';
import { TestNatsServer } from './nats-server.js';

export interface Stack {
  nats: TestNatsServer;
  engine: Engine;
  nc: NatsConnection;
  js: JetStreamClient;
}

export async function startStack(overrides: Record<string, unknown> = {}, client: Partial<NodeConnectionOptions> = {}): Promise<Stack> {
  const nats = await TestNatsServer.start();
  const engine = await startEngine(testConfig(nats.url, overrides));
  const nc = await connect({ servers: nats.url, ...client });
  return { nats, engine, nc, js: jetstream(nc) };
}

export async function stopStack(s: Partial<Stack> | undefined): Promise<void> {
  await s?.nc?.close();
  await s?.engine?.stop();
  await s?.nats?.stop();
}
