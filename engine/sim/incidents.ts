// Incidents as the incident system reports them, clustered so the analytics have something to
// find: thefts and assaults around bazaars, metro stations and nightlife (hotspots), more where
// unemployment is high (a factor to regress on), burglaries that bring more burglaries within
// ~200 m and ~7 days (near repeats, for the Knox test), and panic alarms from apartment blocks.

import type { CityMap } from './city-map.js';
import { CITY_CENTRE } from './city-map.js';
import { offsetMetres, type LatLon } from './local-frame.js';
import type { Place, Places } from './places.js';
import { type Random, WeightedIndex, Zipf } from '../util/random.js';
import { INCIDENT_KINDS, INCIDENT_RHYTHMS, INCIDENT_SHARES, SITE_RHYTHM, type Rhythm, type IncidentKind } from './rhythm.js';

export const INCIDENT_TYPES = ['burglary', 'theft', 'assault', 'vandalism'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export interface IncidentRecord {
  id: string;
  ts: number;
  type: IncidentType;
  lat: number;
  lon: number;
  severity: number;
  source: string;
  attrs?: Record<string, unknown>;
}

/** What the incident source needs to know of each mahalla. */
export interface MahallaRisk {
  id: string;
  population: number;
  unemployment: number;
  schools: number;
}

/** A burglary is followed by another close by with this chance (and that one by another …). */
export const NEAR_REPEAT_CHANCE = 0.4;
export const NEAR_REPEAT_METRES = 190;
export const NEAR_REPEAT_DAYS = 7;
const NEAR_REPEAT_MEAN_DAYS = 1.5;
const DAY_MS = 86_400_000;
/** Of the crimes of each type, the share that happens at a hotspot. */
const AT_HOTSPOT: Readonly<Record<IncidentType, number>> = { theft: 0.55, assault: 0.35, vandalism: 0.25, burglary: 0.1 };
/** Risk per percentage point of unemployment above the city's mean (log scale). */
const UNEMPLOYMENT_EFFECT: Readonly<Record<IncidentType, number>> = { burglary: 0.08, theft: 0.03, assault: 0.12, vandalism: 0.06 };
const BASE_SEVERITY: Readonly<Record<IncidentType, number>> = { assault: 3, burglary: 2, theft: 1, vandalism: 1 };

interface Hotspot extends LatLon {
  name: string;
  /** Spread in metres. */
  sd: number;
  pull: Partial<Record<IncidentType, number>>;
  hours: Rhythm;
}

interface FollowUp {
  due: number;
  seq: number;
  lat: number;
  lon: number;
}

export class IncidentSource {
  private readonly hotspots: Hotspot[];
  private readonly byArea: Record<IncidentType, WeightedIndex>;
  private readonly blockRank: Zipf;
  private readonly repeats = new FollowUpQueue();
  private seq = 0;

  constructor(
    private readonly map: CityMap,
    private readonly mahallas: readonly MahallaRisk[],
    private readonly blocks: readonly Place[],
    places: Places,
    private readonly rng: Random,
    private readonly seed: number,
  ) {
    const night = INCIDENT_RHYTHMS.assault;
    const day = SITE_RHYTHM.public;
    const trouble = [...mahallas.keys()].sort((a, b) => mahallas[b].unemployment - mahallas[a].unemployment).slice(0, 2);
    this.hotspots = [
      ...places.bazaars.map((b): Hotspot => ({ ...b, sd: rng.uniform(200, 400), pull: { theft: 3, assault: 0.5 }, hours: day })),
      ...someOf(rng, places.metro, 6).map((m): Hotspot => ({ ...m, sd: 150, pull: { theft: 1.2 }, hours: day })),
      // Nightlife a little off the central square.
      ...[0, 1].map(
        (k): Hotspot => ({
          name: `nightlife ${k + 1}`,
          ...offsetMetres(CITY_CENTRE, rng.uniform(-1500, 1500), rng.uniform(-1500, 1500)),
          sd: 300,
          pull: { assault: 3, theft: 0.8, vandalism: 1.5 },
          hours: night,
        }),
      ),
      ...trouble.map(
        (m): Hotspot => ({
          name: `estate ${mahallas[m].id}`,
          ...map.centre(m),
          sd: 450,
          pull: { assault: 1.5, vandalism: 2, burglary: 2 },
          hours: night,
        }),
      ),
    ];
    const meanUnemployment = mahallas.reduce((s, m) => s + m.unemployment, 0) / Math.max(1, mahallas.length);
    const risk = (type: IncidentType) =>
      new WeightedIndex(
        mahallas.map(
          (m) =>
            m.population *
            Math.exp(UNEMPLOYMENT_EFFECT[type] * (m.unemployment - meanUnemployment)) *
            (type === 'vandalism' ? 1 + 0.3 * m.schools : 1),
        ),
      );
    this.byArea = { burglary: risk('burglary'), theft: risk('theft'), assault: risk('assault'), vandalism: risk('vandalism') };
    // A few households press their panic button again and again.
    this.blockRank = new Zipf(Math.max(1, blocks.length), 1.1);
  }

  /** The next incident reported at about `now` (epoch ms on the simulated clock). */
  next(now: number): IncidentRecord {
    const rng = this.rng;
    const kind = rng.weighted<IncidentKind>(INCIDENT_KINDS.map((k) => [k, INCIDENT_SHARES[k] * INCIDENT_RHYTHMS[k].at(now)]));
    if (kind === 'panic' && this.blocks.length > 0) return this.panic(now);
    const type: IncidentType = kind === 'panic' ? 'assault' : kind;

    let ts: number;
    let at: LatLon;
    const due = type === 'burglary' ? this.repeats.takeDue(now) : null;
    if (due) {
      // A near repeat: it happened when it was due; it is reported now.
      ts = due.due;
      at = { lat: due.lat, lon: due.lon };
    } else {
      // Burglaries are found when the owners come home; other crimes are called in within minutes.
      ts = now - (type === 'burglary' ? rng.int(0, 4 * 3_600_000) : rng.int(0, 600_000));
      at = this.placeOf(type, now);
    }
    if (type === 'burglary' && rng.chance(NEAR_REPEAT_CHANCE)) this.scheduleRepeat(ts, at);

    const severity = Math.min(5, BASE_SEVERITY[type] + rng.int(0, 3));
    const source = rng.weighted<string>([
      ['call', 65],
      ['patrol', 25],
      ['camera', 10],
    ]);
    return { id: this.id(ts), ts, type, lat: at.lat, lon: at.lon, severity, source };
  }

  /** Follow-ups scheduled but not yet reported. */
  get pendingRepeats(): number {
    return this.repeats.size;
  }

  private panic(now: number): IncidentRecord {
    const rng = this.rng;
    const block = this.blocks[this.blockRank.sample(rng)];
    // Someone pressed it because they are in danger now.
    return {
      id: this.id(now),
      ts: now,
      type: rng.chance(0.75) ? 'assault' : 'burglary',
      lat: block.lat,
      lon: block.lon,
      severity: rng.chance(0.6) ? 5 : 4,
      source: 'panic_button',
      attrs: { device: `pb-${block.id.slice(-4)}`, building: block.name, mahalla: this.mahallas[block.mahalla]?.id ?? null },
    };
  }

  private placeOf(type: IncidentType, now: number): LatLon {
    const rng = this.rng;
    if (rng.chance(AT_HOTSPOT[type])) {
      const weights = this.hotspots.map((h): [Hotspot, number] => [h, (h.pull[type] ?? 0) * h.hours.at(now)]);
      if (weights.some(([, w]) => w > 0)) {
        const hot = rng.weighted(weights);
        for (let attempt = 0; attempt < 20; attempt++) {
          const p = offsetMetres(hot, rng.normal(0, hot.sd), rng.normal(0, hot.sd));
          if (this.map.locate(p.lat, p.lon) >= 0) return p;
        }
      }
    }
    return this.map.randomPointIn(this.byArea[type].sample(rng), rng);
  }

  private scheduleRepeat(ts: number, at: LatLon): void {
    const rng = this.rng;
    // Sooner is likelier: the same offenders come back while the area's habits are fresh in
    // mind. An exponential wait (mean 1.5 days) cut off at 7 days: short enough that even a
    // week of data shows the excess of pairs in the first day or two.
    let wait: number;
    do wait = -Math.log(1 - rng.next()) * NEAR_REPEAT_MEAN_DAYS * DAY_MS;
    while (wait >= NEAR_REPEAT_DAYS * DAY_MS);
    const due = ts + Math.max(600_000, Math.floor(wait));
    // One in five is the same building again; the rest next door or down the street.
    const r = rng.chance(0.2) ? 0 : NEAR_REPEAT_METRES * Math.sqrt(rng.next());
    const theta = rng.uniform(0, 2 * Math.PI);
    const p = r === 0 ? at : offsetMetres(at, r * Math.cos(theta), r * Math.sin(theta));
    if (this.map.locate(p.lat, p.lon) < 0) return;
    this.repeats.push({ due, seq: this.seq++, lat: p.lat, lon: p.lon });
  }

  private id(ts: number): string {
    return `inc-s${this.seed}-${ts.toString(36)}-${(this.seq++).toString(36)}`;
  }
}

/** k of the items, each at most once, in their original order. */
function someOf<T>(rng: Random, items: readonly T[], k: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(k, items.length)) chosen.add(rng.int(items.length));
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]);
}

/** A binary min-heap on (due, seq): the earliest follow-up first, ties in scheduling order. */
class FollowUpQueue {
  private readonly items: FollowUp[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: FollowUp): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  /** The earliest follow-up if it is due by `now`. */
  takeDue(now: number): FollowUp | null {
    const a = this.items;
    if (a.length === 0 || a[0].due > now) return null;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l], a[m])) m = l;
        if (r < a.length && before(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: FollowUp, b: FollowUp): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
