// The reads and plates of the matching benchmark, shared by the engine side and the paced
// publisher process: which plates are listed, which are not, which belong to respondents.

export const LAT0 = 41.2;
export const LON0 = 69.1;
const LETTERS = 'ABCDEFGHJKLMNPRSTUVXYZ';

/** Deterministic plates: the i-th listed plate, and plates that are never listed. */
export function listedPlate(i: number): string {
  const l = (k: number) => LETTERS[Math.floor(i / 22 ** k) % 22];
  return `${String(10 + (i % 90)).padStart(2, '0')}${l(1)}${String(Math.floor(i / 90) % 1000).padStart(3, '0')}${l(2)}${l(3)}`;
}
/**
 * Plates at least two edits from every listed one: letters where listed plates have digits
 * and none of the look-alike letters (B D G I O Q S Z), so no OCR class bridges the gap.
 */
export function unlistedPlate(i: number): string {
  const safe = 'AEHKMPTX';
  return `${safe[i % 8]}${safe[(i >> 3) % 8]}${String(i % 100000).padStart(5, '0')}${safe[(i >> 6) % 8]}`;
}

export const RESPONDENTS = 1000;
/** Respondent j's plate: outside the wanted list's range of plates. */
export const respondentPlate = (plates: number, j: number) => listedPlate(plates + j);

/**
 * One read: 1 % listed exactly, 0.5 % one edit from a listed plate, 0.5 % a protection-order
 * respondent, 5 % from patrol cars (their own position).
 */
export function benchRead(i: number, ts: number, plates: number, idPrefix = 'r'): Record<string, unknown> {
  const r = i % 200;
  let plate: string;
  if (r < 2) plate = listedPlate((i * 7919) % plates);
  else if (r === 2) plate = `${listedPlate((i * 104729) % plates).slice(0, -1)}W`;
  else if (r === 3) plate = respondentPlate(plates, i % RESPONDENTS);
  else plate = unlistedPlate(i);
  const read: Record<string, unknown> = { ts, kind: 'plate', camera: `cam-${i % 5000}`, id: `${idPrefix}${i}`, plate, conf: 0.9 };
  if (i % 20 === 0) {
    read.lat = LAT0 + ((i * 37) % 2000) / 10000;
    read.lon = LON0 + ((i * 53) % 3000) / 10000;
  }
  return read;
}
