// `npm start`: everything a newcomer needs on one machine — NATS (a private nats-server when
// none answers at the configured URL), the engine with its API, and a small simulated city.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { PrivateNatsServer } from '../engine/nats/private-server.js';
import { natsConnectOptions, type NatsSettings } from '../engine/nats/connection.js';
import { loadConfig } from '../engine/config.js';
import { Engine } from './engine.js';
import { createLogger, type Logger } from '../engine/logger.js';
import { stopOnSignals } from './lifecycle.js';
import { replaceAreas, upsertCameras } from '../engine/store/catalog.js';
import { addDemoWatchlists } from '../engine/sim/register.js';
import { areasFromGeoJson } from '../api/routes/areas.js';
import { buildCity } from '../engine/sim/city.js';
import { runSimulation } from '../engine/sim/simulator.js';

async function natsAnswers(nats: NatsSettings): Promise<boolean> {
  try {
    const nc = await connect({ ...natsConnectOptions(nats), timeout: 1500, maxReconnectAttempts: 0, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

async function startPrivateNats(url: string, dataDir: string, log: Logger): Promise<PrivateNatsServer> {
  const first = new URL(
    url
      .split(',')[0]
      .trim()
      .replace(/^nats:/, 'http:'),
  );
  const server = new PrivateNatsServer({ host: first.hostname, port: Number(first.port || 4222), dir: resolve(dataDir, 'nats') });
  log.info(`no NATS answers at ${url}: starting a private nats-server there (JetStream in ${server.o.dir})`);
  await server.start();
  return server;
}

export async function dev(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      rate: { type: 'string', default: '1000' },
      cameras: { type: 'string', default: '300' },
    },
  });
  const rate = Number(values.rate);
  const cameraCount = Number(values.cameras);
  if (!(rate > 0)) throw new Error('--rate must be a positive number of reads per second');
  if (!Number.isInteger(cameraCount) || cameraCount < 1) throw new Error('--cameras must be a positive whole number');

  const config = loadConfig(values.config);
  // Warnings only by default, so the banner below stays readable; VIGIL_LOG_LEVEL=info for more.
  const log = createLogger(process.env.VIGIL_LOG_LEVEL ?? 'warn');
  const natsProc = (await natsAnswers(config.nats)) ? null : await startPrivateNats(config.nats.url, config.dataDir, log);
  const stopNats = async () => natsProc?.stop();

  let engine: Engine;
  try {
    engine = await Engine.start(config, log);
  } catch (err) {
    await stopNats();
    throw err;
  }

  // The simulated city's cameras and mahallas, so reads are placed and traffic has areas.
  const city = buildCity({ seed: 1, cameras: cameraCount });
  await upsertCameras(engine.db, city.cameras);
  engine.placement.upsertCameras(city.cameras);
  const areas = areasFromGeoJson(city.areas);
  await replaceAreas(engine.db, areas);
  engine.placement.setAreas(areas);

  const abort = new AbortController();
  const nc = await connect({ ...natsConnectOptions(config.nats), maxReconnectAttempts: -1 });
  // The simulated city keeps publishing across a NATS outage: a failed run starts again.
  const simulation = (async () => {
    while (!abort.signal.aborted) {
      try {
        await runSimulation({
          nc,
          prefix: config.nats.prefix,
          city,
          seed: 1,
          rate,
          durationSeconds: 0,
          batch: 50,
          jetstream: true,
          incidentsPerMinute: 30,
          signal: abort.signal,
        });
      } catch (err) {
        log.warn(`simulated city paused: ${(err as Error).message}; restarting in 2 s`);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  })();

  const base = `http://${engine.address?.replace(/^https?:\/\//, '') ?? `${config.http.host}:${config.http.port}`}`;
  const token = engine.devToken ?? '<one of your auth.tokens>';
  // Demo watchlists of plates and faces the traffic carries, so hits flow; plates at the
  // precise default (exact and look-alikes, no edits).
  const demo = engine.devToken ? await addDemoWatchlists(base, engine.devToken, city) : null;
  // The situation centre signs in from the link's fragment (never sent to the server) and then
  // drops it from the address bar.
  const webApp = engine.devToken
    ? `${base}/#token=${encodeURIComponent(engine.devToken)}`
    : `${base}/   (sign in with one of your auth.tokens)`;
  console.log(`
vigil is running.
  web app    ${webApp}
  API        ${base}   (reference: ${base}/docs, OpenAPI: ${base}/docs/json)
  token      ${token}
  NATS       ${config.nats.url}${natsProc ? ' (private nats-server started for this run)' : ''}
  simulated  ${city.cameras.length} cameras, ${areas.length} mahallas in 12 districts, ~${rate} reads/s${
    demo
      ? `\n  watchlists ${demo.plates.length} demo plates (exact and look-alikes, no edits) and ${demo.faces} faces${
          demo.zone ? `; a protection-order zone that the plates must not enter` : ''
        }`
      : ''
  }

Try:
  curl -H 'Authorization: Bearer ${token}' '${base}/api/v1/analytics/traffic?groupBy=area&bucket=hour'
  curl -H 'Authorization: Bearer ${token}' '${base}/api/v1/analytics/traffic?bucket=minute'
  curl -H 'Authorization: Bearer ${token}' '${base}/api/v1/hits?limit=5'
  curl -H 'Authorization: Bearer ${token}' '${base}/api/v1/watchlists'    (hits, acks and precision per list)
  curl ${base}/metrics

Ctrl-C stops everything.
`);

  stopOnSignals(engine, {
    before: async () => {
      abort.abort();
      await simulation;
      await nc.drain().catch(() => undefined);
    },
    after: stopNats,
  });
}
