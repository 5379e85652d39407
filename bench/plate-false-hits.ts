// False hits and missed true reads of a plate watchlist on the simulated city's traffic.
//
// The list holds plates of the city's formats that none of the simulated cars carries, so
// every hit on the traffic is false (the traffic includes the simulator's OCR mistakes:
// look-alikes swapped and plate edges cut off). True reads are injected apart: listed plates
// read exactly, with one look-alike swapped, with an edge cut off, and with a character added
// at either end. Used by `vigil bench false-hits` and by the precision test.

import { normalisePlate } from '../engine/domain/plate.js';
import { PlateMatcher, type PlateListSpec, type PlateMatch } from '../engine/match/plate-matcher.js';
import { buildCity } from '../engine/sim/city.js';
import { buildPlates, edgeCut, lookAlikeSwap } from '../engine/sim/plates.js';
import { Random } from '../engine/util/random.js';
import { Traffic } from '../engine/sim/traffic.js';

export type TrueReadKind = 'exact' | 'lookAlike' | 'edgeCut' | 'edgeAdded';
export const TRUE_READ_KINDS: readonly TrueReadKind[] = ['exact', 'lookAlike', 'edgeCut', 'edgeAdded'];

export interface CityPlates {
  /** Normalised plate reads of the traffic, in order (misreads included). */
  reads: string[];
  /** Normalised plates the city's cars carry. */
  carried: Set<string>;
}

/** The plate reads of `count` simulated reads of a city with `cameras` cameras. */
export function cityPlateReads(seed: number, count: number, cameras = 2000): CityPlates {
  const city = buildCity({ seed, cameras });
  const traffic = new Traffic(city, seed);
  const reads: string[] = [];
  let now = Date.UTC(2026, 11, 1, 8);
  while (reads.length < count) {
    const r = traffic.nextRead((now += 5));
    if (r.kind !== 'plate' || r.plate === undefined) continue;
    const plate = normalisePlate(r.plate);
    if (plate !== null) reads.push(plate);
  }
  return { reads, carried: new Set(city.plates.map((p) => normalisePlate(p)!)) };
}

/** `n` plates of the city's formats (printed form) that no simulated car carries. */
export function unlistedPlates(seed: number, n: number, carried: ReadonlySet<string>): string[] {
  return buildPlates(new Random(seed), n + carried.size)
    .filter((p) => !carried.has(normalisePlate(p)!))
    .slice(0, n);
}

/** A true read of a listed (printed) plate, as a camera of the kind given would send it. */
export function trueRead(rng: Random, printed: string, kind: TrueReadKind): string | null {
  switch (kind) {
    case 'exact':
      return normalisePlate(printed);
    case 'lookAlike': {
      const swapped = lookAlikeSwap(rng, printed);
      return swapped === null ? null : normalisePlate(swapped);
    }
    case 'edgeCut':
      return normalisePlate(edgeCut(rng, printed));
    case 'edgeAdded': {
      // A bolt, a frame edge or a sticker read as one more character.
      const extra = rng.pick([...'1I7JL']);
      return normalisePlate(rng.chance(0.5) ? `${extra}${printed}` : `${printed}${extra}`);
    }
  }
}

export interface Evaluation {
  listSize: number;
  spec: PlateListSpec;
  /** Traffic reads (none of them of a listed plate) and how many of them hit. */
  reads: number;
  falseHits: number;
  falseHitsByType: Record<PlateMatch['type'], number>;
  /** Per 100,000 traffic reads. */
  falsePer100k: number;
  /** Injected true reads per kind: how many, how many hit the list, how many hit their own entry. */
  trueReads: Record<TrueReadKind, { reads: number; hit: number; ownEntry: number }>;
  buildMs: number;
  /** Matching the traffic: reads per second (one thread). */
  readsPerSec: number;
}

/** Matches the traffic and injected true reads against a list of `listed` plates. */
export function evaluate(
  listed: readonly string[],
  spec: PlateListSpec,
  traffic: readonly string[],
  seed: number,
  truePerKind = 2000,
): Evaluation {
  const keys = listed.map((p) => normalisePlate(p)!);
  const t0 = performance.now();
  const matcher = PlateMatcher.build(
    [spec],
    keys.map((key) => ({ list: 0, key, expiresAt: Infinity })),
  );
  const buildMs = performance.now() - t0;
  const out: PlateMatch[] = [];
  const falseHitsByType: Record<PlateMatch['type'], number> = { exact: 0, ocr: 0, edit: 0 };
  let falseHits = 0;
  const t1 = performance.now();
  for (const read of traffic) {
    if (matcher.match(read, 0, out) === 0) continue;
    falseHits++;
    falseHitsByType[out[0].type]++;
  }
  const matchMs = performance.now() - t1;
  const rng = new Random(seed);
  const trueReads = Object.fromEntries(TRUE_READ_KINDS.map((k) => [k, { reads: 0, hit: 0, ownEntry: 0 }])) as Evaluation['trueReads'];
  for (const kind of TRUE_READ_KINDS) {
    const tally = trueReads[kind];
    for (let i = 0; i < truePerKind; i++) {
      const entry = rng.int(listed.length);
      const read = trueRead(rng, listed[entry], kind);
      if (read === null) continue;
      tally.reads++;
      if (matcher.match(read, 0, out) === 0) continue;
      tally.hit++;
      if (out[0].entry === entry) tally.ownEntry++;
    }
  }
  return {
    listSize: listed.length,
    spec,
    reads: traffic.length,
    falseHits,
    falseHitsByType,
    falsePer100k: (falseHits / traffic.length) * 100_000,
    trueReads,
    buildMs: Math.round(buildMs),
    readsPerSec: Math.round(traffic.length / (matchMs / 1000)),
  };
}
