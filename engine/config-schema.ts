// vigil's configuration, once: this JSON Schema validates the file (with Ajv), gives every key
// its default, names the environment variable that may set it (`env`), documents it
// (`description`: the README's configuration table is made from it by `npm run docs`, and a
// test keeps the two equal), and is the TypeScript type (json-schema-to-ts).

import type { FromSchema } from 'json-schema-to-ts';

const role = { enum: ['admin', 'analyst', 'dispatcher'] } as const;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    nats: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: {
          type: 'string',
          minLength: 1,
          default: 'nats://127.0.0.1:4222',
          env: 'VIGIL_NATS_URL',
          description: 'NATS server(s), comma-separated',
        },
        prefix: {
          type: 'string',
          pattern: '^[A-Za-z0-9_-]+$',
          default: 'vigil',
          env: 'VIGIL_NATS_PREFIX',
          description: 'first token of every subject',
        },
        streamMaxAgeHours: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 24,
          description: 'JetStream keeps detections, incidents and hits this long (the DLQ at least 7 days)',
        },
        user: {
          type: 'string',
          minLength: 1,
          env: 'VIGIL_NATS_USER',
          description:
            'NATS user, with `nats.pass` (one way to authenticate to NATS at most: user and pass, `token`, `nkeySeedFile` or `credsFile`)',
        },
        pass: { type: 'string', minLength: 1, env: 'VIGIL_NATS_PASS', description: 'NATS password, with `nats.user`' },
        token: { type: 'string', minLength: 1, env: 'VIGIL_NATS_TOKEN', description: 'NATS token' },
        nkeySeedFile: {
          type: 'string',
          minLength: 1,
          env: 'VIGIL_NATS_NKEY_SEED_FILE',
          description: 'file holding an NKey user seed (`SU…`), read again at each reconnect',
        },
        credsFile: {
          type: 'string',
          minLength: 1,
          env: 'VIGIL_NATS_CREDS_FILE',
          description: 'NATS credentials file (user JWT and seed, as `nsc` writes it), read again at each reconnect',
        },
        tls: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            required: {
              type: 'boolean',
              default: false,
              env: 'VIGIL_NATS_TLS_REQUIRED',
              description: 'connect over TLS only (any TLS file below implies it); `false`: TLS only if the server asks',
            },
            caFile: {
              type: 'string',
              minLength: 1,
              env: 'VIGIL_NATS_TLS_CA_FILE',
              description: "PEM: the CA that signed the server's certificate",
            },
            certFile: {
              type: 'string',
              minLength: 1,
              env: 'VIGIL_NATS_TLS_CERT_FILE',
              description: 'PEM: a client certificate (mutual TLS), with `keyFile`',
            },
            keyFile: { type: 'string', minLength: 1, env: 'VIGIL_NATS_TLS_KEY_FILE', description: "PEM: the client certificate's key" },
          },
        },
      },
    },
    dataDir: {
      type: 'string',
      minLength: 1,
      default: './data',
      env: 'VIGIL_DATA_DIR',
      description: 'DuckDB file (`vigil.duckdb`) and exports',
    },
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        memoryLimitMb: {
          type: 'integer',
          minimum: 64,
          maximum: 1048576,
          default: 512,
          description: "DuckDB's buffer pool (its own default would be 80 % of the machine's memory)",
        },
        latenessSeconds: {
          type: 'integer',
          minimum: 0,
          maximum: 86400,
          default: 300,
          env: 'VIGIL_STORE_LATENESS_SECONDS',
          description:
            "a count bucket closes, and a day's sealed sightings are merged, once the newest stored read is this far past its end; a read later than that is still counted and stored",
        },
        sealMinutes: {
          type: 'integer',
          minimum: 1,
          maximum: 60,
          default: 5,
          env: 'VIGIL_STORE_SEAL_MINUTES',
          description:
            'hot reads are sealed into a Parquet file sorted by plate each time the newest stored read passes a boundary of this many minutes (a late read goes into the next seal); a plate search scans the hot table whole, so this bounds its cost',
        },
        minuteBucketsHours: {
          type: 'integer',
          minimum: 1,
          maximum: 8784,
          default: 48,
          env: 'VIGIL_STORE_MINUTE_BUCKETS_HOURS',
          description:
            'per-camera counts per minute are kept this long (hours and days for the whole retention); `bucket=minute` before that answers 400',
        },
        maintenanceIntervalSeconds: {
          type: 'number',
          minimum: 1,
          maximum: 3600,
          default: 60,
          env: 'VIGIL_STORE_MAINTENANCE_INTERVAL_SECONDS',
          description:
            'how often closed count buckets are folded into rollups, hot reads are sealed into Parquet files and files are merged',
        },
        shardPlateReads: {
          type: 'integer',
          minimum: 1000,
          maximum: 1000000000,
          default: 1000000,
          env: 'VIGIL_STORE_SHARD_PLATE_READS',
          description:
            'a sealed or merged file with more plate reads than this is split into plate ranges of about this many, one file each (a plate search opens one a day)',
        },
        writerId: {
          type: 'string',
          pattern: '^[A-Za-z0-9_-]{1,32}$',
          default: 'main',
          env: 'VIGIL_STORE_WRITER_ID',
          description: "names this engine's sighting files, so several engines can write into one shared `sightings/` folder",
        },
      },
    },
    http: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        host: { type: 'string', minLength: 1, default: '127.0.0.1', env: 'VIGIL_HTTP_HOST', description: 'API listener address' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, env: 'VIGIL_HTTP_PORT', description: 'API listener port' },
        trustProxy: {
          anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }],
          default: false,
          env: 'VIGIL_HTTP_TRUST_PROXY',
          description:
            "behind a TLS-terminating proxy: `true` or the proxies' addresses/CIDRs (env: comma-separated), so `X-Forwarded-For` gives the client's address for rate limits and the audit log",
        },
        bodyLimitBytes: {
          type: 'integer',
          minimum: 1024,
          default: 1024 * 1024,
          description: 'largest JSON body of every route but the uploads (413 above)',
        },
        uploadLimitBytes: {
          type: 'integer',
          minimum: 1024,
          default: 256 * 1024 * 1024,
          description: 'largest body of `PUT /cameras`, `PUT /areas`, `POST /watchlists/:id/entries`',
        },
        rateLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            max: {
              type: 'integer',
              minimum: 0,
              default: 3000,
              env: 'VIGIL_HTTP_RATE_LIMIT_MAX',
              description:
                'requests per window per principal (per address when unauthenticated; IPv6 per /64), 429 above; 0 turns it off. Raise it for load tests (`vigil bench api` at high rates)',
            },
            timeWindowMs: {
              type: 'integer',
              minimum: 100,
              default: 10_000,
              env: 'VIGIL_HTTP_RATE_LIMIT_WINDOW_MS',
              description: "the rate limit's window",
            },
          },
        },
        cors: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            origins: {
              type: 'array',
              default: [],
              items: { type: 'string', pattern: '^https?://[^/\\s]+$' },
              env: 'VIGIL_HTTP_CORS_ORIGINS',
              description:
                'browser origins (`https://ops.example.org`, no path) allowed to call the API; none: CORS off; env: comma-separated',
            },
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
          env: 'VIGIL_WORKERS',
          description:
            'worker threads that decode and match (piscina); `0` = on the main thread; `auto` = inline on ≤ 2 cores (measured faster there, see Performance), else cores − 1',
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
          description:
            '`[{ "name", "role", "sha256" }]` (or `"token"` in plain text, with a start-up warning naming it); roles `admin`, `analyst`, `dispatcher`',
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
            publicKeyFile: {
              type: 'string',
              minLength: 1,
              env: 'VIGIL_AUTH_JWT_PUBLIC_KEY_FILE',
              description:
                'accept JWT bearers signed by the identity provider: its public key (PEM, or a certificate); exactly one of this and `jwksFile`; re-read within 30 s of a change',
            },
            jwksFile: {
              type: 'string',
              minLength: 1,
              env: 'VIGIL_AUTH_JWT_JWKS_FILE',
              description: "or its JSON Web Key Set file (the token's `kid` picks the key)",
            },
            algorithms: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { enum: ['RS256', 'ES256'] },
              default: ['RS256', 'ES256'],
              description: 'accepted signatures; anything else (`HS256`, `none`) is refused',
            },
            issuer: {
              type: 'string',
              minLength: 1,
              env: 'VIGIL_AUTH_JWT_ISSUER',
              description: 'required `iss` when set; `exp` is always required and enforced',
            },
            audience: { type: 'string', minLength: 1, env: 'VIGIL_AUTH_JWT_AUDIENCE', description: 'required `aud` when set' },
            roleClaim: {
              type: 'string',
              minLength: 1,
              description:
                'claim (a dotted path such as `realm_access.roles`) naming vigil roles: a string, a space- or comma-separated list or an array; other names are ignored; none left: 403. Unset: `role`, then `roles`',
            },
            nameClaim: {
              type: 'string',
              minLength: 1,
              default: 'sub',
              description: 'the claim that names the caller (rate limits, audit log)',
            },
            clockToleranceSeconds: {
              type: 'integer',
              minimum: 0,
              maximum: 300,
              default: 30,
              description: 'allowed clock skew for `exp`/`nbf`',
            },
          },
          oneOf: [{ required: ['publicKeyFile'] }, { required: ['jwksFile'] }],
        },
        auditFailures: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            perIpPerMinute: {
              type: 'integer',
              minimum: 0,
              default: 30,
              description: 'audit rows for refused requests (401, 403) per address per minute',
            },
            perMinute: {
              type: 'integer',
              minimum: 0,
              default: 600,
              description:
                'and in all per minute; the rest are counted in `vigil_audit_dropped_total` and summed up in one `auth.failed.dropped` row a minute',
            },
          },
        },
      },
    },
    retention: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        detectionsDays: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 30,
          env: 'VIGIL_RETENTION_DETECTIONS_DAYS',
          description: 'sightings (raw reads) kept this long after their event time (see Retention)',
        },
        hitsDays: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 365,
          env: 'VIGIL_RETENTION_HITS_DAYS',
          description: 'hits and their acknowledgements kept this long after they were emitted',
        },
        auditDays: {
          type: 'number',
          exclusiveMinimum: 0,
          default: 730,
          env: 'VIGIL_RETENTION_AUDIT_DAYS',
          description: 'audit rows kept this long: the accountability record outlives what it accounts for',
        },
        // At least daily, so nothing outlives its retention by more than a day.
        purgeIntervalMinutes: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 1440,
          default: 60,
          env: 'VIGIL_RETENTION_PURGE_INTERVAL_MINUTES',
          description: 'the purge runs this often (at most 1440), and 30 s after start',
        },
        expiredRulesGraceDays: {
          type: 'number',
          minimum: 0,
          default: 0,
          env: 'VIGIL_RETENTION_EXPIRED_RULES_GRACE_DAYS',
          description: 'expired watchlists and entries are deleted this long after their `expiresAt` (0: at the next purge)',
        },
      },
    },
    ui: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        tileUrl: {
          type: 'string',
          maxLength: 500,
          pattern: '^(?=.*\\{z\\})(?=.*\\{x\\})(?=.*\\{y\\})https?://\\S+$',
          env: 'VIGIL_UI_TILE_URL',
          description:
            "the web app's base map, a tile URL template (`https://tiles.example.org/{z}/{x}/{y}.png`, `{s}` for subdomains); none: the maps draw the city's own shapes only, and no request leaves the engine's origin",
        },
        tileAttribution: { type: 'string', maxLength: 300, description: "the tiles' attribution, shown on every map" },
      },
    },
    timezone: {
      type: 'string',
      minLength: 1,
      default: 'Asia/Tashkent',
      env: 'VIGIL_TZ',
      description: "the city's clock: day buckets, dates without a time",
    },
    matching: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxFuzzyHitRate: {
          type: 'number',
          minimum: 0,
          maximum: 1000,
          default: 0.05,
          description:
            'most false hits by edit per 1,000 reads a plate list may be estimated to give; above it, turning edits on or adding entries to a list with edits is refused unless `force` (see Watchlists). 0.05 is one false hit every 2–3 s at 8,500 reads/s',
        },
        plateFormats: {
          type: 'array',
          maxItems: 64,
          items: { type: 'string', pattern: '^[#@]{1,16}$' },
          default: ['##@###@@', '#####@@@'],
          description:
            "the city's plate formats (`#` a digit, `@` a letter; Uzbekistan's private and company plates): a read that fits one is taken as read right in its letters and digits (see Watchlists)",
        },
      },
    },
    ingest: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        batchMaxMessages: {
          type: 'integer',
          minimum: 1,
          maximum: 100000,
          default: 5000,
          description: 'a batch commits at this many messages…',
        },
        batchMaxBytes: { type: 'integer', minimum: 1024, default: 4 * 1024 * 1024, description: '…or this many payload bytes…' },
        batchMaxWaitMs: { type: 'integer', minimum: 1, maximum: 10000, default: 20, description: '…or this long after its first message' },
        maxAckPending: {
          type: 'integer',
          minimum: 1,
          default: 20000,
          description: 'JetStream stops delivering past this many unacknowledged messages (the memory bound)',
        },
        ackWaitSeconds: {
          type: 'integer',
          minimum: 1,
          default: 60,
          description: 'an unacknowledged message is redelivered after this (and skipped if it was applied)',
        },
      },
    },
  },
} as const;

type Validated = FromSchema<typeof CONFIG_SCHEMA, { keepDefaultedPropertiesOptional: false }>;
type TokenItem = Validated['auth']['tokens'][number];
/** A token is given in plain text or as its SHA-256: the schema's oneOf, which FromSchema leaves open. */
export type TokenSpec = Omit<TokenItem, 'token' | 'sha256'> & ({ token: string } | { sha256: string });
export type Role = TokenSpec['role'];
export type JwtConfig = NonNullable<Validated['auth']['jwt']>;
export type JwtAlgorithm = JwtConfig['algorithms'][number];

/** The configuration after validation: every defaulted key is present. */
export type Config = Omit<Validated, 'auth'> & { auth: Omit<Validated['auth'], 'tokens'> & { tokens: TokenSpec[] } };
