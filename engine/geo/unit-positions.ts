// Where the rapid-response units are: patrol cars, drones and body cameras are the cameras
// whose reads carry their own position, and a unit is where its latest read was made. Kept in
// memory from the reads as they are placed, so dispatch asks for the nearest units without a
// scan of the store; after a restart a unit reappears with its next read (seconds, for a
// camera that reads traffic).

import { haversineM } from './fence-geometry.js';

export interface UnitPosition {
  camera: string;
  lat: number;
  lon: number;
  /** Event time of the read that put it there (epoch ms). */
  ts: number;
}

export interface NearUnit extends UnitPosition {
  /** Straight-line (great-circle) distance, metres: a unit's road distance is longer. */
  distanceM: number;
}

/** More cameras than any city has units: a producer inventing camera ids cannot grow it further. */
const DEFAULT_CAPACITY = 10_000;

export class UnitPositions {
  // In order of last update, so the unit heard from longest ago is the first to go at capacity.
  private readonly latest = new Map<string, UnitPosition>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** A read with its own position; an older read than the unit's latest (a replay, a late read) changes nothing. */
  saw(camera: string, lat: number, lon: number, ts: number): void {
    const known = this.latest.get(camera);
    if (known !== undefined && known.ts >= ts) return;
    this.latest.delete(camera);
    this.latest.set(camera, { camera, lat, lon, ts });
    if (this.latest.size > this.capacity) this.latest.delete(this.latest.keys().next().value as string);
  }

  get size(): number {
    return this.latest.size;
  }

  /** The `limit` units nearest (lat, lon) whose latest position is at or after `since`, nearest first. */
  nearest(lat: number, lon: number, limit: number, since: number): NearUnit[] {
    const near: NearUnit[] = [];
    for (const u of this.latest.values()) {
      if (u.ts >= since) near.push({ ...u, distanceM: Math.round(haversineM(lon, lat, u.lon, u.lat)) });
    }
    return near.sort((a, b) => a.distanceM - b.distanceM || a.camera.localeCompare(b.camera)).slice(0, limit);
  }
}
