// How an engine process ends: on SIGINT/SIGTERM it drains, flushes and exits 0.

import type { Engine } from './engine.js';

/** SIGINT/SIGTERM: drain in-flight work, flush, exit 0. A second signal exits at once. */
export function stopOnSignals(engine: Engine, hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {}): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    engine.log.info(`${signal}: draining`);
    void (async () => {
      try {
        await hooks.before?.();
        await engine.stop();
        await hooks.after?.();
        process.exit(0);
      } catch (err) {
        engine.log.error(`stop failed: ${(err as Error).message}`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
