#!/usr/bin/env -S node --max-semi-space-size=64
// The `vigil` command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
//
// --max-semi-space-size=64: ingest allocates short-lived objects at a high rate (decoded reads),
// and V8's default 16 MB young generation promotes many of them to the old one before they
// die. 64 MB raised batched ingest by ~35 % and cut its CPU per read by ~30 % (the README's
// Performance figures), for ~150–250 MB more RSS. Whoever runs this file with `node` passes the flag too
// (package.json scripts, Dockerfile, test/helpers/engine-process.ts).
import { existsSync } from 'node:fs';
const cli = new URL('../dist/app/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('vigil: dist/ is missing; run `npm run build` (npm ci does it through `prepare`).');
  process.exit(1);
}
await import(cli.href);
