// The situation centre's build: web/ → dist/web/, the page at / and its hashed assets under
// /app/assets/ (api/web-app.ts serves both). No inline script or style is emitted, so the page
// runs under a CSP of 'self' only.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Brotli and gzip copies of the scripts and stylesheets beside them: the engine compresses
 * nothing itself, and api/web-app.ts serves a copy the browser accepts (a fifth of the bytes).
 */
function precompressed(outDir: string): Plugin {
  return {
    name: 'vigil-precompressed',
    apply: 'build',
    writeBundle() {
      const assets = join(outDir, 'assets');
      for (const name of readdirSync(assets).filter((n) => /\.(js|css)$/.test(n))) {
        const file = join(assets, name);
        const bytes = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(bytes));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

const outDir = here('../dist/web');

export default defineConfig({
  plugins: [precompressed(outDir)],
  root: here('.'),
  base: '/app/',
  publicDir: false,
  // The CommonJS build of Leaflet would be bundled whole; its ES module lets named imports work.
  resolve: { alias: [{ find: /^leaflet$/, replacement: here('../node_modules/leaflet/dist/leaflet-src.esm.js') }] },
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // Browsers that run ES2022 know modulepreload: no polyfill in the bundle.
    modulePreload: { polyfill: false },
    // Leaflet's CSS images are a few hundred bytes each: inlined as data: URIs (img-src allows them).
    assetsInlineLimit: 4096,
    reportCompressedSize: true,
  },
});
