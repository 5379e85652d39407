// A plate search as investigators type it: a plate, or a pattern with `*` (any run, possibly
// empty) and `?` (exactly one character), in the canonical form of engine/domain/plate.ts.
// A pattern becomes a GLOB pattern for the store, built from validated characters only.

import { ParamError } from '../errors.js';
import { normalisePlate } from './plate.js';

/** Fewer literal characters than this would match a good part of the city's plates. */
export const MIN_PATTERN_LITERALS = 3;
/**
 * DuckDB's GLOB retries the rest of the pattern at every position after each `*`: with
 * `*0*0*0*X` a million 16-character plates of zeros took 4.6 s, with two `*` 1.7 s, with
 * real plates a few tens of ms whatever the count. Three keep that bounded and cover
 * `01*1*3*`.
 */
export const MAX_PATTERN_STARS = 3;
/** A plate is at most 16 characters (normalisePlate): a pattern needing more matches nothing. */
const MAX_PLATE_LENGTH = 16;

const ALPHANUMERIC = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'];

export interface PlatePattern {
  /** Canonical: A-Z, 0-9, `?` and `*` (a run of `*` kept as one). */
  readonly text: string;
  /** Whether `text` has a `*` or `?`; without one it is a plate as normalisePlate gives it. */
  readonly wildcard: boolean;
}

/**
 * The canonical pattern of `raw`, each character mapped as normalisePlate maps it (upper case,
 * Cyrillic look-alikes to Latin, spaces and dashes dropped). Throws a ParamError naming
 * `plate` for anything else, for a pattern with fewer than MIN_PATTERN_LITERALS letters and
 * digits or more than MAX_PATTERN_STARS `*`, and for a plate (no wildcard) that is not 2–16
 * letters and digits.
 */
export function parsePlatePattern(raw: string, param = 'plate'): PlatePattern {
  const shown = raw.slice(0, 32);
  let text = '';
  let literals = 0;
  let single = 0;
  let stars = 0;
  for (const ch of raw) {
    if (ch === '*') {
      if (!text.endsWith('*')) {
        text += ch;
        stars++;
      }
      continue;
    }
    if (ch === '?') {
      text += ch;
      single++;
      continue;
    }
    // One character through normalisePlate (which wants two or more): '' for a separator.
    const mapped = normalisePlate(`00${ch}`);
    if (mapped === null) {
      throw new ParamError(param, ` '${shown}' may hold only letters, digits, spaces, dashes and the wildcards * and ?`);
    }
    text += mapped.slice(2);
    literals += mapped.length - 2;
  }
  if (stars === 0 && single === 0) {
    const plate = normalisePlate(raw);
    if (plate === null) throw new ParamError(param, ` '${shown}' is not 2–16 letters and digits once normalised`);
    return { text: plate, wildcard: false };
  }
  if (literals < MIN_PATTERN_LITERALS) {
    throw new ParamError(
      param,
      ` '${shown}' has ${literals} letters and digits besides its wildcards; a pattern needs at least ${MIN_PATTERN_LITERALS}`,
    );
  }
  if (stars > MAX_PATTERN_STARS) throw new ParamError(param, ` '${shown}' has ${stars} *; a pattern may have at most ${MAX_PATTERN_STARS}`);
  if (literals + single > MAX_PLATE_LENGTH) {
    throw new ParamError(param, ` '${shown}' needs more than ${MAX_PLATE_LENGTH} characters, longer than any plate`);
  }
  return { text, wildcard: true };
}

/**
 * The pattern for DuckDB's GLOB. With `classOf` (a plate → its look-alike class form, as
 * engine/match's ocrClassOf), each literal stands for every letter or digit of its class:
 * `0` becomes `[0DOQ]`, so a stored plate matches exactly when its class form matches the
 * pattern with its literals class-mapped. Only A-Z, 0-9, `*`, `?`, `[` and `]` come out.
 */
export function patternGlob(pattern: PlatePattern, classOf?: (plate: string) => string): string {
  let glob = '';
  for (const ch of pattern.text) {
    if (ch === '*' || ch === '?' || classOf === undefined) {
      glob += ch;
      continue;
    }
    const cls = classOf(ch);
    const members = ALPHANUMERIC.filter((x) => classOf(x) === cls);
    glob += members.length > 1 ? `[${members.join('')}]` : ch;
  }
  return glob;
}
