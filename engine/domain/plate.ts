// Licence-plate text as cameras read it → the canonical form every comparison uses:
// upper case, no spaces or dashes, Cyrillic look-alike letters mapped to Latin.

const CYRILLIC_TO_LATIN: Readonly<Record<string, string>> = {
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X',
  І: 'I', Ј: 'J', Ѕ: 'S', Ё: 'E',
};

const SEPARATORS = /[\s\-‐‑‒–—]/g;
const CYRILLIC = /[\u0400-\u04FF]/g;
const VALID = /^[A-Z0-9]{2,16}$/;

/** The canonical plate, or null when the text is not 2–16 Latin letters and digits once normalised. */
export function normalisePlate(text: string): string | null {
  const upper = text.toUpperCase().replace(SEPARATORS, '');
  const latin = upper.replace(CYRILLIC, (ch) => CYRILLIC_TO_LATIN[ch] ?? ch);
  return VALID.test(latin) ? latin : null;
}
