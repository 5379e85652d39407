// Worker threads run compiled JavaScript from dist/ (a worker cannot load TypeScript), so a
// test run against sources newer than their build would test stale workers. Before any test
// runs, dist/ is rebuilt if a source is newer than its compiled file (npm test builds first,
// so there this finds nothing to do).

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

export default function setup(): void {
  const stale = SOURCES.map(staleSource).find((s) => s !== null);
  if (!stale) return;
  console.log(`dist/ is older than ${stale}: building it for the worker threads…`);
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
}
