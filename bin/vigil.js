#!/usr/bin/env node
// The `vigil` command: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs';
const cli = new URL('../dist/engine/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('vigil: dist/ is missing; run `npm run build` (npm ci does it through `prepare`).');
  process.exit(1);
}
await import(cli.href);
