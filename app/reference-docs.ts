// `npm run docs:config`: writes the README's configuration table from the schema.

import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from '../engine/config-doc.js';

const file = new URL('../../README.md', import.meta.url);
writeFileSync(file, withConfigTable(readFileSync(file, 'utf8')));
console.log('README.md: configuration table written from engine/config-schema.ts');
