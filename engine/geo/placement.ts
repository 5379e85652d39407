// Where a read happened: a mobile camera's own position, else the registered camera's.
// Fixed cameras never move, so their area is computed once per camera or area change.

import type { CameraSite } from '../domain/places.js';
import { AreaIndex, type AreaShape } from './area-index.js';
import { UnitPositions } from './unit-positions.js';

interface PlacedCamera extends CameraSite {
  area: string | null;
}

export class Placement {
  private cameras_ = new Map<string, PlacedCamera>();
  private index = new AreaIndex([]);
  /** The latest position of each camera whose reads carry one (see areaOf). */
  readonly units = new UnitPositions();

  setAreas(areas: readonly AreaShape[]): void {
    this.index = new AreaIndex(areas);
    for (const c of this.cameras_.values()) c.area = this.index.locate(c.lon, c.lat);
  }

  upsertCameras(cameras: readonly CameraSite[]): void {
    for (const c of cameras) this.cameras_.set(c.id, { ...c, area: this.index.locate(c.lon, c.lat) });
  }

  camera(id: string): PlacedCamera | undefined {
    return this.cameras_.get(id);
  }

  cameras(): IterableIterator<PlacedCamera> {
    return this.cameras_.values();
  }

  get cameraCount(): number {
    return this.cameras_.size;
  }

  get areaCount(): number {
    return this.index.size;
  }

  /** Area of a read: its own position when it has one (mobile camera), else its camera's. */
  areaOf(camera: string, lat?: number, lon?: number): string | null {
    if (lat !== undefined && lon !== undefined) return this.index.locate(lon, lat);
    return this.cameras_.get(camera)?.area ?? null;
  }

  /**
   * Position of a read, as for areaOf; null when neither read nor camera has one. A fixed
   * camera's position is its own record (read-only to callers): no object per read.
   */
  positionOf(camera: string, lat?: number, lon?: number): { readonly lat: number; readonly lon: number } | null {
    if (lat !== undefined && lon !== undefined) return { lat, lon };
    return this.cameras_.get(camera) ?? null;
  }
}
