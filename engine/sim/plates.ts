// Uzbek licence plates and how cameras get them wrong: the two formats, regions weighted
// towards Tashkent, OCR look-alikes and dropped characters, and vendors' separators and scripts.

import type { Random } from '../util/random.js';

export const PLATE_REGIONS = ['01', '10', '20', '25', '30', '40', '50', '60', '70', '75', '80', '85', '90', '95'] as const;
// Letters of the Uzbek Latin alphabet (no C, no W); O, B, I and S stay in so OCR noise has
// look-alikes to confuse.
const PLATE_LETTERS = 'ABDEFGHIJKLMNOPQRSTUVXYZ';
// Most cars are registered in the city (01) or the region around it (10).
const REGION_WEIGHTS = PLATE_REGIONS.map((r): [string, number] => [r, r === '01' ? 24 : r === '10' ? 6 : 1]);
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  O: '0',
  '0': 'O',
  B: '8',
  '8': 'B',
  I: '1',
  '1': 'I',
  S: '5',
  '5': 'S',
  Z: '2',
  '2': 'Z',
};
// Some cameras' OCR was trained on Cyrillic plates and prints the letters that look alike in
// Cyrillic; the engine maps them back.
const CYRILLIC: Readonly<Record<string, string>> = {
  A: 'А',
  B: 'В',
  E: 'Е',
  K: 'К',
  M: 'М',
  H: 'Н',
  O: 'О',
  P: 'Р',
  T: 'Т',
  X: 'Х',
  Y: 'У',
};

/** Unique plates in their printed form: '01 A 123 BC' (private) or '01 123 ABC' (company). */
export function buildPlates(rng: Random, n: number): string[] {
  const letters = (k: number) => Array.from({ length: k }, () => PLATE_LETTERS[rng.int(PLATE_LETTERS.length)]).join('');
  const digits = () => String(rng.int(1, 1000)).padStart(3, '0');
  const seen = new Set<string>();
  // The pool is far smaller than the format space, so this loop ends quickly.
  while (seen.size < n) {
    const region = rng.weighted(REGION_WEIGHTS);
    seen.add(rng.chance(0.85) ? `${region} ${letters(1)} ${digits()} ${letters(2)}` : `${region} ${digits()} ${letters(3)}`);
  }
  return [...seen];
}

/** One look-alike character swapped (0↔O, 8↔B, 1↔I, 5↔S, 2↔Z), or null if the plate has none. */
export function lookAlikeSwap(rng: Random, plate: string): string | null {
  const swappable = [...plate].flatMap((ch, i) => (LOOK_ALIKES[ch] ? [i] : []));
  if (swappable.length === 0) return null;
  const i = rng.pick(swappable);
  return plate.slice(0, i) + LOOK_ALIKES[plate[i]] + plate.slice(i + 1);
}

/** The plate's edge cut off: its first or last character missing. */
export function edgeCut(rng: Random, plate: string): string {
  return rng.chance(0.5) ? plate.slice(1) : plate.slice(0, -1);
}

/** One OCR mistake as plate readers make them: a look-alike swapped, or the plate's edge cut off. */
export function misread(rng: Random, plate: string): string {
  const swapped = rng.chance(0.7) ? lookAlikeSwap(rng, plate) : null;
  return swapped ?? edgeCut(rng, plate);
}

/** Camera vendors disagree on separators (spaces, none, dashes), and one in ten prints Cyrillic. */
export function vendorFormat(plate: string, cameraIndex: number): string {
  if (cameraIndex % 10 === 9) return [...plate].map((ch) => CYRILLIC[ch] ?? ch).join('');
  switch (cameraIndex % 3) {
    case 0:
      return plate;
    case 1:
      return plate.replace(/ /g, '');
    default:
      return plate.replace(/ /g, '-');
  }
}
