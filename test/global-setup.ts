// Worker threads run compiled JavaScript from dist/ (a worker cannot load TypeScript), so a
// test run against sources newer than their build would test stale workers. Before any test
// runs, dist/ is rebuilt if a source is newer than its compiled file (npm test builds first,
// so there this finds nothing to do). The same for the web app (web/ → dist/web/, Vite): the
// engine serves that build, and the browser tests and route checks load it.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const SOURCES = ['app', 'engine', 'api', 'workers', 'bench', 'dashboards'];

function staleSource(dir: string): string | null {
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) {
      const found = staleSource(rel);
      if (found) return found;
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
      const built = join(ROOT, 'dist', rel.replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, rel)).mtimeMs) return rel;
    }
  }
  return null;
}

/** A file of web/ newer than the web app's build (or the build missing). */
function staleWebSource(
  dir = 'web',
  builtMs = existsSync(join(ROOT, 'dist/web/index.html')) ? statSync(join(ROOT, 'dist/web/index.html')).mtimeMs : 0,
): string | null {
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    const stat = statSync(join(ROOT, rel));
    if (stat.isDirectory()) {
      const found = staleWebSource(rel, builtMs);
      if (found) return found;
    } else if (stat.mtimeMs > builtMs) return rel;
  }
  return null;
}

export default function setup(): void {
  const stale = SOURCES.map(staleSource).find((s) => s !== null);
  if (stale) {
    console.log(`dist/ is older than ${stale}: building it for the worker threads…`);
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
      stdio: 'inherit',
    });
  }
  const staleWeb = staleWebSource();
  if (staleWeb) {
    console.log(`dist/web/ is older than ${staleWeb}: building the web app…`);
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'web/vite.config.ts')], {
      stdio: 'inherit',
      // vitest sets NODE_ENV=test, which Vite would keep: build what npm ci builds.
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
}
