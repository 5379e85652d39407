// What the page must know before anyone signs in (GET /app/config.json, public): the city's time
// zone, and the deployment's base-map tiles if it has any. Until it arrives, and if it cannot be
// had, times show on UTC, and say so; the maps draw the city's own shapes only.

import { signal } from '@preact/signals';

export const timezone = signal<string>('UTC');
export const timezoneKnown = signal(false);

export interface Tiles {
  /** A Leaflet URL template: {z}/{x}/{y}, {s} for subdomains. */
  url: string;
  attribution: string;
}

export let tiles: Tiles | null = null;

let loaded: Promise<void> | null = null;

/** config.json, asked once; a map made before it arrives adds its tiles when it does. */
export function loadConfig(): Promise<void> {
  loaded ??= fetchConfig();
  return loaded;
}

async function fetchConfig(): Promise<void> {
  try {
    const res = await fetch('/app/config.json');
    if (!res.ok) return;
    const body = (await res.json()) as { timezone?: unknown; tileUrl?: unknown; tileAttribution?: unknown };
    if (typeof body.timezone === 'string') {
      timezone.value = body.timezone;
      timezoneKnown.value = true;
    }
    if (typeof body.tileUrl === 'string') {
      tiles = { url: body.tileUrl, attribution: typeof body.tileAttribution === 'string' ? body.tileAttribution : '' };
    }
  } catch {
    // The engine does not answer: sign-in will say so.
  }
}
