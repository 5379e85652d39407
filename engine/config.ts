// vigil's configuration: a JSON or YAML file, then environment overrides, validated once
// against one schema and frozen. A bad key stops the start with a message naming it.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { CONFIG_SCHEMA, type Config } from './config-schema.js';
import { VigilError } from './errors.js';

export type { Config, JwtAlgorithm, JwtConfig, Role, TokenSpec } from './config-schema.js';

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const check = ajv.compile(CONFIG_SCHEMA);

/** How an environment variable's text becomes the key's value. */
/** `list`: comma-separated; `trust`: 'true', 'false' or a comma-separated list of addresses. */
type EnvType = 'string' | 'int' | 'threads' | 'bool' | 'list' | 'trust';

interface SchemaNode {
  type?: string;
  anyOf?: ReadonlyArray<{ const?: unknown }>;
  env?: string;
  properties?: Record<string, SchemaNode>;
}

function envTypeOf(node: SchemaNode): EnvType {
  if (node.anyOf) return node.anyOf.some((b) => b.const === 'auto') ? 'threads' : 'trust';
  if (node.type === 'array') return 'list';
  if (node.type === 'boolean') return 'bool';
  if (node.type === 'integer' || node.type === 'number') return 'int';
  return 'string';
}

function envKeysOf(node: SchemaNode, path: string[] = []): Array<readonly [string, string, EnvType]> {
  const here = node.env ? [[node.env, path.join('.'), envTypeOf(node)] as const] : [];
  return [...here, ...Object.entries(node.properties ?? {}).flatMap(([k, child]) => envKeysOf(child, [...path, k]))];
}

/** The environment variables (`env` in the schema), with the dotted key each one sets. */
export const ENV_KEYS: ReadonlyArray<readonly [string, string, EnvType]> = envKeysOf(CONFIG_SCHEMA as unknown as SchemaNode);

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
  if (type === 'list' || type === 'trust')
    return raw
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
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
    const specific = errors.filter((e) => e.keyword !== 'if' && !(e.keyword === 'required' && oneOfPaths.has(e.instancePath)));
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
    fail(
      n.tls.certFile === undefined
        ? `'nats.tls.certFile' is required with 'nats.tls.keyFile'`
        : `'nats.tls.keyFile' is required with 'nats.tls.certFile'`,
    );
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
