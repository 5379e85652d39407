// `vigil simulate`: publishes a synthetic city into NATS until Ctrl-C or --duration, after
// optionally registering its cameras and districts with a running API.

import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { buildCity, type SimCity } from './city.js';
import { runSimulation, type SimStats } from './simulator.js';

const MAX_BATCH = 5000; // ~150 bytes a read: a full batch stays well under NATS's 1 MiB default

const USAGE = `usage: vigil simulate [options]

  --url URL                 NATS server(s), comma-separated (env VIGIL_NATS_URL, default nats://127.0.0.1:4222)
  --prefix NAME             first subject token (env VIGIL_NATS_PREFIX, default vigil)
  --rate N                  reads per second (default 2000)
  --duration SECONDS        stop after this long (default 0: until Ctrl-C)
  --batch N                 reads per message: 1 = each camera publishes its own reads,
                            more = gateways publish MessagePack arrays (default 50, at most ${MAX_BATCH})
  --cameras N               cameras in the city (default 500)
  --seed N                  the same seed gives the same city and traffic (default 1)
  --incidents-per-minute N  incidents, some of them panic alarms (default 30)
  --core                    core NATS publish instead of JetStream publish with acks
  --api URL --token TOKEN   first PUT the city's cameras and districts to this vigil API (admin token)
  -h, --help                this text
`;

export interface SimulateArgs {
  url: string;
  prefix: string;
  rate: number;
  duration: number;
  batch: number;
  cameras: number;
  seed: number;
  incidentsPerMinute: number;
  core: boolean;
  api: string | null;
  token: string | null;
  help: boolean;
}

/** Throws an Error naming the bad option. */
export function parseSimulateArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): SimulateArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        prefix: { type: 'string' },
        rate: { type: 'string', default: '2000' },
        duration: { type: 'string', default: '0' },
        batch: { type: 'string', default: '50' },
        cameras: { type: 'string', default: '500' },
        seed: { type: 'string', default: '1' },
        'incidents-per-minute': { type: 'string', default: '30' },
        core: { type: 'boolean', default: false },
        api: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    const e = err as Error & { code?: string };
    // For an unknown option Node goes on about `--` and positionals; the first sentence is the point.
    throw new Error(e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? e.message.split('. ')[0] : e.message.replace(/\n/g, ' '));
  }

  const number = (name: string, text: string, ok: (x: number) => boolean, what: string): number => {
    const x = text.trim() === '' ? NaN : Number(text);
    if (!ok(x)) throw new Error(`--${name} must be ${what}, got '${text}'`);
    return x;
  };
  const url = values.url ?? env.VIGIL_NATS_URL ?? 'nats://127.0.0.1:4222';
  if (url.trim() === '') throw new Error('--url must not be empty');
  const prefix = values.prefix ?? env.VIGIL_NATS_PREFIX ?? 'vigil';
  if (!/^[^\s.*>]+$/.test(prefix)) throw new Error(`--prefix must be one subject token (no spaces, dots, * or >), got '${prefix}'`);
  const api = values.api ?? null;
  const token = values.token ?? null;
  if (api !== null) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(api);
    } catch {
      // reported below
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new Error(`--api must be an http(s) URL, got '${api}'`);
    if (!token) throw new Error('--token is required with --api (an admin token of that API)');
  } else if (token !== null) {
    throw new Error('--token is only used with --api');
  }

  return {
    url,
    prefix,
    rate: number('rate', values.rate, (x) => x > 0 && Number.isFinite(x), 'a positive number'),
    duration: number('duration', values.duration, (x) => x >= 0 && Number.isFinite(x), 'a number of seconds, 0 or more'),
    batch: number('batch', values.batch, (x) => Number.isInteger(x) && x >= 1 && x <= MAX_BATCH, `a whole number from 1 to ${MAX_BATCH}`),
    cameras: number('cameras', values.cameras, (x) => Number.isInteger(x) && x >= 1, 'a positive whole number'),
    seed: number('seed', values.seed, (x) => Number.isSafeInteger(x), 'a whole number'),
    incidentsPerMinute: number(
      'incidents-per-minute',
      values['incidents-per-minute'],
      (x) => x >= 0 && Number.isFinite(x),
      'a number, 0 or more',
    ),
    core: values.core,
    api,
    token,
    help: values.help,
  };
}

export async function simulateCommand(argv: string[]): Promise<void> {
  let args: SimulateArgs;
  try {
    args = parseSimulateArgs(argv);
  } catch (err) {
    console.error(`vigil simulate: ${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }

  const city = buildCity({ seed: args.seed, cameras: args.cameras });
  if (args.api && args.token) await registerCity(args.api, args.token, city);

  const nc = await connect({ servers: args.url.split(',').map((s) => s.trim()), name: 'vigil-simulate', maxReconnectAttempts: -1 }).catch(
    (err: Error) => {
      throw new Error(`cannot connect to NATS at ${args.url}: ${err.message}`);
    },
  );

  const abort = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C means "now": skip the drain.
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const tty = process.stderr.isTTY === true;
  console.error(
    `vigil simulate: ${city.cameras.length} cameras, ${city.areas.features.length} districts → ${args.url} ` +
      `(${args.prefix}.det.*, ${args.prefix}.incident.*), ${args.rate} reads/s, ` +
      `${args.batch === 1 ? 'one read per message' : `batches of ${args.batch}`}, ${args.core ? 'core publish' : 'JetStream publish'}` +
      `${args.duration > 0 ? `, for ${args.duration} s` : ', Ctrl-C stops'}`,
  );
  let last = { reads: 0, seconds: 0 };
  const progress = (s: SimStats) => {
    // A terminal gets one line rewritten each second; a log gets a line every 5 s.
    if (!tty && s.elapsedSeconds - last.seconds < 5) return;
    const perSecond = (s.reads - last.reads) / Math.max(s.elapsedSeconds - last.seconds, 0.001);
    last = { reads: s.reads, seconds: s.elapsedSeconds };
    const line = `${s.elapsedSeconds.toFixed(0)} s: reads ${s.reads} (${perSecond.toFixed(0)}/s), messages ${s.messages}, incidents ${s.incidents}`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };

  let stats: SimStats;
  try {
    stats = await runSimulation({
      nc,
      prefix: args.prefix,
      city,
      seed: args.seed,
      rate: args.rate,
      durationSeconds: args.duration,
      batch: args.batch,
      jetstream: !args.core,
      incidentsPerMinute: args.incidentsPerMinute,
      signal: abort.signal,
      onProgress: progress,
    });
  } finally {
    if (tty) process.stderr.write('\n');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await nc.drain().catch(() => nc.close());
  }
  const average = stats.reads / Math.max(stats.elapsedSeconds, 0.001);
  console.log(
    `vigil simulate: ${stats.elapsedSeconds.toFixed(1)} s: reads ${stats.reads} (${average.toFixed(0)}/s), ` +
      `messages ${stats.messages}, incidents ${stats.incidents}`,
  );
}

/** PUT the city's cameras and districts, so the engine can place its reads in areas. */
async function registerCity(api: string, token: string, city: SimCity): Promise<void> {
  const base = api.replace(/\/+$/, '');
  await put(`${base}/api/v1/cameras`, token, city.cameras);
  await put(`${base}/api/v1/areas`, token, city.areas);
  console.error(`vigil simulate: registered ${city.cameras.length} cameras and ${city.areas.features.length} districts with ${base}`);
}

async function put(url: string, token: string, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new Error(`cannot reach the API: PUT ${url}: ${cause}`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: show the text as it came
    }
    throw new Error(`PUT ${url} answered ${res.status} ${res.statusText}${message ? `: ${message.slice(0, 300)}` : ''}`);
  }
}
