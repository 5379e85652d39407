// Telling a running vigil API about the simulated city: its cameras and mahallas (so reads and
// incidents land in areas) and, on request, demo watchlists of plates and faces that the
// simulated traffic will hit.

import type { SimCity } from './city.js';
import { distanceMetres, type LatLon } from './local-frame.js';

const PLATE_LIST = 'vigil simulate: demo plates';
const FACE_LIST = 'vigil simulate: demo faces';
const LEGAL_BASIS = 'demonstration only: a simulated city (vigil simulate --watchlist), no real persons';
// Zipf ranks of the listed plates and faces: from cars seen every second to ones seen a few
// times an hour, so hits come at many rates.
const PLATE_RANKS = [3, 8, 20, 50, 120, 300, 700, 1500, 3000, 8000];
const FACE_RANKS = [0, 5, 30];
const ZONE = 'vigil simulate: demo protection order';
/** A protection order keeps a listed car this far from a home: a few crossings' cameras. */
const ZONE_RADIUS_M = 400;

export async function registerCity(api: string, token: string, city: SimCity): Promise<void> {
  const base = api.replace(/\/+$/, '');
  await call('PUT', `${base}/api/v1/cameras`, token, city.cameras);
  await call('PUT', `${base}/api/v1/areas`, token, city.areas);
}

/** Creates the demo lists, or refills them when a previous run made them; returns what was listed. */
export async function addDemoWatchlists(
  api: string,
  token: string,
  city: SimCity,
): Promise<{ plates: string[]; faces: number; zone: string | null }> {
  const base = api.replace(/\/+$/, '');
  const { rows } = (await call('GET', `${base}/api/v1/watchlists`, token)) as { rows: Array<{ id: string; name: string }> };
  const listId = async (name: string, kind: 'plate' | 'face', priority: number) =>
    rows.find((r) => r.name === name)?.id ??
    ((await call('POST', `${base}/api/v1/watchlists`, token, { name, kind, priority, legalBasis: LEGAL_BASIS })) as { id: string }).id;

  const plates = PLATE_RANKS.filter((r) => r < city.plates.length).map((r) => city.plates[r]);
  const plateList = await listId(PLATE_LIST, 'plate', 60);
  await call(
    'POST',
    `${base}/api/v1/watchlists/${plateList}/entries`,
    token,
    plates.map((key, k) => ({ key, label: `demo: stolen car ${k + 1}`, reference: `SIM-${String(k + 1).padStart(4, '0')}` })),
  );
  const faces = FACE_RANKS.filter((r) => r < city.faces.length);
  const faceList = await listId(FACE_LIST, 'face', 70);
  await call(
    'POST',
    `${base}/api/v1/watchlists/${faceList}/entries`,
    token,
    faces.map((r, k) => ({ key: `resident-${r}`, label: `demo: missing person ${k + 1}`, embedding: city.faces[r] })),
  );
  // A protection-order exclusion zone round a home: any demo plate read inside it is a hit.
  const home = protectedHome(city);
  const fences = (await call('GET', `${base}/api/v1/geofences`, token)) as { rows: Array<{ name: string }> };
  if (home && !fences.rows.some((f) => f.name === ZONE)) {
    await call('POST', `${base}/api/v1/geofences`, token, {
      name: ZONE,
      geometry: { type: 'Circle', center: [home.lon, home.lat], radiusM: ZONE_RADIUS_M },
      trigger: 'inside',
      watchlists: [plateList],
      priority: 90,
      cooldownSeconds: 600,
    });
  }
  return { plates, faces: faces.length, zone: home ? ZONE : null };
}

/**
 * The apartment block with the most cameras within the zone's radius, so the demo zone sees
 * traffic; null in a city without blocks.
 */
export function protectedHome(city: SimCity): LatLon | null {
  let best: LatLon | null = null;
  let most = -1;
  for (const block of city.places.blocks) {
    const near = city.cameras.filter((c) => distanceMetres(block, c) <= ZONE_RADIUS_M).length;
    if (near > most) {
      most = near;
      best = { lat: block.lat, lon: block.lon };
    }
  }
  return best;
}

async function call(method: string, url: string, token: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    throw new Error(`cannot reach the API: ${method} ${url}: ${cause}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: show the text as it came
    }
    throw new Error(`${method} ${url} answered ${res.status} ${res.statusText}${message ? `: ${message.slice(0, 300)}` : ''}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
