// `vigil bench false-hits`: false hits per 100,000 reads of the simulated city's traffic, and
// the injected true reads each setting still finds, for plate lists of growing size — the
// plausible-misread model (today's) beside the Levenshtein model it replaced, on the same reads
// in the same run, with and without edits. Also the matching speed of each, as a ratio.
//
//   npx vigil bench false-hits [--reads 200000] [--sizes 1000,10000,100000,1000000] [--seed 11]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PlateListSpec } from '../engine/match/plate-matcher.js';
import { cityPlateReads, evaluate, TRUE_READ_KINDS, unlistedPlates, type Evaluation } from './plate-false-hits.js';

const SETTINGS: Array<{ name: string; spec: PlateListSpec }> = [
  { name: 'levenshtein, 0 edits', spec: { ocrEquivalence: true, maxEdits: 0, edits: 'levenshtein' } },
  { name: 'plausible, 0 edits (default)', spec: { ocrEquivalence: true, maxEdits: 0 } },
  { name: 'levenshtein, 1 edit', spec: { ocrEquivalence: true, maxEdits: 1, edits: 'levenshtein' } },
  { name: 'plausible, 1 edit', spec: { ocrEquivalence: true, maxEdits: 1 } },
];

export async function falseHitsBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reads: { type: 'string', default: '200000' },
      sizes: { type: 'string', default: '1000,10000,100000,1000000' },
      seed: { type: 'string', default: '11' },
    },
  });
  const seed = Number(values.seed);
  const sizes = values.sizes.split(',').map(Number);
  console.error(`bench false-hits: ${values.reads} reads of the simulated city, lists of ${sizes.join(', ')} plates…`);
  const city = cityPlateReads(seed, Number(values.reads));
  const plates = unlistedPlates(seed + 1, Math.max(...sizes), city.carried);
  const results: Evaluation[] = [];
  const rows: string[] = [];
  for (const size of sizes) {
    const listed = plates.slice(0, size);
    let baselineSpeed = 0;
    for (const { name, spec } of SETTINGS) {
      const e = evaluate(listed, spec, city.reads, seed + 2);
      results.push(e);
      if (spec.edits === 'levenshtein' && spec.maxEdits === 0) baselineSpeed = e.readsPerSec;
      const found = TRUE_READ_KINDS.map((k) => `${((100 * e.trueReads[k].hit) / Math.max(1, e.trueReads[k].reads)).toFixed(1)} %`).join(
        ' / ',
      );
      rows.push(
        `| ${size.toLocaleString('en')} | ${name} | ${e.falseHits.toLocaleString('en')} | ${e.falsePer100k.toFixed(1)} | ${e.falseHitsByType.ocr} / ${e.falseHitsByType.edit} | ${found} | ${e.readsPerSec.toLocaleString('en')} (${(e.readsPerSec / baselineSpeed).toFixed(2)}) |`,
      );
      console.error(`  ${size} ${name}: ${e.falsePer100k.toFixed(1)} false hits per 100k`);
    }
  }
  const md = [
    `False hits on ${city.reads.length.toLocaleString('en')} reads of the simulated city (none of a listed plate; the simulator's misreads included), and the injected true reads found (exact / look-alike / edge cut / edge added).`,
    '',
    '| list | setting | false hits | per 100,000 reads | by look-alike / by edit | true reads found | reads/s (vs Levenshtein, 0 edits) |',
    '|---:|---|---:|---:|---|---|---:|',
    ...rows,
  ].join('\n');
  console.log(md);
  mkdirSync('bench/results', { recursive: true });
  const at = new Date().toISOString();
  writeFileSync(
    join('bench/results', `false-hits-${at.replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify({ at, node: process.version, reads: city.reads.length, results }, null, 2)}\n`,
  );
  writeFileSync(join('bench/results', 'false-hits.md'), `Benchmark \`false-hits\`, ${at}, Node ${process.version}\n\n${md}\n`);
}
