// One pino logger for the engine and the API (Fastify logs through the same instance).

import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(level = process.env.VIGIL_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: 'vigil', level });
}
