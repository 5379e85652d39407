// vigil's configuration: a JSON or YAML file, then environment overrides, validated once
// against one schema and frozen. A bad key stops the start with a message naming it.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { VigilError } from './errors.js';

export type Role = 'admin' | 'analyst' | 'dispatcher';
export type TokenSpec =
  | { name: string; role: Role; token: string }
  | { name: string; role: Role; sha256: string };

export interface Config {
  nats: {
    url: string;
    prefix: string;
    /** JetStream streams keep messages this long (limits retention). */
    streamMaxAgeHours: number;
  };
  dataDir: string;
  /** DuckDB's buffer pool; DuckDB's own default is 80 % of the machine's memory. */
  store: { memoryLimitMb: number };
  http: { host: string; port: number };
  workers: { threads: 'auto' | number };
  auth: { tokens: TokenSpec[] };
  retention: { detectionsDays: number };
  timezone: string;
  ingest: {
    /** A batch is committed once it holds this many messages… */
    batchMaxMessages: number;
    /** …or this many payload bytes… */
    batchMaxBytes: number;
    /** …or this long after its first message arrived, whichever comes first. */
    batchMaxWaitMs: number;
    /** JetStream stops delivering past this many unacknowledged messages: the memory bound. */
    maxAckPending: number;
    /** A message not acknowledged within this time is redelivered (and skipped if applied). */
    ackWaitSeconds: number;
  };
}

const role = { enum: ['admin', 'analyst', 'dispatcher'] };

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    nats: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: 'string', minLength: 1, default: 'nats://127.0.0.1:4222' },
        prefix: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', default: 'vigil' },
        streamMaxAgeHours: { type: 'number', exclusiveMinimum: 0, default: 24 },
      },
    },
    dataDir: { type: 'string', minLength: 1, default: './data' },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { memoryLimitMb: { type: 'integer', minimum: 64, maximum: 1048576, default: 1024 } },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
      },
    },
    workers: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        threads: {
          anyOf: [{ const: 'auto' }, { type: 'integer', minimum: 0, maximum: 256 }],
          default: 'auto',
        },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        tokens: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'role'],
            properties: {
              name: { type: 'string', minLength: 1 },
              role,
              token: { type: 'string', minLength: 16 },
              sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
            },
            oneOf: [{ required: ['token'] }, { required: ['sha256'] }],
          },
        },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { detectionsDays: { type: 'number', exclusiveMinimum: 0, default: 30 } },
    },
    timezone: { type: 'string', minLength: 1, default: 'Asia/Tashkent' },
    ingest: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        batchMaxMessages: { type: 'integer', minimum: 1, maximum: 100000, default: 5000 },
        batchMaxBytes: { type: 'integer', minimum: 1024, default: 4 * 1024 * 1024 },
        batchMaxWaitMs: { type: 'integer', minimum: 1, maximum: 10000, default: 20 },
        maxAckPending: { type: 'integer', minimum: 1, default: 20000 },
        ackWaitSeconds: { type: 'integer', minimum: 1, default: 60 },
      },
    },
  },
} as const;

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const check = ajv.compile(schema);

/** Environment variables of the contract, with the path each one sets. */
export const ENV_KEYS: ReadonlyArray<readonly [string, string, 'string' | 'int' | 'threads']> = [
  ['VIGIL_NATS_URL', 'nats.url', 'string'],
  ['VIGIL_NATS_PREFIX', 'nats.prefix', 'string'],
  ['VIGIL_DATA_DIR', 'dataDir', 'string'],
  ['VIGIL_HTTP_HOST', 'http.host', 'string'],
  ['VIGIL_HTTP_PORT', 'http.port', 'int'],
  ['VIGIL_WORKERS', 'workers.threads', 'threads'],
  ['VIGIL_TZ', 'timezone', 'string'],
];

function fail(message: string): never {
  throw new VigilError('CONFIG_INVALID', message);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) fail(`'${key}' must be an object`);
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function envValue(name: string, raw: string, type: 'string' | 'int' | 'threads'): unknown {
  if (type === 'string') return raw;
  if (type === 'threads' && raw === 'auto') return 'auto';
  if (!/^\d+$/.test(raw)) fail(`${name} must be ${type === 'threads' ? "'auto' or " : ''}a whole number, got '${raw}'`);
  return Number(raw);
}

function describe(e: ErrorObject): string {
  const path = e.instancePath.slice(1).replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return `unknown key '${path ? `${path}.` : ''}${key}'`;
  }
  if (e.keyword === 'required') {
    const key = (e.params as { missingProperty: string }).missingProperty;
    return `'${path ? `${path}.` : ''}${key}' is required`;
  }
  if (e.keyword === 'oneOf' && path.startsWith('auth.tokens')) {
    return `'${path}' needs exactly one of 'token' or 'sha256'`;
  }
  if (path === 'workers.threads') return `'workers.threads' must be 'auto' or a whole number 0–256`;
  return `'${path || '(root)'}' ${e.message ?? 'is invalid'}`;
}

/**
 * Validates a raw config object (file contents with env applied), fills defaults, freezes it.
 * `fromEnv` maps a dotted key to the variable that set it, so the message can name that too.
 */
export function validateConfig(raw: unknown, fromEnv: ReadonlyMap<string, string> = new Map()): Readonly<Config> {
  const candidate = structuredClone(raw ?? {});
  if (!check(candidate)) {
    const errors = check.errors ?? [];
    // anyOf/oneOf report each branch that failed; one sentence per key reads better.
    const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
    const specific = errors.filter(
      (e) => e.keyword !== 'if' && !(e.keyword === 'required' && oneOfPaths.has(e.instancePath)),
    );
    const messages = [...new Set(specific.map(describe))].map((m) => {
      const key = /^'([^']+)'/.exec(m)?.[1];
      const env = key ? fromEnv.get(key) : undefined;
      return env ? `${m} (from ${env})` : m;
    });
    fail(messages.join('; '));
  }
  const config = candidate as unknown as Config;
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timezone });
  } catch {
    fail(`'timezone' is not a known IANA time zone: '${config.timezone}'`);
  }
  const names = new Set<string>();
  for (const t of config.auth.tokens) {
    if (names.has(t.name)) fail(`'auth.tokens' has the name '${t.name}' twice`);
    names.add(t.name);
  }
  return deepFreeze(config);
}

/** Reads FILE (JSON or YAML) if given, applies the environment, validates. */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new VigilError('CONFIG_UNREADABLE', file, (err as Error).message);
    }
    try {
      // An empty YAML file (or one of comments only) is an empty config: every key has a default.
      raw = /\.json$/i.test(file) ? JSON.parse(text) : (parseYaml(text) ?? {});
    } catch (err) {
      fail(`${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${file} must hold an object`);
  }
  const merged = structuredClone(raw) as Record<string, unknown>;
  const fromEnv = new Map<string, string>();
  for (const [name, path, type] of ENV_KEYS) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      setPath(merged, path, envValue(name, value, type));
      fromEnv.set(path, name);
    }
  }
  return validateConfig(merged, fromEnv);
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return h === '::1';
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
