// `vigil bench [suite] [options]`: runs benchmark suites and writes their results as JSON and
// Markdown into bench/results/ (latest.md is what the README links).
//
//   ingest    vigil draining a backlog vs a do-nothing JetStream consumer (batched and single reads)
//   matching  a 1,000,000-plate list and 1,000 zones vs no rules; publish → hit latency at 50k reads/s
//   plates | faces | fences   the matching kernels alone, each against a naive baseline
//   false-hits  false hits and found true reads of plate lists on the simulated city's traffic
//   store     queries over a month of the simulated city, against a tenth of it in the same run
//   spatial   weights, Moran's I (99 permutations) and Gi* on 10,000 areas
//   knox      the Knox near-repeat test on 20,000 incidents with 99 permutations
//   api       autocannon against traffic, hits and sightings, idle and while ingest runs
//   web       the situation centre in chromium: first load, and the board at 100 hits/s vs idle
//   all       ingest + matching (default; about 3–4 minutes on 2 cores)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ingestBench } from './ingest-bench.js';
import { matchingBench } from './matching-bench.js';

const OUT = 'bench/results';

function matchingTable(r: Record<string, any>): string {
  return [
    '| plates | faces | zones | reads | no rules reads/s | with rules reads/s (best) | ratio | reads/s by worker threads (RSS) | CPU µs/read (no rules → rules) | RSS MB with rules, inline | list load s | one-entry change ms (longest event-loop stall ms) | engine start s | latency at target reads/s (achieved) | hits | p50 ms | p99 ms |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|---:|---:|---:|',
    `| ${r.plates} | ${r.faces} | ${r.zones} | ${r.reads} | ${r.noRulesReadsPerSec} | ${r.withRulesReadsPerSec} | ${r.ratio} | ${(r.byThreads as Array<{ threads: number; readsPerSec: number; rssMb: number }>).map((d) => `${d.threads}: ${d.readsPerSec} (${d.rssMb} MB)`).join(', ')} | ${r.noRulesCpuMicrosPerRead} → ${r.withRulesCpuMicrosPerRead} | ${r.rssMbWithRules} | ${r.entriesLoadSeconds} | ${r.liveChangeMs} (${r.liveChangeLoopMaxMs}) | ${r.engineStartWithRulesSeconds} | ${r.latency.targetReadsPerSec} (${r.latency.achievedReadsPerSec}) | ${r.latency.hits} | ${r.latency.p50Ms} | ${r.latency.p99Ms} |`,
  ].join('\n');
}

export async function benchCommand(argv: string[]): Promise<void> {
  const suite = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'all';
  const rest = suite === argv[0] ? argv.slice(1) : argv;
  const sections: string[] = [];
  const json: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, cpus: cpus().length };

  if (suite === 'plates') return (await import('./plate-matcher.bench.js')).plateMatcherBench(rest);
  if (suite === 'false-hits') return (await import('./false-hits.bench.js')).falseHitsBench(rest);
  if (suite === 'store') return (await import('./store-bench.js')).storeBench(rest);
  if (suite === 'faces') return (await import('./face-matcher.bench.js')).faceMatcherBench(rest);
  if (suite === 'fences') return (await import('./fence-index.bench.js')).fenceIndexBench(rest);
  if (suite === 'spatial') return (await import('./spatial-stats.bench.js')).spatialStatsBench(rest);
  if (suite === 'knox') return (await import('./knox.bench.js')).knoxBench(rest);
  if (!['all', 'ingest', 'matching', 'api', 'web'].includes(suite)) {
    throw new Error(
      `unknown bench suite '${suite}' (ingest, matching, plates, false-hits, store, faces, fences, spatial, knox, api, web, all)`,
    );
  }

  if (suite === 'all' || suite === 'ingest') {
    const { results, markdown } = await ingestBench(suite === 'all' ? [] : rest);
    json.ingest = results;
    sections.push(`### Ingest\n\n${markdown}`);
    console.log(markdown);
  }
  if (suite === 'all' || suite === 'matching') {
    console.error('bench matching: loading the rules, draining with and without them, then the latency run…');
    const r = await matchingBench(suite === 'all' ? [] : rest);
    json.matching = r;
    const md = matchingTable(r);
    sections.push(`### Matching\n\n${md}`);
    console.log(md);
  }
  if (suite === 'api') {
    const { apiLoadBench, apiLoadTable } = await import('./api-load-bench.js');
    const r = await apiLoadBench(rest);
    json.api = r;
    const md = apiLoadTable(r);
    sections.push(`### API under load\n\n${md}`);
    console.log(md);
  }
  if (suite === 'web') {
    const { webBench, webTable } = await import('./web-bench.js');
    const r = await webBench(rest);
    json.web = r;
    const md = webTable(r);
    sections.push(`### The situation centre in a browser\n\n${md}`);
    console.log(md);
  }
  mkdirSync(OUT, { recursive: true });
  const stamp = String(json.at).replace(/[:.]/g, '-');
  writeFileSync(join(OUT, `${suite}-${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(
    join(OUT, 'latest.md'),
    `Benchmark \`${suite}\`, ${json.at}, Node ${json.node}, ${json.cpus} cores\n\n${sections.join('\n\n')}\n`,
  );
}
