// NATS security: the engine authenticates to a real nats-server that demands a token, a user and
// password, or an NKey, and talks TLS to one with a private CA that also demands a client
// certificate. Wrong or missing credentials stop the start with the server's reason.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nkeys } from '@nats-io/transport-node';
import { TestNatsServer } from '../helpers/nats-server.js';
import { startEngine, testConfig } from '../helpers/engine.js';
import { NatsLink, natsConnectOptions, type NatsSettings } from '../../engine/nats/connection.js';
import { createLogger } from '../../engine/logger.js';
import type { Engine } from '../../app/engine.js';

const log = createLogger('silent');
const dir = mkdtempSync(join(tmpdir(), 'vigil-nats-auth-'));

/** Opens a link with `settings`, closes it; resolves to the error message, or 'connected'. */
async function tryLink(settings: NatsSettings): Promise<string> {
  try {
    const link = await NatsLink.open(settings, log);
    await link.close();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

/** Starts an engine against `url` with `nats` settings, checks it is ready (streams, consumers), stops it. */
async function engineWorks(url: string, nats: Record<string, unknown>): Promise<void> {
  let engine: Engine | null = null;
  try {
    engine = await startEngine(testConfig(url, { nats: { url, prefix: 'vigil', ...nats } }));
    expect(engine.readiness()).toMatchObject({ ready: true, checks: { nats: true } });
  } finally {
    await engine?.stop();
  }
}

describe('token', () => {
  let server: TestNatsServer;
  beforeAll(async () => {
    server = await TestNatsServer.start({ extraConfig: 'authorization { token: "s3cret-nats-token" }' });
  });
  afterAll(() => server?.stop());

  it('the engine starts with nats.token', async () => {
    await engineWorks(server.url, { token: 's3cret-nats-token' });
  });

  it('no token or a wrong one is refused by the server', async () => {
    expect(await tryLink({ url: server.url })).toMatch(/authorization violation/i);
    expect(await tryLink({ url: server.url, token: 'guess' })).toMatch(/authorization violation/i);
  });

  it('and the engine does not start: the message says why', async () => {
    await expect(startEngine(testConfig(server.url))).rejects.toThrow(/cannot connect to NATS at .*authorization violation/i);
  });
});

describe('user and password', () => {
  let server: TestNatsServer;
  beforeAll(async () => {
    server = await TestNatsServer.start({ extraConfig: 'authorization { users: [ { user: "vigil", password: "pa55-word" } ] }' });
  });
  afterAll(() => server?.stop());

  it('the engine starts with nats.user and nats.pass', async () => {
    await engineWorks(server.url, { user: 'vigil', pass: 'pa55-word' });
  });

  it('a wrong password is refused', async () => {
    expect(await tryLink({ url: server.url, user: 'vigil', pass: 'wrong' })).toMatch(/authorization violation/i);
  });
});

describe('NKey', () => {
  const user = nkeys.createUser();
  const seedFile = join(dir, 'vigil.nk');
  let server: TestNatsServer;
  beforeAll(async () => {
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
    server = await TestNatsServer.start({ extraConfig: `authorization { users: [ { nkey: "${user.getPublicKey()}" } ] }` });
  });
  afterAll(() => server?.stop());

  it('the engine starts with nats.nkeySeedFile', async () => {
    await engineWorks(server.url, { nkeySeedFile: seedFile });
  });

  it('another seed is refused; a missing seed file names the key', async () => {
    const other = join(dir, 'other.nk');
    writeFileSync(other, new TextDecoder().decode(nkeys.createUser().getSeed()));
    expect(await tryLink({ url: server.url, nkeySeedFile: other })).toMatch(/authorization violation/i);
    expect(() => natsConnectOptions({ url: server.url, nkeySeedFile: join(dir, 'missing.nk') })).toThrow(
      /'nats\.nkeySeedFile' cannot be read/,
    );
    expect(() => natsConnectOptions({ url: server.url, credsFile: join(dir, 'missing.creds') })).toThrow(
      /'nats\.credsFile' cannot be read/,
    );
  });
});

// A private CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!openssl) console.warn('nats-auth.test.ts: openssl is not on PATH, so the TLS tests are skipped (Debian: apt-get install openssl)');

function makeCertificates(): { ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const f = (name: string) => join(dir, name);
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=vigil test CA');
  for (const [who, ext] of [
    // nats.js checks a server reached by IP address against the name 'localhost' (it sends no
    // server name for an IP), so the test server's certificate carries both.
    ['server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ]) {
    writeFileSync(f(`${who}.ext`), `${ext}\n`);
    run('req', ...ec, '-keyout', f(`${who}.key`), '-out', f(`${who}.csr`), '-subj', `/CN=vigil ${who}`);
    run(
      'x509',
      '-req',
      '-in',
      f(`${who}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${who}.pem`),
      '-days',
      '2',
      '-extfile',
      f(`${who}.ext`),
    );
  }
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

describe.skipIf(!openssl)('TLS with a private CA and client certificates', () => {
  let certs: ReturnType<typeof makeCertificates>;
  let server: TestNatsServer;
  beforeAll(async () => {
    certs = makeCertificates();
    server = await TestNatsServer.start({
      extraConfig: `tls { cert_file: "${certs.serverCert}", key_file: "${certs.serverKey}", ca_file: "${certs.ca}", verify: true, timeout: 2 }`,
    });
  });
  afterAll(() => server?.stop());

  it('the engine starts with nats.tls.caFile, certFile and keyFile', async () => {
    await engineWorks(server.url, { tls: { required: true, caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey } });
  });

  it('without the CA the server is not trusted', async () => {
    expect(await tryLink({ url: server.url, tls: { required: true, certFile: certs.clientCert, keyFile: certs.clientKey } })).toMatch(
      /certificate/i,
    );
  });

  it('without a client certificate the server refuses', async () => {
    // The server ends the handshake; nats.js reports it as a timeout or a closed connection.
    expect(await tryLink({ url: server.url, tls: { required: true, caFile: certs.ca } })).not.toBe('connected');
  });

  it('nats.tls.required refuses a server without TLS', async () => {
    const plain = await TestNatsServer.start();
    try {
      expect(await tryLink({ url: plain.url, tls: { required: true } })).toMatch(/tls/i);
      expect(await tryLink({ url: plain.url, tls: { required: false } })).toBe('connected');
    } finally {
      await plain.stop();
    }
  });

  it('a TLS file that cannot be read names the key', () => {
    expect(() => natsConnectOptions({ url: server.url, tls: { required: true, caFile: join(dir, 'nope.pem') } })).toThrow(
      /'nats\.tls\.caFile' cannot be read/,
    );
  });
});
