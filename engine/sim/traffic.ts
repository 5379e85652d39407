// What the simulated city produces: camera reads and incidents as their producers would publish
// them, at the hours they would. Pure and deterministic for a seed and the (simulated) clock
// times asked for; the simulator does the I/O.

import type { SimCity } from './city.js';
import { siteOf, type CameraSite } from './cameras.js';
import { faceRead, float32le } from './faces.js';
import { IncidentSource, type IncidentRecord } from './incidents.js';
import { offsetMetres, round6 } from './local-frame.js';
import { positionAt } from './mobiles.js';
import { misread, vendorFormat } from './plates.js';
import { Random, WeightedIndex, Zipf } from '../util/random.js';
import { SITE_RHYTHM, type Rhythm } from './rhythm.js';

export { INCIDENT_TYPES, type IncidentRecord, type IncidentType } from './incidents.js';

/** One read, with the field names of docs/interface.md; absent fields are left out, not null. */
export interface DetectionRecord {
  ts: number;
  kind: string;
  camera: string;
  id: string;
  plate?: string;
  conf?: number;
  lat?: number;
  lon?: number;
  /** float32 little-endian, as MessagePack bin. */
  embedding?: Uint8Array;
  attrs?: Record<string, unknown>;
}

const MOBILE_SHARE = 0.03;
const PLATE_NOISE = 0.06;
/** A plate camera sees cars from its own district this often; the rest come from anywhere. */
const LOCAL_SHARE = 0.35;
/** A checkpoint sees cars from other regions this often. */
const VISITOR_SHARE = 0.5;
const COLORS = ['white', 'black', 'silver', 'grey', 'red', 'blue'];
const MAKES = ['Chevrolet', 'Chevrolet', 'Chevrolet', 'Kia', 'Hyundai', 'BYD', 'Toyota', 'Lada'];
const DIRECTIONS = ['N', 'E', 'S', 'W'];

type SiteGroup = 'arterial' | 'street' | 'entry' | 'school' | 'public';
const GROUP_OF: Readonly<Record<CameraSite, SiteGroup>> = {
  ring: 'arterial',
  avenue: 'arterial',
  street: 'street',
  lane: 'street',
  entry: 'entry',
  school: 'school',
  public: 'public',
};
/** How busy a camera is by where it stands, before its own luck (a corner, a junction). */
const BUSY: Readonly<Record<CameraSite, number>> = { ring: 2.5, avenue: 2.5, street: 1, lane: 0.6, entry: 3, school: 0.8, public: 1.5 };
const GROUP_RHYTHM: Readonly<Partial<Record<SiteGroup, Rhythm>>> = { school: SITE_RHYTHM.school, public: SITE_RHYTHM.public };

interface Group {
  name: SiteGroup;
  cameras: number[];
  pick: WeightedIndex;
  weight: number;
}

/** Plates drawn Zipf-like from a list of indices: a few seen very often, a long tail rarely. */
class PlatePool {
  private readonly rank: Zipf;

  constructor(private readonly indices: readonly number[]) {
    this.rank = new Zipf(Math.max(1, indices.length), 0.8);
  }

  get size(): number {
    return this.indices.length;
  }

  sample(rng: Random): number {
    return this.indices[this.rank.sample(rng)];
  }
}

export class Traffic {
  private readonly reads: Random;
  private readonly incidents: IncidentSource;
  private readonly groups: Group[];
  private readonly districtOfCamera: Int32Array;
  private readonly allPlates: PlatePool;
  private readonly localPlates: PlatePool[];
  private readonly visitorPlates: PlatePool;
  private readonly faceRank: Zipf;
  private readSeq = 0;

  constructor(
    private readonly city: SimCity,
    private readonly seed: number,
  ) {
    const rng = new Random(seed);
    // Reads and incidents draw from their own streams, so how they interleave in time does
    // not change either sequence.
    this.reads = rng.fork(1);
    const incidentRng = rng.fork(2);
    const luck = rng.fork(3);

    const { map, cameras } = city;
    const districtIndex = new Map(city.districts.map((d, k) => [d.name, k]));
    const districtOfMahalla = city.areas.features.map((f) => districtIndex.get(f.properties.district) ?? 0);
    this.districtOfCamera = Int32Array.from(cameras, (c) => {
      const m = map.locate(c.lat, c.lon);
      return m >= 0 ? districtOfMahalla[m] : 0;
    });
    const members = new Map<SiteGroup, { cameras: number[]; weights: number[] }>();
    cameras.forEach((c, k) => {
      const site = siteOf(c);
      const g = GROUP_OF[site] ?? 'street';
      if (!members.has(g)) members.set(g, { cameras: [], weights: [] });
      members.get(g)!.cameras.push(k);
      members.get(g)!.weights.push((BUSY[site] ?? 1) * Math.exp(luck.normal(0, 0.7)));
    });
    this.groups = [...members].map(([name, m]) => ({
      name,
      cameras: m.cameras,
      pick: new WeightedIndex(m.weights),
      weight: m.weights.reduce((s, w) => s + w, 0),
    }));

    // A few cars (taxis, buses, commuters) pass the cameras all day; most are seen rarely.
    const indices = city.plates.map((_, k) => k);
    this.allPlates = new PlatePool(indices);
    // Every car has a home district (by its place in the list: fixed for the seed).
    this.localPlates = city.districts.map((_, d) => new PlatePool(indices.filter((k) => k % city.districts.length === d)));
    const visitors = indices.filter((k) => !city.plates[k].startsWith('01 '));
    this.visitorPlates = new PlatePool(visitors.length > 0 ? visitors : indices);
    this.faceRank = new Zipf(city.faces.length, 0.9);

    const mahallas = city.areas.features.map((f) => f.properties);
    this.incidents = new IncidentSource(map, mahallas, city.places.blocks, city.places, incidentRng, seed);
  }

  /** The next read, seen at about `now` (epoch ms on the simulated clock). */
  nextRead(now: number): DetectionRecord {
    const rng = this.reads;
    // Event time is a little before publish time: the camera's own processing delay.
    const ts = now - rng.int(0, 200);
    const id = `s${this.seed}-${ts.toString(36)}-${(this.readSeq++).toString(36)}`;

    if (this.groups.length === 0 || rng.chance(MOBILE_SHARE)) return this.mobileRead(rng, ts, id);

    const group = rng.weighted(this.groups.map((g): [Group, number] => [g, g.weight * (GROUP_RHYTHM[g.name]?.at(now) ?? 1)]));
    const index = group.cameras[group.pick.sample(rng)];
    const camera = this.city.cameras[index];
    switch (camera.kind) {
      case 'plate': {
        const attrs = vehicleAttrs(rng);
        if (camera.attrs?.direction) attrs.direction = camera.attrs.direction;
        return {
          ts,
          kind: 'plate',
          camera: camera.id,
          id,
          ...this.plateRead(rng, this.platePoolFor(rng, index, group.name), index),
          attrs,
        };
      }
      case 'face': {
        const face = this.city.faces[this.faceRank.sample(rng)];
        return { ts, kind: 'face', camera: camera.id, id, conf: conf(rng, 0.88, 0.06), embedding: float32le(faceRead(rng, face)) };
      }
      default:
        // Panoramic cameras count people and vehicles; the engine counts these kinds, it does not match them.
        return rng.chance(group.name === 'school' || group.name === 'public' ? 0.75 : 0.4)
          ? { ts, kind: 'person', camera: camera.id, id, conf: conf(rng, 0.8, 0.1), attrs: { direction: rng.pick(DIRECTIONS) } }
          : { ts, kind: 'vehicle', camera: camera.id, id, conf: conf(rng, 0.85, 0.08), attrs: vehicleAttrs(rng) };
    }
  }

  /** The next incident reported at about `now` (epoch ms on the simulated clock). */
  nextIncident(now: number): IncidentRecord {
    return this.incidents.next(now);
  }

  private mobileRead(rng: Random, ts: number, id: string): DetectionRecord {
    const k = rng.int(this.city.mobiles.length);
    const unit = this.city.mobiles[k];
    const at = positionAt(unit, ts);
    // GPS: a few metres off the road's centre line.
    const gps = offsetMetres(at, rng.normal(0, 3), rng.normal(0, 3));
    const lat = round6(gps.lat);
    const lon = round6(gps.lon);
    const heading = Math.round(((Math.atan2(at.east, at.north) * 180) / Math.PI + 360) % 360);
    if (unit.kind === 'drone') {
      const attrs = { unit: 'drone', altitude: Math.round(rng.uniform(60, 120)), heading };
      return rng.chance(0.5)
        ? { ts, kind: 'person', camera: unit.id, id, conf: conf(rng, 0.75, 0.1), lat, lon, attrs }
        : { ts, kind: 'vehicle', camera: unit.id, id, conf: conf(rng, 0.8, 0.1), lat, lon, attrs };
    }
    const read = this.plateRead(rng, this.allPlates, this.city.cameras.length + k);
    return {
      ts,
      kind: 'plate',
      camera: unit.id,
      id,
      ...read,
      lat,
      lon,
      attrs: { unit: 'patrol', speed: Math.round(unit.speed * 3.6), heading },
    };
  }

  private platePoolFor(rng: Random, camera: number, group: SiteGroup): PlatePool {
    if (group === 'entry') return rng.chance(VISITOR_SHARE) ? this.visitorPlates : this.allPlates;
    const local = this.localPlates[this.districtOfCamera[camera]];
    return local && local.size > 0 && rng.chance(LOCAL_SHARE) ? local : this.allPlates;
  }

  /** Plate text as this camera prints it, sometimes misread. */
  private plateRead(rng: Random, pool: PlatePool, cameraIndex: number): { plate: string; conf: number } {
    const printed = this.city.plates[pool.sample(rng)];
    const noisy = rng.chance(PLATE_NOISE);
    const text = noisy ? misread(rng, printed) : printed;
    return { plate: vendorFormat(text, cameraIndex), conf: noisy ? conf(rng, 0.7, 0.1) : conf(rng, 0.93, 0.04) };
  }
}

function vehicleAttrs(rng: Random): Record<string, unknown> {
  return {
    color: rng.pick(COLORS),
    make: rng.pick(MAKES),
    direction: rng.pick(DIRECTIONS),
    speed: Math.max(0, Math.round(rng.normal(45, 15))),
  };
}

function conf(rng: Random, mean: number, sd: number): number {
  return Math.round(Math.min(0.999, Math.max(0.3, rng.normal(mean, sd))) * 1000) / 1000;
}
