// `npm run docs`: writes the reference tables made from the code (engine/reference-doc.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_SECTION, ERROR_SECTION, withSection, type Section } from '../engine/reference-doc.js';

const write = (path: string, section: Section) => {
  const file = new URL(`../../${path}`, import.meta.url);
  writeFileSync(file, withSection(readFileSync(file, 'utf8'), section));
  console.log(`${path}: ${section.start.replace(/^<!-- | -->$/g, '')}`);
};
write('README.md', CONFIG_SECTION);
write('docs/interface.md', ERROR_SECTION);
