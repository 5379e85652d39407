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

export type JwtAlgorithm = 'RS256' | 'ES256';

/** Bearer JWTs from an identity provider, checked with its public key. */
export interface JwtConfig {
  /** PEM public key (SPKI) or certificate; exactly one of this and `jwksFile`. */
  publicKeyFile?: string;
  /** JSON Web Key Set (`{"keys": [...]}`); the token's `kid` picks the key. */
  jwksFile?: string;
  algorithms: JwtAlgorithm[];
  issuer?: string;
  audience?: string;
  /** Dotted path of the claim naming the roles; unset: `role`, then `roles`. */
  roleClaim?: string;
  /** The claim that names the caller in the audit log. */
  nameClaim: string;
  clockToleranceSeconds: number;
}

export interface Config {
  nats: {
    url: string;
    prefix: string;
    /** JetStream streams keep messages this long (limits retention). */
    streamMaxAgeHours: number;
    /** At most one way to authenticate: user and pass, token, nkeySeedFile or credsFile. */
    user?: string;
    pass?: string;
    token?: string;
    nkeySeedFile?: string;
    credsFile?: string;
    /** `required`, or any file given: connect over TLS only. */
    tls: { required: boolean; caFile?: string; certFile?: string; keyFile?: string };
  };
  dataDir: string;
  /** DuckDB's buffer pool; DuckDB's own default is 80 % of the machine's memory. */
  store: { memoryLimitMb: number };
  http: {
    host: string;
    port: number;
    /** Behind a reverse proxy: true, or the proxy addresses/CIDRs whose X-Forwarded-For is believed. */
    trustProxy: boolean | string[];
    /** JSON bodies of every route but the uploads. */
    bodyLimitBytes: number;
    /** PUT /cameras, PUT /areas, POST /watchlists/:id/entries. */
    uploadLimitBytes: number;
    /** Per principal (or per address when unauthenticated); `max` 0 turns it off. */
    rateLimit: { max: number; timeWindowMs: number };
    /** Browser origins allowed to call the API; none: CORS off. */
    cors: { origins: string[] };
  };
  workers: { threads: 'auto' | number };
  auth: {
    tokens: TokenSpec[];
    jwt?: JwtConfig;
    /** Audit rows for refused requests (401, 403) per minute; the rest are counted and summed. */
    auditFailures: { perIpPerMinute: number; perMinute: number };
  };
  retention: {
    /** Sightings (raw reads) are purged this many days (of 24 h) after their event time. */
    detectionsDays: number;
    /** Hits, and their acknowledgements, this many days after they were emitted. */
    hitsDays: number;
    /** Audit rows this many days after they were written: the accountability record, kept longest. */
    auditDays: number;
    /** The purge runs this often (and once shortly after start). */
    purgeIntervalMinutes: number;
    /** Expired watchlists and entries are deleted this many days after they expired (0: at once). */
    expiredRulesGraceDays: number;
  };
  timezone: string;
  matching: {
    /**
     * Most false hits by edit a plate list may be estimated to give, per 1,000 reads, before a
     * change that turns edits on or adds entries to such a list is refused (force overrides).
     */
    maxFuzzyHitRate: number;
    /** The city's plate formats, `#` a digit and `@` a letter (see PlateListSpec.formats). */
    plateFormats: string[];
  };
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
        user: { type: 'string', minLength: 1 },
        pass: { type: 'string', minLength: 1 },
        token: { type: 'string', minLength: 1 },
        nkeySeedFile: { type: 'string', minLength: 1 },
        credsFile: { type: 'string', minLength: 1 },
        tls: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            required: { type: 'boolean', default: false },
            caFile: { type: 'string', minLength: 1 },
            certFile: { type: 'string', minLength: 1 },
            keyFile: { type: 'string', minLength: 1 },
          },
        },
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
        trustProxy: {
          anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }],
          default: false,
        },
        bodyLimitBytes: { type: 'integer', minimum: 1024, default: 1024 * 1024 },
        uploadLimitBytes: { type: 'integer', minimum: 1024, default: 256 * 1024 * 1024 },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            max: { type: 'integer', minimum: 0, default: 3000 },
            timeWindowMs: { type: 'integer', minimum: 100, default: 10_000 },
          },
        },
        cors: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            origins: { type: 'array', default: [], items: { type: 'string', pattern: '^https?://[^/\\s]+$' } },
          },
        },
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
        jwt: {
          type: 'object',
          additionalProperties: false,
          properties: {
            publicKeyFile: { type: 'string', minLength: 1 },
            jwksFile: { type: 'string', minLength: 1 },
            algorithms: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['RS256', 'ES256'] }, default: ['RS256', 'ES256'] },
            issuer: { type: 'string', minLength: 1 },
            audience: { type: 'string', minLength: 1 },
            roleClaim: { type: 'string', minLength: 1 },
            nameClaim: { type: 'string', minLength: 1, default: 'sub' },
            clockToleranceSeconds: { type: 'integer', minimum: 0, maximum: 300, default: 30 },
          },
          oneOf: [{ required: ['publicKeyFile'] }, { required: ['jwksFile'] }],
        },
        auditFailures: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            perIpPerMinute: { type: 'integer', minimum: 0, default: 30 },
            perMinute: { type: 'integer', minimum: 0, default: 600 },
          },
        },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        detectionsDays: { type: 'number', exclusiveMinimum: 0, default: 30 },
        hitsDays: { type: 'number', exclusiveMinimum: 0, default: 365 },
        auditDays: { type: 'number', exclusiveMinimum: 0, default: 730 },
        // At least daily, so nothing outlives its retention by more than a day.
        purgeIntervalMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 1440, default: 60 },
        expiredRulesGraceDays: { type: 'number', minimum: 0, default: 0 },
      },
    },
    timezone: { type: 'string', minLength: 1, default: 'Asia/Tashkent' },
    matching: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // 0.05 per 1,000 reads is one false hit every 2–3 s at the city's 8,500 reads/s.
        maxFuzzyHitRate: { type: 'number', minimum: 0, maximum: 1000, default: 0.05 },
        // Uzbekistan: '01 A 123 BC' and '01 123 ABC'.
        plateFormats: {
          type: 'array',
          maxItems: 64,
          items: { type: 'string', pattern: '^[#@]{1,16}$' },
          default: ['##@###@@', '#####@@@'],
        },
      },
    },
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
/** `list`: comma-separated; `trust`: 'true', 'false' or a comma-separated list of addresses. */
type EnvType = 'string' | 'int' | 'threads' | 'bool' | 'list' | 'trust';

export const ENV_KEYS: ReadonlyArray<readonly [string, string, EnvType]> = [
  ['VIGIL_NATS_URL', 'nats.url', 'string'],
  ['VIGIL_NATS_PREFIX', 'nats.prefix', 'string'],
  ['VIGIL_DATA_DIR', 'dataDir', 'string'],
  ['VIGIL_HTTP_HOST', 'http.host', 'string'],
  ['VIGIL_HTTP_PORT', 'http.port', 'int'],
  ['VIGIL_WORKERS', 'workers.threads', 'threads'],
  ['VIGIL_TZ', 'timezone', 'string'],
  ['VIGIL_NATS_USER', 'nats.user', 'string'],
  ['VIGIL_NATS_PASS', 'nats.pass', 'string'],
  ['VIGIL_NATS_TOKEN', 'nats.token', 'string'],
  ['VIGIL_NATS_NKEY_SEED_FILE', 'nats.nkeySeedFile', 'string'],
  ['VIGIL_NATS_CREDS_FILE', 'nats.credsFile', 'string'],
  ['VIGIL_NATS_TLS_REQUIRED', 'nats.tls.required', 'bool'],
  ['VIGIL_NATS_TLS_CA_FILE', 'nats.tls.caFile', 'string'],
  ['VIGIL_NATS_TLS_CERT_FILE', 'nats.tls.certFile', 'string'],
  ['VIGIL_NATS_TLS_KEY_FILE', 'nats.tls.keyFile', 'string'],
  ['VIGIL_HTTP_TRUST_PROXY', 'http.trustProxy', 'trust'],
  ['VIGIL_HTTP_RATE_LIMIT_MAX', 'http.rateLimit.max', 'int'],
  ['VIGIL_HTTP_RATE_LIMIT_WINDOW_MS', 'http.rateLimit.timeWindowMs', 'int'],
  ['VIGIL_HTTP_CORS_ORIGINS', 'http.cors.origins', 'list'],
  ['VIGIL_AUTH_JWT_PUBLIC_KEY_FILE', 'auth.jwt.publicKeyFile', 'string'],
  ['VIGIL_AUTH_JWT_JWKS_FILE', 'auth.jwt.jwksFile', 'string'],
  ['VIGIL_AUTH_JWT_ISSUER', 'auth.jwt.issuer', 'string'],
  ['VIGIL_AUTH_JWT_AUDIENCE', 'auth.jwt.audience', 'string'],
  ['VIGIL_RETENTION_DETECTIONS_DAYS', 'retention.detectionsDays', 'int'],
  ['VIGIL_RETENTION_HITS_DAYS', 'retention.hitsDays', 'int'],
  ['VIGIL_RETENTION_AUDIT_DAYS', 'retention.auditDays', 'int'],
  ['VIGIL_RETENTION_PURGE_INTERVAL_MINUTES', 'retention.purgeIntervalMinutes', 'int'],
  ['VIGIL_RETENTION_EXPIRED_RULES_GRACE_DAYS', 'retention.expiredRulesGraceDays', 'int'],
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

function envValue(name: string, raw: string, type: EnvType): unknown {
  if (type === 'string') return raw;
  if (type === 'bool' || (type === 'trust' && /^(true|false)$/.test(raw))) {
    if (!/^(true|false|1|0)$/.test(raw)) fail(`${name} must be true or false, got '${raw}'`);
    return raw === 'true' || raw === '1';
  }
  if (type === 'list' || type === 'trust') return raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
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
  if (e.keyword === 'oneOf' && path === 'auth.jwt') return `'auth.jwt' needs exactly one of 'publicKeyFile' or 'jwksFile'`;
  if (path === 'http.trustProxy') return `'http.trustProxy' must be true, false or a list of proxy addresses`;
  if (/^http\.cors\.origins\.\d+$/.test(path) && e.keyword === 'pattern') {
    return `'${path}' must be an origin such as https://ops.example.org (scheme and host, no path)`;
  }
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
      // An item of a list set from the environment ('http.cors.origins.0') names the list's variable.
      const env = key ? (fromEnv.get(key) ?? fromEnv.get(key.replace(/\.\d+$/, ''))) : undefined;
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
  checkNatsAuth(config.nats);
  return deepFreeze(config);
}

/** One way to authenticate to NATS at most, and key pairs complete. */
function checkNatsAuth(n: Config['nats']): void {
  if ((n.user === undefined) !== (n.pass === undefined)) {
    fail(n.user === undefined ? `'nats.user' is required with 'nats.pass'` : `'nats.pass' is required with 'nats.user'`);
  }
  const ways = (['user', 'token', 'nkeySeedFile', 'credsFile'] as const).filter((k) => n[k] !== undefined);
  if (ways.length > 1) fail(`${ways.map((k) => `'nats.${k}'`).join(' and ')} are alternatives: set one way to authenticate to NATS`);
  if ((n.tls.certFile === undefined) !== (n.tls.keyFile === undefined)) {
    fail(n.tls.certFile === undefined ? `'nats.tls.certFile' is required with 'nats.tls.keyFile'` : `'nats.tls.keyFile' is required with 'nats.tls.certFile'`);
  }
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
