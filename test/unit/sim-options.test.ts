// `vigil simulate` options: defaults, environment, start time and speed.

import { describe, expect, it } from 'vitest';
import { CITY_UTC_OFFSET_MS } from '../../engine/sim/rhythm.js';
import { parseSimulateArgs } from '../../engine/sim/simulate-command.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2 March 2026, 00:00 in Tashkent. */
const MONDAY = Date.UTC(2026, 2, 2) - CITY_UTC_OFFSET_MS;

describe('vigil simulate options', () => {
  const NOW = Date.UTC(2026, 2, 10, 12);

  it('has the documented defaults, with env for url and prefix', () => {
    expect(parseSimulateArgs([], {}, NOW)).toEqual({
      url: 'nats://127.0.0.1:4222',
      prefix: 'vigil',
      rate: 2000,
      duration: 0,
      batch: 50,
      cameras: 42_750,
      seed: 1,
      incidentsPerMinute: 30,
      start: null,
      speed: 1,
      core: false,
      api: null,
      token: null,
      watchlist: false,
      help: false,
    });
    const env = { VIGIL_NATS_URL: 'nats://nats:4222', VIGIL_NATS_PREFIX: 'city' };
    expect(parseSimulateArgs([], env, NOW)).toMatchObject({ url: 'nats://nats:4222', prefix: 'city' });
    expect(parseSimulateArgs(['--prefix', 'p2', '--core', '--batch', '1'], env, NOW)).toMatchObject({ prefix: 'p2', core: true, batch: 1 });
  });

  it('reads --start on Tashkent’s clock and --speed, starting duration × speed ago when no --start is given', () => {
    expect(parseSimulateArgs(['--start', '2026-03-02'], {}, NOW)).toMatchObject({ start: MONDAY, speed: 1 });
    expect(parseSimulateArgs(['--start', '2026-03-02T08:00:00+05:00', '--speed', '60'], {}, NOW)).toMatchObject({
      start: MONDAY + 8 * HOUR,
      speed: 60,
    });
    expect(parseSimulateArgs(['--speed', '1008', '--duration', '600'], {}, NOW)).toMatchObject({ start: NOW - 7 * DAY, speed: 1008 });
  });

  it('registers with the local API when only a token is given', () => {
    expect(parseSimulateArgs(['--token', 't'], {}, NOW)).toMatchObject({ api: 'http://127.0.0.1:8080', token: 't' });
    expect(parseSimulateArgs(['--token', 't'], { VIGIL_HTTP_PORT: '9090' }, NOW)).toMatchObject({ api: 'http://127.0.0.1:9090' });
    expect(parseSimulateArgs(['--api', 'https://vigil.example:8443', '--token', 't', '--watchlist'], {}, NOW)).toMatchObject({
      api: 'https://vigil.example:8443',
      watchlist: true,
    });
  });

  it.each([
    [['--rate', '0'], /--rate must be a positive number/],
    [['--rate', 'fast'], /--rate must be a positive number/],
    [['--duration=-1'], /--duration must be a number of seconds, 0 or more/],
    [['--duration', '-1'], /'--duration' argument is ambiguous.*--duration=-XYZ/],
    [['--batch', '2.5'], /--batch must be a whole number/],
    [['--batch', '100000'], /--batch must be a whole number from 1 to/],
    [['--cameras', '0'], /--cameras must be a whole number from 1/],
    [['--seed', 'x'], /--seed must be a whole number/],
    [['--incidents-per-minute=-3'], /--incidents-per-minute must be/],
    [['--rate'], /'--rate <value>' argument missing/],
    [['--prefix', 'a.b'], /--prefix must be one subject token/],
    [['--api', 'localhost:8080', '--token', 't'], /--api must be an http\(s\) URL/],
    [['--api', 'http://127.0.0.1:8080'], /--token is required with --api/],
    [['--watchlist'], /--watchlist needs --token/],
    [['--speed', '0.5', '--duration', '10'], /--speed must be a number from 1/],
    [['--speed', '100'], /--speed needs --start .* or --duration/],
    [['--start', 'yesterday'], /--start must be an ISO 8601 date/],
    [['--start', '2026-03-02T08:00'], /--start must be an ISO 8601 date/],
    [['--start', '2026-04-01'], /--start must not be in the future/],
    [['--pace', '3'], /Unknown option '--pace'/],
  ])('refuses %j naming the option', (argv, message) => {
    expect(() => parseSimulateArgs(argv, {}, NOW)).toThrow(message);
  });
});
