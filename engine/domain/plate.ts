// Licence-plate text as cameras read it → the canonical form every comparison uses:
// upper case, no spaces or dashes, Cyrillic look-alike letters mapped to Latin.

const CYRILLIC_TO_LATIN: ReadonlyMap<string, string> = new Map(
  Object.entries({
    А: 'A',
    В: 'B',
    Е: 'E',
    К: 'K',
    М: 'M',
    Н: 'H',
    О: 'O',
    Р: 'P',
    С: 'C',
    Т: 'T',
    У: 'Y',
    Х: 'X',
    І: 'I',
    Ј: 'J',
    Ѕ: 'S',
    Ё: 'E',
  }).flatMap(([cyr, lat]) => [
    [cyr, lat],
    [cyr.toLowerCase(), lat],
  ]),
);

const SEPARATOR = /^[\s\-‐‑‒–—]$/;
const MAX_RAW_LENGTH = 64;

/**
 * The canonical plate, or null when the text is not 2–16 Latin letters and digits once
 * normalised. Only ASCII letters are upper-cased: Unicode case rules would turn 'ß' into 'SS'
 * or 'ﬁ' into 'FI', a plate the camera never read.
 */
export function normalisePlate(text: string): string | null {
  if (text.length > MAX_RAW_LENGTH) return null;
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c >= 48 && c <= 57)
      out += ch; // 0-9
    else if (c >= 65 && c <= 90)
      out += ch; // A-Z
    else if (c >= 97 && c <= 122)
      out += String.fromCharCode(c - 32); // a-z
    else if (SEPARATOR.test(ch)) continue;
    else {
      const latin = CYRILLIC_TO_LATIN.get(ch);
      if (latin === undefined) return null;
      out += latin;
    }
    if (out.length > 16) return null;
  }
  return out.length >= 2 ? out : null;
}
