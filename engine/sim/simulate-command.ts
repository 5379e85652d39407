// `vigil simulate`: publishes a synthetic Tashkent into NATS until Ctrl-C or --duration, after
// optionally registering its cameras and mahallas (and demo watchlists) with a running API.

import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { parseInstant } from '../domain/city-time.js';
import { buildCity, DEFAULT_CAMERAS, type SimCity } from './city.js';
import { addDemoWatchlists, registerCity } from './register.js';
import { runSimulation, type SimStats } from './simulator.js';

const MAX_BATCH = 5000; // ~200 bytes a read: a full batch stays under NATS's 1 MiB default (face reads are split off by size)
const CITY_TZ = 'Asia/Tashkent';

const USAGE = `usage: vigil simulate [options]

  --url URL                 NATS server(s), comma-separated (env VIGIL_NATS_URL, default nats://127.0.0.1:4222)
  --prefix NAME             first subject token (env VIGIL_NATS_PREFIX, default vigil)
  --rate N                  reads per second, the mean over a week: the simulated hour shapes it
                            (night lows, rush-hour peaks) (default 2000)
  --duration SECONDS        stop after this long (default 0: until Ctrl-C)
  --batch N                 reads per message: 1 = each camera publishes its own reads,
                            more = gateways publish MessagePack arrays (default 50, at most ${MAX_BATCH})
  --cameras N               fixed cameras in the city (default ${DEFAULT_CAMERAS})
  --seed N                  the same seed gives the same city and traffic (default 1)
  --incidents-per-minute N  incidents, the mean over a week, some of them panic alarms (default 30)
  --start ISO               the simulated clock starts here, e.g. 2026-03-02 (midnight in Tashkent)
                            or 2026-03-02T08:00:00+05:00; not in the future (default: now)
  --speed N                 the simulated clock runs N times faster until it reaches now, then in
                            real time; without --start it starts duration × N ago (default 1)
  --core                    core NATS publish instead of JetStream publish with acks
  --token TOKEN             an admin token of a running vigil API: first register the city's
                            cameras and mahallas there, so reads and incidents land in areas
  --api URL                 that API (env VIGIL_HTTP_HOST/VIGIL_HTTP_PORT, default http://127.0.0.1:8080)
  --watchlist               with --token: also create demo watchlists (plates and faces the city's
                            traffic will hit)
  -h, --help                this text

A week of incidents in ten minutes, into the vigil serve on this machine:
  npx vigil simulate --token <its token> --speed 1008 --duration 600 --incidents-per-minute 300
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
  /** Epoch ms where the simulated clock starts; null: now. */
  start: number | null;
  speed: number;
  core: boolean;
  api: string | null;
  token: string | null;
  watchlist: boolean;
  help: boolean;
}

/** Throws an Error naming the bad option. `now` is for tests. */
export function parseSimulateArgs(argv: string[], env: NodeJS.ProcessEnv = process.env, now = Date.now()): SimulateArgs {
  const values = (() => {
    try {
      return parseArgs({
        args: argv,
        strict: true,
        allowPositionals: false,
        options: {
          url: { type: 'string' },
          prefix: { type: 'string' },
          rate: { type: 'string', default: '2000' },
          duration: { type: 'string', default: '0' },
          batch: { type: 'string', default: '50' },
          cameras: { type: 'string', default: String(DEFAULT_CAMERAS) },
          seed: { type: 'string', default: '1' },
          'incidents-per-minute': { type: 'string', default: '30' },
          start: { type: 'string' },
          speed: { type: 'string', default: '1' },
          core: { type: 'boolean', default: false },
          api: { type: 'string' },
          token: { type: 'string' },
          watchlist: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
      }).values;
    } catch (err) {
      const e = err as Error & { code?: string };
      // For an unknown option Node goes on about `--` and positionals; the first sentence is the point.
      throw new Error(e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? e.message.split('. ')[0] : e.message.replace(/\n/g, ' '));
    }
  })();

  const number = (name: string, text: string, ok: (x: number) => boolean, what: string): number => {
    const x = text.trim() === '' ? NaN : Number(text);
    if (!ok(x)) throw new Error(`--${name} must be ${what}, got '${text}'`);
    return x;
  };
  const url = values.url ?? env.VIGIL_NATS_URL ?? 'nats://127.0.0.1:4222';
  if (url.trim() === '') throw new Error('--url must not be empty');
  const prefix = values.prefix ?? env.VIGIL_NATS_PREFIX ?? 'vigil';
  if (!/^[^\s.*>]+$/.test(prefix)) throw new Error(`--prefix must be one subject token (no spaces, dots, * or >), got '${prefix}'`);

  const token = values.token ?? null;
  let api = values.api ?? null;
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
    // The API of `vigil serve` on this machine, where the engine's own settings put it.
    const host = !env.VIGIL_HTTP_HOST || env.VIGIL_HTTP_HOST === '0.0.0.0' ? '127.0.0.1' : env.VIGIL_HTTP_HOST;
    api = `http://${host.includes(':') ? `[${host}]` : host}:${env.VIGIL_HTTP_PORT || '8080'}`;
  }
  if (values.watchlist && !token) throw new Error('--watchlist needs --token (an admin token of the API to create the lists in)');

  const duration = number('duration', values.duration, (x) => x >= 0 && Number.isFinite(x), 'a number of seconds, 0 or more');
  const speed = number('speed', values.speed, (x) => x >= 1 && x <= 1_000_000, 'a number from 1 to 1000000');
  let start: number | null = null;
  if (values.start !== undefined) {
    start = parseInstant(values.start.trim(), CITY_TZ);
    if (start === null) {
      throw new Error(
        `--start must be an ISO 8601 date or time with its zone (2026-03-02, 2026-03-02T08:00:00+05:00), got '${values.start}'`,
      );
    }
    if (start > now) throw new Error(`--start must not be in the future (the engine refuses reads from the future), got '${values.start}'`);
  } else if (speed > 1) {
    if (duration === 0) {
      throw new Error(
        '--speed needs --start (where the simulated clock begins) or --duration (it then begins duration × speed ago and ends now)',
      );
    }
    start = Math.round(now - duration * 1000 * speed);
  }

  return {
    url,
    prefix,
    rate: number('rate', values.rate, (x) => x > 0 && Number.isFinite(x), 'a positive number'),
    duration,
    batch: number('batch', values.batch, (x) => Number.isInteger(x) && x >= 1 && x <= MAX_BATCH, `a whole number from 1 to ${MAX_BATCH}`),
    cameras: number('cameras', values.cameras, (x) => Number.isInteger(x) && x >= 1 && x <= 200_000, 'a whole number from 1 to 200000'),
    seed: number('seed', values.seed, (x) => Number.isSafeInteger(x), 'a whole number'),
    incidentsPerMinute: number(
      'incidents-per-minute',
      values['incidents-per-minute'],
      (x) => x >= 0 && Number.isFinite(x),
      'a number, 0 or more',
    ),
    start,
    speed,
    core: values.core,
    api,
    token,
    watchlist: values.watchlist,
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

  const built = Date.now();
  const city = buildCity({ seed: args.seed, cameras: args.cameras });
  console.error(`vigil simulate: ${describeCity(city)} (seed ${args.seed}, built in ${Date.now() - built} ms)`);
  if (args.api && args.token) {
    await registerCity(args.api, args.token, city);
    console.error(`vigil simulate: registered ${city.cameras.length} cameras and ${city.areas.features.length} mahallas with ${args.api}`);
    if (args.watchlist) {
      const listed = await addDemoWatchlists(args.api, args.token, city);
      console.error(
        `vigil simulate: demo watchlists: plates ${listed.plates.join(', ')}; ${listed.faces} faces${listed.zone ? `; geofence '${listed.zone}'` : ''}`,
      );
    }
  }

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

  const simulated = args.start !== null || args.speed !== 1;
  console.error(
    `vigil simulate: → ${args.url} (${args.prefix}.det.*, ${args.prefix}.incident.*), ${args.rate} reads/s and ` +
      `${args.incidentsPerMinute} incidents/min on average, ` +
      `${args.batch === 1 ? 'one read per message' : `batches of ${args.batch}`}, ${args.core ? 'core publish' : 'JetStream publish'}` +
      `${simulated ? `, city clock from ${cityClock(args.start ?? Date.now())}${args.speed !== 1 ? ` at ×${args.speed}` : ''}` : ''}` +
      `${args.duration > 0 ? `, for ${args.duration} s` : ', Ctrl-C stops'}`,
  );
  if (args.api) printHints(args.api, args.start);

  const tty = process.stderr.isTTY === true;
  let last = { reads: 0, seconds: 0 };
  const progress = (s: SimStats) => {
    // A terminal gets one line rewritten each second; a log gets a line every 5 s.
    if (!tty && s.elapsedSeconds - last.seconds < 5) return;
    const perSecond = (s.reads - last.reads) / Math.max(s.elapsedSeconds - last.seconds, 0.001);
    last = { reads: s.reads, seconds: s.elapsedSeconds };
    const line =
      `${s.elapsedSeconds.toFixed(0)} s: reads ${s.reads} (${perSecond.toFixed(0)}/s), messages ${s.messages}, ` +
      `incidents ${s.incidents} (panic ${s.panics})${simulated ? `, city clock ${cityClock(s.simulatedTime)}` : ''}`;
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
      start: args.start ?? undefined,
      speed: args.speed,
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
      `messages ${stats.messages}, incidents ${stats.incidents} (panic ${stats.panics})` +
      `${simulated ? `; city clock reached ${cityClock(stats.simulatedTime)}` : ''}`,
  );
}

function describeCity(city: SimCity): string {
  const sites = new Map<string, number>();
  for (const c of city.cameras) {
    const site = String(c.attrs?.site ?? 'street');
    const group =
      site === 'entry' ? 'at entry points' : site === 'school' || site === 'public' ? 'at schools and public places' : 'along streets';
    sites.set(group, (sites.get(group) ?? 0) + 1);
  }
  const patrols = city.mobiles.filter((m) => m.kind === 'patrol').length;
  return (
    `Tashkent: ${city.areas.features.length} mahallas in ${city.districts.length} districts, ${city.cameras.length} cameras ` +
    `(${[...sites].map(([g, n]) => `${n} ${g}`).join(', ')}), ${patrols} patrol cars, ${city.mobiles.length - patrols} drones`
  );
}

/** What to ask the API while the city runs; the token stays out of the log. */
function printHints(api: string, start: number | null): void {
  const base = api.replace(/\/+$/, '');
  const from = start === null ? '' : `&from=${new Date(start).toISOString()}`;
  const get = (path: string) => `  curl -H "Authorization: Bearer $TOKEN" '${base}${path}'`;
  console.error(
    [
      'vigil simulate: watch it (TOKEN = the token you passed):',
      get(`/api/v1/analytics/traffic?groupBy=area&bucket=hour${from}`),
      `  curl -N -H "Authorization: Bearer $TOKEN" '${base}/api/v1/hits/stream'`,
      get(`/api/v1/analytics/hotspots?variable=incidents${from}`),
      get(`/api/v1/analytics/near-repeat?type=burglary&distanceBands=1,100,200,400&timeBands=1,2,4,7${from}`),
    ].join('\n'),
  );
}

/** The simulated time on Tashkent's wall clock, e.g. 'Mon 2026-03-02 08:40'. */
function cityClock(ts: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: CITY_TZ,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ts));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('weekday')} ${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
