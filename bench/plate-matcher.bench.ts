// Plate watchlist matcher: build time, memory and lookups per second for a 1,000,000-plate list
// (one list, ocrEquivalence on, maxEdits 1), beside a plain Map.get of the normalised plate over
// the same reads in the same run (the floor: what an exact-only lookup costs).
//
// Reads: exact copies of listed plates, look-alike copies (0↔O, 8↔B…), copies one edit away,
// random plates, and random plates that match nothing. Each set is matched in full three
// times, interleaved with the Map passes; the fastest pass of each is reported. (The Map gets
// the same string objects every pass, so from the second pass on their hashes are cached.)
//
//   node -e "import('./dist/bench/plate-matcher.bench.js').then(m=>m.plateMatcherBench([]))"
//   options: --entries 1000000 --queries 250000 --max-edits 1 --seed 1 --json

import { parseArgs } from 'node:util';
import { PlateMatcher, type PlateEntrySpec, type PlateMatch } from '../engine/match/plate-matcher.js';
import { Random } from '../engine/util/random.js';

const REGIONS = ['01', '10', '20', '25', '30', '40', '50', '60', '70', '75', '80', '85', '90', '95'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ALPHANUMERIC = LETTERS + DIGITS;
const LOOK_ALIKES = ['0ODQ', '1I', '8B', '5S', '2Z', '6G'];

interface SetResult {
  reads: string;
  queries: number;
  matchedReads: number;
  matches: number;
  matcherPerSec: number;
  mapPerSec: number;
  mapHits: number;
  ratio: number;
}

/** An Uzbek-format plate, already normalised: 01A123BC (private) or 01123ABC (company). */
function uzbekPlate(rnd: Random): string {
  const region = rnd.pick(REGIONS);
  const d = () => DIGITS[rnd.int(10)];
  const l = () => LETTERS[rnd.int(26)];
  return rnd.chance(0.5) ? `${region}${l()}${d()}${d()}${d()}${l()}${l()}` : `${region}${d()}${d()}${d()}${l()}${l()}${l()}`;
}

/** Swaps one look-alike character (or more) for another of its class. */
function lookAlike(rnd: Random, plate: string): string | null {
  const positions = [...plate].flatMap((ch, i) => (LOOK_ALIKES.some((c) => c.includes(ch)) ? [i] : []));
  if (positions.length === 0) return null;
  const chars = [...plate];
  const swaps = 1 + rnd.int(Math.min(2, positions.length));
  for (let s = 0; s < swaps; s++) {
    const i = rnd.pick(positions);
    const cls = LOOK_ALIKES.find((c) => c.includes(chars[i]))!;
    chars[i] = rnd.pick([...cls].filter((c) => c !== chars[i]));
  }
  return chars.join('');
}

/** One substitution (by a character that is not a look-alike), insertion or deletion. */
function oneEdit(rnd: Random, plate: string): string {
  const at = rnd.int(plate.length);
  const op = rnd.int(3);
  if (op === 0) {
    const cls = LOOK_ALIKES.find((c) => c.includes(plate[at])) ?? plate[at];
    let ch: string;
    do ch = ALPHANUMERIC[rnd.int(ALPHANUMERIC.length)];
    while (cls.includes(ch) || (LOOK_ALIKES.find((c) => c.includes(ch)) ?? ch) === cls);
    return plate.slice(0, at) + ch + plate.slice(at + 1);
  }
  if (op === 1) return plate.slice(0, at) + ALPHANUMERIC[rnd.int(ALPHANUMERIC.length)] + plate.slice(at);
  return plate.slice(0, at) + plate.slice(at + 1);
}

function mb(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

function memory(): { rssMb: number; heapUsedMb: number; arrayBuffersMb: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), arrayBuffersMb: mb(m.arrayBuffers) };
}

export async function plateMatcherBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      entries: { type: 'string', default: '1000000' },
      queries: { type: 'string', default: '250000' },
      'max-edits': { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('plate matcher bench: --entries 1000000 --queries 250000 --max-edits 1 --seed 1 --json');
    return;
  }
  const entryCount = Number(values.entries);
  const queryCount = Number(values.queries);
  const maxEdits = Number(values['max-edits']);
  const rnd = new Random(Number(values.seed));

  const before = memory();
  const keys = Array.from({ length: entryCount }, () => uzbekPlate(rnd));
  const entries: PlateEntrySpec[] = keys.map((key) => ({ list: 0, key, expiresAt: Infinity }));
  const withEntries = memory();

  let t = performance.now();
  const matcher = PlateMatcher.build([{ ocrEquivalence: true, maxEdits }], entries);
  const buildSeconds = (performance.now() - t) / 1000;
  const withMatcher = memory();

  t = performance.now();
  const map = new Map<string, number>();
  for (let i = 0; i < entryCount; i++) if (!map.has(keys[i])) map.set(keys[i], i);
  const mapBuildSeconds = (performance.now() - t) / 1000;
  const withMap = memory();

  const sets: Array<[string, string[]]> = [
    // Fresh copies, not the listed strings themselves: a read arrives as a new string, and a
    // listed string would cost a cache miss of its own, scattered as the list is in the heap.
    ['exact hits', Array.from({ length: queryCount }, () => [...keys[rnd.int(entryCount)]].join(''))],
    [
      'ocr hits',
      Array.from({ length: queryCount }, () => {
        for (;;) {
          const q = lookAlike(rnd, keys[rnd.int(entryCount)]);
          if (q !== null) return q;
        }
      }),
    ],
    ['one-edit hits', Array.from({ length: queryCount }, () => oneEdit(rnd, keys[rnd.int(entryCount)]))],
    ['random plates', Array.from({ length: queryCount }, () => uzbekPlate(rnd))],
  ];
  const out: PlateMatch[] = [];
  const now = Date.now();
  // Random plates that match nothing (a third of random plates are one edit from some plate
  // among a million, so "random" alone is not a miss set).
  // With maxEdits 2 nearly every plate is near some listed one: give up after 20 tries a read.
  const misses: string[] = [];
  for (let tries = 0; misses.length < queryCount && tries < 20 * queryCount; tries++) {
    const q = uzbekPlate(rnd);
    if (matcher.match(q, now, out) === 0) misses.push(q);
  }
  if (misses.length > 0) sets.push(['misses', misses]);

  const results: SetResult[] = [];
  for (const [name, queries] of sets) {
    let matcherSeconds = Infinity;
    let mapSeconds = Infinity;
    let matchedReads = 0;
    let matches = 0;
    let mapHits = 0;
    for (let pass = 0; pass < 3; pass++) {
      matchedReads = 0;
      matches = 0;
      t = performance.now();
      for (let i = 0; i < queries.length; i++) {
        const n = matcher.match(queries[i], now, out);
        matches += n;
        if (n > 0) matchedReads++;
      }
      matcherSeconds = Math.min(matcherSeconds, (performance.now() - t) / 1000);
      mapHits = 0;
      t = performance.now();
      for (let i = 0; i < queries.length; i++) if (map.get(queries[i]) !== undefined) mapHits++;
      mapSeconds = Math.min(mapSeconds, (performance.now() - t) / 1000);
    }
    const matcherPerSec = Math.round(queries.length / matcherSeconds);
    const mapPerSec = Math.round(queries.length / mapSeconds);
    results.push({
      reads: name,
      queries: queries.length,
      matchedReads,
      matches,
      matcherPerSec,
      mapPerSec,
      mapHits,
      ratio: Math.round((mapPerSec / matcherPerSec) * 10) / 10,
    });
  }

  const summary = {
    entries: entries.length, // (and keeps them alive up to here, so the heap figures hold)
    maxEdits,
    buildSeconds: Math.round(buildSeconds * 1000) / 1000,
    byteSizeMb: mb(matcher.byteSize),
    bytesPerEntry: Math.round(matcher.byteSize / Math.max(1, entryCount)),
    memoryMb: {
      entriesHeap: Math.round((withEntries.heapUsedMb - before.heapUsedMb) * 10) / 10,
      matcherHeap: Math.round((withMatcher.heapUsedMb - withEntries.heapUsedMb) * 10) / 10,
      matcherArrayBuffers: Math.round((withMatcher.arrayBuffersMb - withEntries.arrayBuffersMb) * 10) / 10,
      mapBaselineHeap: Math.round((withMap.heapUsedMb - withMatcher.heapUsedMb) * 10) / 10,
      heapUsedAfterBuild: withMatcher.heapUsedMb,
      rssAfterBuild: withMatcher.rssMb,
      rssEnd: memory().rssMb,
    },
    mapSize: map.size,
    mapBuildSeconds: Math.round(mapBuildSeconds * 1000) / 1000,
    results,
  };
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(
    `plate matcher: ${entryCount.toLocaleString('en')} plates, one list, ocrEquivalence on, maxEdits ${maxEdits}` +
      `${(globalThis as { gc?: unknown }).gc ? '' : ' (run node with --expose-gc for exact heap figures)'}`,
  );
  console.log(`  build ${summary.buildSeconds} s (a Map of the same plates: ${summary.mapBuildSeconds} s)`);
  console.log(
    `  index ${summary.byteSizeMb} MB (${summary.bytesPerEntry} B/entry; typed arrays ${summary.memoryMb.matcherArrayBuffers} MB, ` +
      `JS heap ${summary.memoryMb.matcherHeap} MB); the entry objects themselves ${summary.memoryMb.entriesHeap} MB heap; ` +
      `the Map baseline ${summary.memoryMb.mapBaselineHeap} MB heap`,
  );
  console.log(
    `  heap used after build ${summary.memoryMb.heapUsedAfterBuild} MB, RSS after build ${summary.memoryMb.rssAfterBuild} MB, at the end ${summary.memoryMb.rssEnd} MB`,
  );
  console.log('');
  console.log('  reads                    queries  matched   matcher/s      Map.get/s   Map÷matcher');
  for (const r of results) {
    console.log(
      `  ${r.reads.padEnd(23)} ${String(r.queries).padStart(8)} ${String(r.matchedReads).padStart(8)} ` +
        `${r.matcherPerSec.toLocaleString('en').padStart(11)} ${r.mapPerSec.toLocaleString('en').padStart(14)} ${String(r.ratio).padStart(8)}×`,
    );
  }
}
