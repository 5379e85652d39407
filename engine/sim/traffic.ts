// What the simulated city produces: camera reads and incidents as their producers would publish
// them. Pure and deterministic for a seed and the clock times asked for; the simulator does I/O.

import { TASHKENT_BBOX, unit, type SimCity } from './city.js';
import { Random, Zipf } from './random.js';

export const INCIDENT_TYPES = ['burglary', 'theft', 'assault', 'vandalism'] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

/** One read, with the contract's field names (section 2); absent fields are left out, not null. */
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

const MOBILE_UNITS = 12;
const MOBILE_SHARE = 0.03;
const PLATE_NOISE = 0.06;
const LOOK_ALIKES: Readonly<Record<string, string>> = { O: '0', '0': 'O', B: '8', '8': 'B', I: '1', '1': 'I', S: '5', '5': 'S', Z: '2', '2': 'Z' };
const COLORS = ['white', 'black', 'silver', 'grey', 'red', 'blue'];
const MAKES = ['Chevrolet', 'Chevrolet', 'Chevrolet', 'Kia', 'Hyundai', 'BYD', 'Toyota', 'Lada'];
const DIRECTIONS = ['N', 'E', 'S', 'W'];

export class Traffic {
  private readonly reads: Random;
  private readonly incidents: Random;
  private readonly cameraRank: Zipf | null;
  private readonly plateRank: Zipf;
  private readonly faceRank: Zipf;
  private readonly mobiles: Array<{ id: string; lat: number; lon: number }>;
  private readonly hotPoints: Array<{ lat: number; lon: number; sd: number }>;
  private readSeq = 0;
  private incidentSeq = 0;

  constructor(
    private readonly city: SimCity,
    private readonly seed: number,
  ) {
    const rng = new Random(seed);
    // Reads and incidents draw from their own streams, so how they interleave in time does
    // not change either sequence.
    this.reads = rng.fork(1);
    this.incidents = rng.fork(2);
    const places = rng.fork(3);
    this.cameraRank = city.cameras.length > 0 ? new Zipf(city.cameras.length, 0.5) : null;
    // A few cars (taxis, buses, commuters) pass the cameras all day; most are seen rarely.
    this.plateRank = new Zipf(city.plates.length, 0.8);
    this.faceRank = new Zipf(city.faces.length, 0.9);
    this.mobiles = Array.from({ length: MOBILE_UNITS }, (_, i) => ({
      id: `patrol-${String(i + 1).padStart(2, '0')}`,
      ...randomPoint(places),
    }));
    this.hotPoints = Array.from({ length: 5 }, () => ({ ...randomPoint(places), sd: places.uniform(0.002, 0.006) }));
  }

  /** The next read, seen at about `now` (epoch ms). */
  nextRead(now: number): DetectionRecord {
    const rng = this.reads;
    // Event time is a little before publish time: the camera's own processing delay.
    const ts = now - rng.int(0, 200);
    const id = `s${this.seed}-${ts.toString(36)}-${(this.readSeq++).toString(36)}`;

    if (this.cameraRank === null || rng.chance(MOBILE_SHARE)) {
      const m = rng.pick(this.mobiles);
      // A patrol car drives on, ~50 m per read, and stays inside the city's districts.
      const { south, north, west, east } = TASHKENT_BBOX;
      m.lat = clamp(m.lat + rng.normal(0, 0.0005), south + 0.001, north - 0.001);
      m.lon = clamp(m.lon + rng.normal(0, 0.0005), west + 0.001, east - 0.001);
      return { ts, kind: 'plate', camera: m.id, id, ...this.plateRead(rng, 0), lat: m.lat, lon: m.lon };
    }

    const index = this.cameraRank.sample(rng);
    const camera = this.city.cameras[index];
    switch (camera.kind) {
      case 'plate':
        return { ts, kind: 'plate', camera: camera.id, id, ...this.plateRead(rng, index), attrs: vehicleAttrs(rng) };
      case 'face': {
        const face = this.city.faces[this.faceRank.sample(rng)];
        const embedding = unit(face.map((x) => x + rng.normal(0, 0.08)));
        return { ts, kind: 'face', camera: camera.id, id, conf: conf(rng, 0.88, 0.06), embedding: float32le(embedding) };
      }
      default:
        // Panoramic cameras count people and vehicles; the engine counts these kinds, it does not match them.
        return rng.chance(0.5)
          ? { ts, kind: 'person', camera: camera.id, id, conf: conf(rng, 0.8, 0.1), attrs: { direction: rng.pick(DIRECTIONS) } }
          : { ts, kind: 'vehicle', camera: camera.id, id, conf: conf(rng, 0.85, 0.08), attrs: vehicleAttrs(rng) };
    }
  }

  /** The next incident, reported at about `now` (epoch ms). */
  nextIncident(now: number): IncidentRecord {
    const rng = this.incidents;
    const type = rng.weighted<IncidentType>([['theft', 40], ['burglary', 25], ['vandalism', 20], ['assault', 15]]);
    const source = rng.weighted<string>([['call', 60], ['patrol', 25], ['camera', 10], ['panic_button', 5]]);
    const base = { assault: 3, burglary: 2, theft: 1, vandalism: 1 }[type];
    // Someone pressed a panic button because they are in danger now.
    const severity = Math.max(source === 'panic_button' ? 4 : 1, Math.min(5, base + rng.int(0, 3)));
    // A panic button is pressed as it happens; other reports come in up to 10 minutes late.
    const ts = source === 'panic_button' ? now : now - rng.int(0, 600_000);
    let point: { lat: number; lon: number };
    if (rng.chance(0.7)) {
      const hot = rng.pick(this.hotPoints);
      do {
        point = { lat: rng.normal(hot.lat, hot.sd), lon: rng.normal(hot.lon, hot.sd) };
      } while (!inBbox(point.lat, point.lon));
    } else {
      point = randomPoint(rng);
    }
    const incident: IncidentRecord = {
      id: `inc-s${this.seed}-${ts.toString(36)}-${(this.incidentSeq++).toString(36)}`,
      ts,
      type,
      ...point,
      severity,
      source,
    };
    if (source === 'panic_button') incident.attrs = { device: `pb-${String(rng.int(1, 400)).padStart(4, '0')}` };
    return incident;
  }

  /** Plate text as this camera prints it, sometimes misread. */
  private plateRead(rng: Random, cameraIndex: number): { plate: string; conf: number } {
    const printed = this.city.plates[this.plateRank.sample(rng)];
    const noisy = rng.chance(PLATE_NOISE);
    const text = noisy ? misread(rng, printed) : printed;
    return { plate: vendorFormat(text, cameraIndex), conf: noisy ? conf(rng, 0.7, 0.1) : conf(rng, 0.93, 0.04) };
  }
}

/** One OCR mistake: a look-alike character swapped, or a character dropped. */
export function misread(rng: Random, plate: string): string {
  const swappable = [...plate].flatMap((ch, i) => (LOOK_ALIKES[ch] ? [i] : []));
  if (swappable.length > 0 && rng.chance(0.7)) {
    const i = rng.pick(swappable);
    return plate.slice(0, i) + LOOK_ALIKES[plate[i]] + plate.slice(i + 1);
  }
  const chars = [...plate].flatMap((ch, i) => (ch === ' ' ? [] : [i]));
  const i = rng.pick(chars);
  return plate.slice(0, i) + plate.slice(i + 1);
}

/** Camera vendors disagree on separators: spaces, none, or dashes. */
function vendorFormat(plate: string, cameraIndex: number): string {
  switch (cameraIndex % 3) {
    case 0:
      return plate;
    case 1:
      return plate.replace(/ /g, '');
    default:
      return plate.replace(/ /g, '-');
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

function float32le(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return bytes;
}

function conf(rng: Random, mean: number, sd: number): number {
  return Math.round(clamp(rng.normal(mean, sd), 0.3, 0.999) * 1000) / 1000;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function inBbox(lat: number, lon: number): boolean {
  const { south, north, west, east } = TASHKENT_BBOX;
  return lat > south && lat < north && lon > west && lon < east;
}

function randomPoint(rng: Random): { lat: number; lon: number } {
  const { south, north, west, east } = TASHKENT_BBOX;
  return { lat: rng.uniform(south, north), lon: rng.uniform(west, east) };
}
