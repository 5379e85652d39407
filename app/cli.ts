// The `vigil` command: serve (one engine), simulate (a synthetic city into NATS), dev (what
// `npm start` runs: NATS if needed, the engine, and a small simulated city), bench.

import { parseArgs } from 'node:util';
import { loadConfig } from '../engine/config.js';
import { Engine } from './engine.js';
import { createLogger } from '../engine/logger.js';
import { VigilError } from '../engine/errors.js';
import { stopOnSignals } from './lifecycle.js';

const USAGE = `usage: vigil <command> [options]

commands:
  serve [--config FILE]        run one engine (NATS ingest, DuckDB store, HTTP API)
  simulate [options]           publish a synthetic city into NATS (vigil simulate --help)
  dev [--config FILE]          npm start: NATS (started if none answers), engine, simulated city
  bench [suite] [options]      benchmarks: ingest, matching, plates, false-hits, store, faces, fences, spatial, knox, api, all (default)
`;

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } });
  const config = loadConfig(values.config);
  const log = createLogger();
  const engine = await Engine.start(config, log);
  if (engine.devToken) {
    console.log(`vigil: development admin token (this run only): ${engine.devToken}`);
  }
  stopOnSignals(engine);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'simulate':
      return (await import('../engine/sim/simulate-command.js')).simulateCommand(rest);
    case 'dev':
      return (await import('./dev.js')).dev(rest);
    case 'bench':
      return (await import('../bench/bench-command.js')).benchCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return;
    default:
      console.error(`vigil: unknown command '${command}'\n\n${USAGE}`);
      process.exit(2);
  }
}

main().catch((err: unknown) => {
  if (err instanceof VigilError) console.error(`vigil: ${err.code}: ${err.message}`);
  else console.error(`vigil: ${(err as Error).message ?? err}`);
  if (process.env.VIGIL_DEBUG) console.error((err as Error).stack);
  process.exit(1);
});
