// compose.yaml, deploy/ and dashboards/provisioning/ agree with each other (no Docker engine
// runs here, so the wiring is checked as data): what Grafana mounts is what its providers read,
// Prometheus scrapes the engine's service and port, and the engine's config loads.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../engine/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const yaml = (path: string) => parse(readFileSync(`${root}${path}`, 'utf8'));
const compose = yaml('compose.yaml');
const services = compose.services as Record<
  string,
  { image?: string; build?: string; command?: string[]; volumes?: string[]; ports?: string[] }
>;

/** Host path → container path of a service's bind mounts. */
const mounts = (service: string) =>
  new Map((services[service].volumes ?? []).filter((v) => v.startsWith('./')).map((v) => v.split(':').slice(0, 2) as [string, string]));

describe('compose.yaml', () => {
  it('runs nats with JetStream, vigil from this Dockerfile, prometheus and grafana', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['nats', 'vigil', 'prometheus', 'grafana']));
    expect(services.nats.command).toContain('--jetstream');
    expect(services.vigil.build).toBe('.');
    for (const [service, m] of Object.entries(services)) {
      for (const host of mounts(service).keys()) expect(existsSync(`${root}${host}`), `${service} mounts ${host}`).toBe(true);
      for (const p of m.ports ?? []) expect(p, `${service} publishes on loopback only`).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('gives Grafana the provisioning files and the dashboards where its provider looks', () => {
    const grafana = mounts('grafana');
    expect(grafana.get('./dashboards/provisioning/datasources')).toBe('/etc/grafana/provisioning/datasources');
    expect(grafana.get('./dashboards/provisioning/dashboards')).toBe('/etc/grafana/provisioning/dashboards');
    const provider = yaml('dashboards/provisioning/dashboards/vigil.yaml').providers[0];
    expect(provider).toMatchObject({ type: 'file', options: { path: grafana.get('./dashboards/json') } });
    const datasource = yaml('dashboards/provisioning/datasources/prometheus.yaml').datasources[0];
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090', isDefault: true });
    expect(datasource.jsonData.timeInterval).toBe(yaml('deploy/prometheus.yml').global.scrape_interval);
  });

  it('runs the Grafana release whose published schema validates the dashboards', () => {
    const schema = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).devDependencies['@grafana/schema'];
    expect(services.grafana.image).toBe(`grafana/grafana:${schema}`);
  });

  it("points Prometheus at the engine's service and port, and the engine's config loads", () => {
    const config = loadConfig(`${root}deploy/vigil.yaml`, {});
    expect(mounts('vigil').get('./deploy/vigil.yaml')).toBe(services.vigil.command!.at(-1));
    expect(config.nats.url).toBe('nats://nats:4222');
    const targets = yaml('deploy/prometheus.yml').scrape_configs[0].static_configs[0].targets;
    expect(targets).toEqual([`vigil:${config.http.port}`]);
  });
});

const promtool = spawnSync('promtool', ['--version']).status === 0;

describe.skipIf(!promtool)('deploy/prometheus.yml (promtool)', () => {
  it('passes promtool check config', () => {
    const out = execFileSync('promtool', ['check', 'config', `${root}deploy/prometheus.yml`], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
  });
});

describe('Dockerfile', () => {
  it('copies every folder the build compiles, and the vigil command', () => {
    const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
    const built: string[] = JSON.parse(readFileSync(`${root}tsconfig.build.json`, 'utf8')).include;
    for (const dir of [...built, 'bin'])
      expect(dockerfile, `the image must COPY ${dir}`).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
  });
});
