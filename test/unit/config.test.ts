// engine/config.ts: defaults, refusal messages that name the key, environment overrides,
// JSON and YAML files, freezing, and the loopback check that guards an unauthenticated API.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoopback, loadConfig, validateConfig } from '../../engine/config.js';
import { VigilError } from '../../engine/errors.js';
import { thrown } from '../helpers/thrown.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-config-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(ext: string, text: string): string {
  const path = join(dir, `config-${fileNo++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const refusal = (fn: () => unknown) => thrown(fn, VigilError);

const TOKEN = 'a-token-of-sixteen-chars';
const SHA = 'ab'.repeat(32);

describe('validateConfig: defaults', () => {
  it('fills every key of the configuration table from an empty object', () => {
    const c = validateConfig({});
    expect(c.nats.url).toBe('nats://127.0.0.1:4222');
    expect(c.nats.prefix).toBe('vigil');
    expect(c.dataDir).toBe('./data');
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.workers.threads).toBe('auto');
    expect(c.auth.tokens).toEqual([]);
    expect(c.retention.detectionsDays).toBe(30);
    expect(c.timezone).toBe('Asia/Tashkent');
    expect(c.matching).toEqual({ maxFuzzyHitRate: 0.05, plateFormats: ['##@###@@', '#####@@@'] });
  });

  it("takes the city's plate formats and refuses a format that is not # and @, naming the key", () => {
    expect(validateConfig({ matching: { plateFormats: ['@@####'] } }).matching.plateFormats).toEqual(['@@####']);
    expect(refusal(() => validateConfig({ matching: { plateFormats: ['99A999AA'] } })).message).toBe(
      'invalid configuration: \'matching.plateFormats.0\' must match pattern "^[#@]{1,16}$"',
    );
    expect(refusal(() => validateConfig({ matching: { maxFuzzyHitRate: -1 } })).message).toContain(
      "'matching.maxFuzzyHitRate' must be >= 0",
    );
  });

  it("takes a tile URL template for the web app's maps and refuses one without {z}, {x} and {y}, naming the key", () => {
    expect(validateConfig({}).ui).toEqual({});
    const url = 'https://{s}.tiles.example.org/{z}/{x}/{y}.png';
    expect(validateConfig({ ui: { tileUrl: url } }).ui.tileUrl).toBe(url);
    expect(refusal(() => validateConfig({ ui: { tileUrl: 'https://tiles.example.org/{z}/{x}.png' } })).message).toContain("'ui.tileUrl'");
    expect(refusal(() => validateConfig({ ui: { tileUrl: 'file:///{z}/{x}/{y}.png' } })).message).toContain("'ui.tileUrl'");
  });

  it('fills the defaults of a partly given section without touching the given keys', () => {
    const c = validateConfig({ http: { port: 9090 }, nats: { prefix: 'city' } });
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 9090 });
    expect(c.nats.prefix).toBe('city');
    expect(c.nats.url).toBe('nats://127.0.0.1:4222');
  });

  it('keeps given values of every type', () => {
    const c = validateConfig({
      nats: { url: 'nats://a:4222,nats://b:4222', prefix: 'x_1-y' },
      dataDir: '/var/lib/vigil',
      http: { host: '0.0.0.0', port: 0 },
      workers: { threads: 0 },
      auth: {
        tokens: [
          { name: 'ops', role: 'admin', token: TOKEN },
          { name: 'desk', role: 'dispatcher', sha256: SHA },
        ],
      },
      retention: { detectionsDays: 7.5 },
      timezone: 'Europe/Berlin',
    });
    expect(c.nats.url).toBe('nats://a:4222,nats://b:4222');
    expect(c.workers.threads).toBe(0);
    expect(c.auth.tokens).toEqual([
      { name: 'ops', role: 'admin', token: TOKEN },
      { name: 'desk', role: 'dispatcher', sha256: SHA },
    ]);
    expect(c.retention.detectionsDays).toBe(7.5);
    expect(c.timezone).toBe('Europe/Berlin');
  });

  it('does not write the defaults into the caller’s object', () => {
    const raw = { http: { port: 1234 } };
    validateConfig(raw);
    expect(raw).toEqual({ http: { port: 1234 } });
  });
});

describe('validateConfig: refusals name the key', () => {
  it('refuses an unknown top-level key', () => {
    const e = refusal(() => validateConfig({ dataDirr: './x' }));
    expect(e.code).toBe('VIGIL_ERR_CONFIG_INVALID');
    expect(e.message).toBe("invalid configuration: unknown key 'dataDirr'");
  });

  it('refuses an unknown nested key with its full dotted name', () => {
    expect(refusal(() => validateConfig({ nats: { urll: 'nats://x' } })).message).toBe("invalid configuration: unknown key 'nats.urll'");
    expect(refusal(() => validateConfig({ retention: { days: 3 } })).message).toContain("unknown key 'retention.days'");
  });

  it('refuses an unknown key inside an auth.tokens entry', () => {
    const e = refusal(() => validateConfig({ auth: { tokens: [{ name: 'a', role: 'admin', token: TOKEN, scope: 'x' }] } }));
    expect(e.message).toContain("unknown key 'auth.tokens.0.scope'");
  });

  it('names every unknown key when there are several', () => {
    const e = refusal(() => validateConfig({ foo: 1, http: { prt: 1 } }));
    expect(e.message).toContain("unknown key 'foo'");
    expect(e.message).toContain("unknown key 'http.prt'");
  });

  it('refuses http.port given as a string', () => {
    expect(refusal(() => validateConfig({ http: { port: '80' } })).message).toBe("invalid configuration: 'http.port' must be integer");
  });

  it('refuses http.port out of range', () => {
    expect(refusal(() => validateConfig({ http: { port: 70000 } })).message).toContain("'http.port' must be <= 65535");
    expect(refusal(() => validateConfig({ http: { port: -1 } })).message).toContain("'http.port' must be >= 0");
  });

  it("refuses workers.threads that is neither 'auto' nor a whole number", () => {
    for (const threads of ['many', 1.5, -1, true]) {
      const e = refusal(() => validateConfig({ workers: { threads } }));
      expect(e.message, String(threads)).toMatch(/^invalid configuration: 'workers\.threads' /);
    }
  });

  it('refuses a section that is not an object, naming it', () => {
    expect(refusal(() => validateConfig({ nats: 'nats://x' })).message).toBe("invalid configuration: 'nats' must be object");
  });

  it('refuses wrong types of the other keys, naming each', () => {
    expect(refusal(() => validateConfig({ dataDir: 5 })).message).toContain("'dataDir' must be string");
    expect(refusal(() => validateConfig({ timezone: 5 })).message).toContain("'timezone' must be string");
    expect(refusal(() => validateConfig({ retention: { detectionsDays: '30' } })).message).toContain(
      "'retention.detectionsDays' must be number",
    );
    expect(refusal(() => validateConfig({ retention: { detectionsDays: 0 } })).message).toContain("'retention.detectionsDays' must be > 0");
    expect(refusal(() => validateConfig({ nats: { prefix: 'a.b' } })).message).toContain("'nats.prefix' must match pattern");
  });

  it('refuses a root that is not an object', () => {
    expect(refusal(() => validateConfig([])).message).toBe("invalid configuration: '(root)' must be object");
    expect(refusal(() => validateConfig('x')).message).toBe("invalid configuration: '(root)' must be object");
  });

  it('refuses an unknown time zone, naming timezone and the value', () => {
    expect(refusal(() => validateConfig({ timezone: 'Mars/Olympus_Mons' })).message).toBe(
      "invalid configuration: 'timezone' is not a known IANA time zone: 'Mars/Olympus_Mons'",
    );
  });
});

describe('validateConfig: auth.tokens', () => {
  it('accepts one of token or sha256', () => {
    expect(validateConfig({ auth: { tokens: [{ name: 'a', role: 'analyst', token: TOKEN }] } }).auth.tokens).toHaveLength(1);
    expect(validateConfig({ auth: { tokens: [{ name: 'a', role: 'analyst', sha256: SHA }] } }).auth.tokens).toHaveLength(1);
  });

  it('refuses an entry with both token and sha256', () => {
    const e = refusal(() => validateConfig({ auth: { tokens: [{ name: 'a', role: 'admin', token: TOKEN, sha256: SHA }] } }));
    expect(e.message).toBe("invalid configuration: 'auth.tokens.0' needs exactly one of 'token' or 'sha256'");
  });

  it('refuses an entry with neither token nor sha256', () => {
    const e = refusal(() =>
      validateConfig({
        auth: {
          tokens: [
            { name: 'a', role: 'admin', token: TOKEN },
            { name: 'b', role: 'admin' },
          ],
        },
      }),
    );
    expect(e.message).toContain("'auth.tokens.1' needs exactly one of 'token' or 'sha256'");
    expect(e.message).not.toContain('auth.tokens.0');
  });

  it('refuses a role outside admin, analyst, dispatcher', () => {
    const e = refusal(() => validateConfig({ auth: { tokens: [{ name: 'a', role: 'root', token: TOKEN }] } }));
    expect(e.message).toMatch(/^invalid configuration: 'auth\.tokens\.0\.role' must be equal to one of the allowed values/);
  });

  it('refuses an entry without a name', () => {
    const e = refusal(() => validateConfig({ auth: { tokens: [{ role: 'admin', token: TOKEN }] } }));
    expect(e.message).toBe("invalid configuration: 'auth.tokens.0.name' is required");
  });

  it('refuses a short token and a malformed sha256, naming each', () => {
    expect(refusal(() => validateConfig({ auth: { tokens: [{ name: 'a', role: 'admin', token: 'short' }] } })).message).toContain(
      "'auth.tokens.0.token' must NOT have fewer than 16 characters",
    );
    expect(refusal(() => validateConfig({ auth: { tokens: [{ name: 'a', role: 'admin', sha256: 'xyz' }] } })).message).toContain(
      "'auth.tokens.0.sha256' must match pattern",
    );
  });

  it('refuses two entries with the same name', () => {
    const e = refusal(() =>
      validateConfig({
        auth: {
          tokens: [
            { name: 'a', role: 'admin', token: TOKEN },
            { name: 'a', role: 'analyst', sha256: SHA },
          ],
        },
      }),
    );
    expect(e.message).toBe("invalid configuration: 'auth.tokens' has the name 'a' twice");
  });
});

describe('validateConfig: the result is frozen', () => {
  it('freezes the config and every nested object', () => {
    const c = validateConfig({ auth: { tokens: [{ name: 'a', role: 'admin', token: TOKEN }] } });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.nats)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
    expect(Object.isFrozen(c.auth.tokens)).toBe(true);
    expect(Object.isFrozen(c.auth.tokens[0])).toBe(true);
    expect(() => {
      (c.http as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c as { timezone: string }).timezone = 'UTC';
    }).toThrow(TypeError);
    expect(c.http.port).toBe(8080);
  });
});

describe('loadConfig: files', () => {
  it('reads a JSON file and fills the rest with defaults', () => {
    const c = loadConfig(file('json', JSON.stringify({ http: { port: 9000 }, timezone: 'UTC' })), {});
    expect(c.http).toMatchObject({ host: '127.0.0.1', port: 9000 });
    expect(c.timezone).toBe('UTC');
    expect(c.nats.url).toBe('nats://127.0.0.1:4222');
  });

  it('reads a YAML file', () => {
    const yaml = [
      'nats:',
      '  url: nats://10.0.0.5:4222',
      'workers:',
      '  threads: 4',
      'auth:',
      '  tokens:',
      `    - { name: ops, role: admin, token: ${TOKEN} }`,
      '',
    ].join('\n');
    for (const ext of ['yaml', 'yml']) {
      const c = loadConfig(file(ext, yaml), {});
      expect(c.nats.url).toBe('nats://10.0.0.5:4222');
      expect(c.workers.threads).toBe(4);
      expect(c.auth.tokens).toEqual([{ name: 'ops', role: 'admin', token: TOKEN }]);
      expect(c.dataDir).toBe('./data');
    }
  });

  it('refuses wrong types and unknown keys in a YAML file, naming the key', () => {
    expect(refusal(() => loadConfig(file('yaml', 'http:\n  port: "80"\n'), {})).message).toContain("'http.port' must be integer");
    expect(refusal(() => loadConfig(file('yaml', 'nats:\n  urll: x\n'), {})).message).toContain("unknown key 'nats.urll'");
  });

  it('refuses a file that is not valid JSON', () => {
    const path = file('json', '{ "http": { "port": 80 ');
    const e = refusal(() => loadConfig(path, {}));
    expect(e.code).toBe('VIGIL_ERR_CONFIG_INVALID');
    expect(e.message).toMatch(new RegExp(`^invalid configuration: ${path.replace(/[.\\/]/g, '\\$&')} is not valid JSON: `));
  });

  it('refuses a file that is not valid YAML', () => {
    const path = file('yaml', 'http:\n  port: [80\n');
    expect(refusal(() => loadConfig(path, {})).message).toContain(`${path} is not valid YAML: `);
  });

  it('refuses a file that does not hold an object', () => {
    for (const [ext, text] of [
      ['json', '[1, 2]'],
      ['json', '42'],
      ['json', 'null'],
      ['yaml', '- a\n- b\n'],
      ['yaml', 'just text\n'],
    ]) {
      const path = file(ext, text);
      expect(refusal(() => loadConfig(path, {})).message, text).toBe(`invalid configuration: ${path} must hold an object`);
    }
  });

  it('refuses a file that cannot be read, naming it', () => {
    const path = join(dir, 'missing.json');
    const e = refusal(() => loadConfig(path, {}));
    expect(e.code).toBe('VIGIL_ERR_CONFIG_UNREADABLE');
    expect(e.message).toContain(`cannot read config file ${path}: `);
  });

  it('uses only defaults with no file and no environment', () => {
    expect(loadConfig(undefined, {})).toEqual(validateConfig({}));
  });
});

describe('loadConfig: environment overrides', () => {
  const ENV = {
    VIGIL_NATS_URL: 'nats://env:4222',
    VIGIL_NATS_PREFIX: 'envpfx',
    VIGIL_DATA_DIR: '/env/data',
    VIGIL_HTTP_HOST: '0.0.0.0',
    VIGIL_HTTP_PORT: '8181',
    VIGIL_WORKERS: '3',
    VIGIL_TZ: 'Europe/Berlin',
  };

  it('sets every variable of the configuration table', () => {
    const c = loadConfig(undefined, ENV);
    expect(c.nats.url).toBe('nats://env:4222');
    expect(c.nats.prefix).toBe('envpfx');
    expect(c.dataDir).toBe('/env/data');
    expect(c.http).toMatchObject({ host: '0.0.0.0', port: 8181 });
    expect(c.workers.threads).toBe(3);
    expect(c.timezone).toBe('Europe/Berlin');
  });

  it('beats the JSON file', () => {
    const path = file(
      'json',
      JSON.stringify({
        nats: { url: 'nats://file:4222', prefix: 'filepfx' },
        dataDir: '/file/data',
        http: { host: '127.0.0.1', port: 7000 },
        workers: { threads: 8 },
        timezone: 'UTC',
        retention: { detectionsDays: 9 },
      }),
    );
    const c = loadConfig(path, ENV);
    expect(c.nats).toMatchObject({ url: 'nats://env:4222', prefix: 'envpfx', streamMaxAgeHours: 24 });
    expect(c.dataDir).toBe('/env/data');
    expect(c.http).toMatchObject({ host: '0.0.0.0', port: 8181 });
    expect(c.workers.threads).toBe(3);
    expect(c.timezone).toBe('Europe/Berlin');
    // Keys without an environment variable keep the file's value.
    expect(c.retention.detectionsDays).toBe(9);
  });

  it('beats the YAML file', () => {
    const path = file('yaml', 'http:\n  port: 7000\n  host: 127.0.0.2\ntimezone: UTC\n');
    const c = loadConfig(path, { VIGIL_HTTP_PORT: '7001', VIGIL_TZ: 'Asia/Tokyo' });
    expect(c.http).toMatchObject({ host: '127.0.0.2', port: 7001 });
    expect(c.timezone).toBe('Asia/Tokyo');
  });

  it('does not change the file’s value when the variable is empty', () => {
    const c = loadConfig(file('json', '{"http":{"port":7000}}'), { VIGIL_HTTP_PORT: '' });
    expect(c.http.port).toBe(7000);
  });

  it("refuses VIGIL_HTTP_PORT='abc' naming VIGIL_HTTP_PORT", () => {
    const e = refusal(() => loadConfig(undefined, { VIGIL_HTTP_PORT: 'abc' }));
    expect(e.message).toBe("invalid configuration: VIGIL_HTTP_PORT must be a whole number, got 'abc'");
  });

  it('refuses a negative or fractional VIGIL_HTTP_PORT naming it', () => {
    expect(refusal(() => loadConfig(undefined, { VIGIL_HTTP_PORT: '-1' })).message).toContain('VIGIL_HTTP_PORT');
    expect(refusal(() => loadConfig(undefined, { VIGIL_HTTP_PORT: '80.5' })).message).toContain('VIGIL_HTTP_PORT');
  });

  it("takes VIGIL_WORKERS 'auto' or a whole number", () => {
    expect(loadConfig(file('json', '{"workers":{"threads":2}}'), { VIGIL_WORKERS: 'auto' }).workers.threads).toBe('auto');
    expect(loadConfig(undefined, { VIGIL_WORKERS: '0' }).workers.threads).toBe(0);
    expect(loadConfig(undefined, { VIGIL_WORKERS: '16' }).workers.threads).toBe(16);
  });

  it('refuses any other VIGIL_WORKERS naming it', () => {
    expect(refusal(() => loadConfig(undefined, { VIGIL_WORKERS: 'many' })).message).toBe(
      "invalid configuration: VIGIL_WORKERS must be 'auto' or a whole number, got 'many'",
    );
  });

  it('validates environment values like file values', () => {
    expect(refusal(() => loadConfig(undefined, { VIGIL_TZ: 'Nowhere/City' })).message).toContain(
      "'timezone' is not a known IANA time zone: 'Nowhere/City'",
    );
    expect(refusal(() => loadConfig(undefined, { VIGIL_HTTP_PORT: '65536' })).message).toContain('http.port');
    expect(refusal(() => loadConfig(undefined, { VIGIL_NATS_PREFIX: 'a.b' })).message).toContain('nats.prefix');
  });

  it('refuses to set a key inside a section the file gave as a non-object, naming the section', () => {
    const path = file('json', '{"http":"localhost"}');
    expect(refusal(() => loadConfig(path, { VIGIL_HTTP_HOST: '127.0.0.1' })).message).toBe(
      "invalid configuration: 'http' must be an object",
    );
  });

  it('ignores variables that are not vigil’s', () => {
    expect(loadConfig(undefined, { VIGIL_RETENTION: '3', HOME: '/root' })).toEqual(validateConfig({}));
  });

  it('freezes the loaded config', () => {
    const c = loadConfig(file('yaml', 'dataDir: /x\n'), { VIGIL_HTTP_PORT: '1' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
  });
});

describe('isLoopback', () => {
  it('accepts loopback addresses and localhost', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '127.255.255.254', 'localhost', '::1']) expect(isLoopback(host), host).toBe(true);
  });

  it('refuses every other host', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', '128.0.0.1', '1.127.0.0', '127.example.com', 'example.com', ''])
      expect(isLoopback(host), host).toBe(false);
  });
});
