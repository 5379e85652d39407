// Licence-plate watchlist matcher: pure logic, no I/O.
//
// A read is compared with every live entry of every plate watchlist after normalisation. Per
// watchlist it gives at most one hit, the closest entry:
//   exact  the normalised strings are equal                                  (distance 0)
//   ocr    equal up to look-alikes (O/0, I/1, B/8, S/5, Z/2, G/6), no more of them than the
//          read's shape is from the nearest plate format — only with ocrEquivalence on
//                                                                            (distance 0)
//   edit   1..maxEdits plausible misreads apart (see plausibleDistance)     (distance = edits)
// then fewest edits, then the lower entry index. The `levenshtein` model (any edit, look-alike
// classes 0/O/D/Q, …, no formats) is the one before December 2026, kept for the benchmark.
//
// Index (one per (ocrEquivalence, maxEdits, model, formats) mode, "group"): a deletion-
// neighbourhood index (SymSpell). Every string obtainable from an entry's comparison form (its
// look-alike classes) by deleting 0..k characters is hashed (FNV-1a + murmur finaliser, 32
// bits). Two strings are within k Levenshtein edits only if they share such a variant, so a
// query generates its own 0..k deletion variants, looks each one up, and verifies the
// candidates. Every plausible misread is also a Levenshtein edit, so the same index finds the
// candidates of both models; hash collisions only add candidates, and verification removes them.
//
// Memory layout (no JS Map, no per-entry objects, nothing written after build):
//   records  ArrayBuffer, 32 bytes per entry: expiresAt (f64), list (u32), key length (u8) and
//            the key itself (16 bytes, zero-padded), so verifying a candidate touches one cache
//            line and an exact comparison is four 32-bit word compares
//   slots    per group, Uint32Array, open addressing with linear probing, ~60 % full: one slot
//            per (entry, distinct variant) holding entry + 1 in the low `idBits` bits and the
//            variant hash's low bits as a fingerprint in the high bits (0 = empty), so a probe
//            reads one run of adjacent slots and rejects foreign hashes without touching the
//            entry. The home slot is floor(hash · size / 2^32).
// For 8-character plates and maxEdits 1 that is 9 variants, ~15 slots, 60 + 32 ≈ 92 bytes per
// entry; with maxEdits 2, 37 variants and ~280 bytes per entry.
//
// match() uses per-instance scratch buffers: one matcher per thread (the index arrays are never
// written after build, so they could be shared).

export type PlateMatchType = 'exact' | 'ocr' | 'edit';

/**
 * Which differences an edit may be (see plausibleDistance): `plausible`, the misreads a plate
 * reader makes (the default); `levenshtein`, any substitution, insertion or deletion — the
 * model before December 2026, kept so the benchmark can measure both on the same reads.
 */
export type EditModel = 'plausible' | 'levenshtein';

export interface PlateListSpec {
  ocrEquivalence: boolean;
  /** 0, 1 or 2. */
  maxEdits: number;
  edits?: EditModel;
  /**
   * The city's plate formats as masks, `#` a digit and `@` a letter (default
   * DEFAULT_PLATE_FORMATS). A look-alike flips a character's type, and one misread is far
   * likelier than two: so a read may differ from an entry by at most as many look-alikes as
   * its shape is flips away from the nearest format. A read that fits a format is taken as
   * read right; one flip from a format, it is one misread of a plate of that format, not two
   * of a plate of another.
   */
  formats?: readonly string[];
}

/** Uzbekistan: '01 A 123 BC' (private) and '01 123 ABC' (companies). */
export const DEFAULT_PLATE_FORMATS: readonly string[] = Object.freeze(['##@###@@', '#####@@@']);
const FORMAT_PATTERN = /^[#@]{1,16}$/;

export interface PlateEntrySpec {
  /** Index into the lists array. */
  list: number;
  /** Normalised plate (normalisePlate): 1–16 characters of A-Z and 0-9. */
  key: string;
  /** Epoch ms, or Infinity for none. An entry with expiresAt <= now never matches. */
  expiresAt: number;
}

export interface PlateMatch {
  list: number;
  /** Index into the entries array. */
  entry: number;
  type: PlateMatchType;
  /** 0 for exact and ocr, the number of edits for edit. */
  distance: number;
}

const MAX_KEY_LENGTH = 16;
const MAX_EDITS = 2;
const MAX_ENTRIES = 1 << 28;
/** Longest query worth looking at: a longer one is more than MAX_EDITS from every key. */
const MAX_QUERY_LENGTH = MAX_KEY_LENGTH + MAX_EDITS;
const KEY_PATTERN = /^[0-9A-Z]{1,16}$/;

// ---------------------------------------------------------------------------------------------
// OCR look-alike classes

const OCR_CLASSES = ['0ODQ', '1I', '8B', '5S', '2Z', '6G'] as const;

/** ASCII code → code of its class representative (identity outside the classes). */
const OCR_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(128);
  for (let c = 0; c < 128; c++) t[c] = c;
  for (const cls of OCR_CLASSES) for (const ch of cls) t[ch.charCodeAt(0)] = cls.charCodeAt(0);
  return t;
})();

/**
 * The plausible model's look-alikes: one letter per digit (0/O, 1/I, 8/B, 5/S, 2/Z, 6/G). D
 * and Q also look like 0, but a 0 read where a letter belongs would then stand for three
 * letters, and with a large list one of the other two is often listed: a false hit.
 */
const PAIR_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(128);
  for (let c = 0; c < 128; c++) t[c] = c;
  for (const [letter, digit] of ['O0', 'I1', 'B8', 'S5', 'Z2', 'G6']) t[letter.charCodeAt(0)] = digit.charCodeAt(0);
  return t;
})();

const IDENTITY_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(128);
  for (let c = 0; c < 128; c++) t[c] = c;
  return t;
})();

/** ASCII code → DIGIT, LETTER, or 0 for anything else. */
const DIGIT = 1;
const LETTER = 2;
const CHAR_TYPE: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 48; c <= 57; c++) t[c] = DIGIT;
  for (let c = 65; c <= 90; c++) t[c] = LETTER;
  return t;
})();

/**
 * A plate's shape as a number: its length and which positions hold letters (a plate of
 * digits and letters only; -1 otherwise). A format mask ('##@###@@') maps to the same number.
 */
function shapeOf(codes: ArrayLike<number>, len: number): number {
  if (len > MAX_KEY_LENGTH) return -1; // longer than any format
  let letters = 0;
  for (let i = 0; i < len; i++) {
    const c = codes[i];
    const t = c < 128 ? CHAR_TYPE[c] : 0;
    if (t === 0) return -1;
    if (t === LETTER) letters |= 1 << i;
  }
  return len * 65536 + letters;
}

function formatShapes(formats: readonly string[]): Int32Array {
  return Int32Array.from(formats, (f) => {
    if (!FORMAT_PATTERN.test(f)) throw new RangeError(`plate matcher: format '${f}' must be 1–16 of '#' (digit) and '@' (letter)`);
    return shapeOf(
      [...f].map((ch) => (ch === '#' ? 48 : 65)),
      f.length,
    );
  });
}

/** Look-alikes allowed: no more than the read's shape is flips away from the nearest format. */
const ANY_LOOKALIKES = 255;
function lookalikeBudget(shape: number, formats: Int32Array): number {
  let budget = ANY_LOOKALIKES;
  if (shape < 0) return budget;
  for (let i = 0; i < formats.length; i++) {
    const f = formats[i];
    if (f >>> 16 !== shape >>> 16) continue; // another length
    let x = (f ^ shape) & 0xffff;
    let flips = 0;
    for (; x !== 0; x &= x - 1) flips++;
    if (flips < budget) budget = flips;
  }
  return budget;
}

/** Maps each character to its look-alike class representative: O, D, Q → 0; I → 1; B → 8; S → 5; Z → 2; G → 6. */
export function ocrClassOf(plate: string): string {
  let out = '';
  for (let i = 0; i < plate.length; i++) {
    const c = plate.charCodeAt(i);
    out += c < 128 ? String.fromCharCode(OCR_TABLE[c]) : plate[i];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bounded Levenshtein distance

const FAR = 0x3fffffff;

/**
 * Levenshtein distance of a[0..n) and b[0..m) if it is <= k, else -1. Banded dynamic
 * programming, O(k·min(n, m)) time; `prev` and `cur` need m + 1 cells.
 */
function boundedDistance(a: Uint16Array, n: number, b: Uint16Array, m: number, k: number, prev: Int32Array, cur: Int32Array): number {
  if (k < 0) return -1;
  const lengthGap = n > m ? n - m : m - n;
  if (lengthGap > k) return -1;
  if (k === 1) return withinOne(a, n, b, m);
  for (let j = 0; j <= m; j++) {
    prev[j] = j <= k ? j : FAR;
    cur[j] = FAR;
  }
  for (let i = 1; i <= n; i++) {
    const lo = i - k > 1 ? i - k : 1;
    const hi = i + k < m ? i + k : m;
    cur[lo - 1] = lo === 1 && i <= k ? i : FAR;
    let rowMin = cur[lo - 1];
    const ai = a[i - 1];
    for (let j = lo; j <= hi; j++) {
      let v = prev[j - 1] + (ai === b[j - 1] ? 0 : 1);
      const up = prev[j] + 1;
      if (up < v) v = up;
      const left = cur[j - 1] + 1;
      if (left < v) v = left;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > k) return -1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  const d = prev[m];
  return d <= k ? d : -1;
}

/** Levenshtein distance if it is 0 or 1, else -1; O(n). Assumes |n - m| <= 1. */
function withinOne(a: Uint16Array, n: number, b: Uint16Array, m: number): number {
  if (n === m) {
    let diff = 0;
    for (let i = 0; i < n; i++) if (a[i] !== b[i] && ++diff > 1) return -1;
    return diff;
  }
  // One insertion: make `s` the shorter of the two.
  const s = n < m ? a : b;
  const l = n < m ? b : a;
  const sn = n < m ? n : m;
  let i = 0;
  while (i < sn && s[i] === l[i]) i++;
  for (; i < sn; i++) if (s[i] !== l[i + 1]) return -1;
  return 1;
}

/**
 * Levenshtein distance (substitute, insert or delete one character, each costing 1) between a
 * and b if it is <= k, else -1. Bounded: O(k·n) time, stops as soon as every path exceeds k.
 */
export function editDistanceWithin(a: string, b: string, k: number): number {
  if (!(k >= 0)) return -1;
  k = Math.floor(k);
  const n = a.length;
  const m = b.length;
  if ((n > m ? n - m : m - n) > k) return -1;
  const ac = new Uint16Array(n);
  const bc = new Uint16Array(m);
  for (let i = 0; i < n; i++) ac[i] = a.charCodeAt(i);
  for (let j = 0; j < m; j++) bc[j] = b.charCodeAt(j);
  if (k > n + m) k = n + m;
  return boundedDistance(ac, n, bc, m, k, new Int32Array(m + 1), new Int32Array(m + 1));
}

// ---------------------------------------------------------------------------------------------
// Hashing of deletion variants

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Murmur3 finaliser: FNV-1a's low-entropy high bits pick the bucket, so mix them. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fills prefix[i] with the FNV state after c[0..i) and returns the hash of the whole string. */
function prefixHashes(c: Uint16Array, len: number, prefix: Int32Array): number {
  let h = FNV_OFFSET | 0;
  prefix[0] = h;
  for (let i = 0; i < len; i++) {
    h = Math.imul(h ^ c[i], FNV_PRIME);
    prefix[i + 1] = h;
  }
  return finish(h);
}

/**
 * Hashes of the strings obtained from c[0..len) by deleting 1..k characters (k <= 2), written to
 * `out`; returns how many. Deleting any character of a run of equal characters gives the same
 * string, so only the first of a run is deleted (for two deletions a few duplicates remain,
 * e.g. ABA → A twice; they cost a slot, never a wrong answer).
 */
function deletionHashes(c: Uint16Array, len: number, k: number, prefix: Int32Array, out: Uint32Array, outOffset: number): number {
  let n = outOffset;
  if (k >= 1) {
    for (let i = 0; i < len; i++) {
      if (i > 0 && c[i] === c[i - 1]) continue;
      let h = prefix[i];
      for (let t = i + 1; t < len; t++) h = Math.imul(h ^ c[t], FNV_PRIME);
      out[n++] = finish(h);
    }
  }
  if (k >= 2) {
    for (let i = 0; i < len - 1; i++) {
      if (i > 0 && c[i] === c[i - 1]) continue;
      let hij = prefix[i]; // state after c[0..i) and c[i+1..j)
      for (let j = i + 1; j < len; j++) {
        if (!(c[j] === c[j - 1] && j - 1 !== i)) {
          let h = hij;
          for (let t = j + 1; t < len; t++) h = Math.imul(h ^ c[t], FNV_PRIME);
          out[n++] = finish(h);
        }
        hij = Math.imul(hij ^ c[j], FNV_PRIME);
      }
    }
  }
  return n - outOffset;
}

/** Most variants a string of length len has with up to k deletions (before removing duplicates). */
function variantBound(len: number, k: number): number {
  let total = 1;
  if (k >= 1) total += len;
  if (k >= 2) total += (len * (len - 1)) / 2;
  return total;
}

// ---------------------------------------------------------------------------------------------
// The matcher

/** One deletion index per (ocrEquivalence, maxEdits) mode. */
interface Group {
  readonly ocr: boolean;
  readonly k: number;
  /** Edits are plausible misreads only (else any Levenshtein edit). */
  readonly plausible: boolean;
  /** Shapes of the plate formats (shapeOf). */
  readonly formats: Int32Array;
  /** Character code → comparison code: the OCR classes, or the identity. */
  readonly classes: Uint16Array;
  /** Lists of this mode that have at least one entry. */
  readonly listCount: number;
  readonly minLength: number;
  readonly maxLength: number;
  /** Open addressing, linear probing; 0 = empty, else fingerprint << idBits | (entry + 1). */
  readonly slots: Uint32Array;
  /** Home slot of hash h: floor(h · scale), scale = slots.length / 2^32. */
  readonly scale: number;
}

/** Entry record: 32 bytes, so one cache line holds everything verification reads. */
const RECORD_BYTES = 32;
// Float64 0: expiresAt · Uint32 2: list · Uint8 12: key length · Uint8 16..31: key, zero-padded
const REC_LIST = 2;
const REC_LENGTH = 12;
const REC_KEY = 16;
const REC_KEY_WORD = 4;

/** Slots per (entry, variant): the table is kept at most ~60 % full. */
const SLOTS_PER_VARIANT = 1 / 0.6;
/** Candidates remembered per query to skip verifying one twice (beyond that, verified again: same answer). */
const SEEN_CAPACITY = 32;

const RANK_NONE = 255;
const RANK_EXACT = 0;
const RANK_OCR = 1;
// RANK_OCR + d for d edits.

export class PlateMatcher {
  private readonly groups: Group[];
  private readonly idBits: number;
  private readonly idMask: number;
  private readonly fpMask: number;
  private readonly entryCount: number;
  private readonly recF64: Float64Array;
  private readonly recU32: Uint32Array;
  private readonly recU8: Uint8Array;

  // Per-query scratch (the index above is never written after build).
  private generation = 0;
  private readonly listStamp: Uint32Array;
  private readonly bestRank: Uint8Array;
  private readonly bestEntry: Uint32Array;
  private readonly touched: Uint32Array;
  private touchedCount = 0;
  private readonly seen = new Uint32Array(SEEN_CAPACITY);
  private seenCount = 0;
  /** Look-alikes the read may differ by from an entry of the group being probed (lookalikeBudget). */
  private lookalikes = 0;
  /** Where the early loads of match() go, so they are not optimised away (public: never dead). */
  sink = 0;
  private readonly rawCodes = new Uint16Array(MAX_QUERY_LENGTH);
  /** The read in the comparison form of the group being probed. */
  private readonly classCodes = new Uint16Array(MAX_QUERY_LENGTH);
  /** The read as a zero-padded 16-byte key (codes above 127 as 0xFF, which no key has). */
  private readonly rawKey = new Uint8Array(MAX_KEY_LENGTH);
  private readonly rawKeyWords = new Uint32Array(this.rawKey.buffer);
  private readonly keyCodes = new Uint16Array(MAX_KEY_LENGTH);
  private readonly prefix = new Int32Array(MAX_QUERY_LENGTH + 1);
  private readonly variants = new Uint32Array(variantBound(MAX_QUERY_LENGTH, MAX_EDITS));
  private readonly rowA = new Int32Array(MAX_QUERY_LENGTH + 1);
  private readonly rowB = new Int32Array(MAX_QUERY_LENGTH + 1);

  private constructor(listCount: number, groups: Group[], idBits: number, entryCount: number, records: ArrayBuffer) {
    this.groups = groups;
    this.idBits = idBits;
    this.idMask = 2 ** idBits - 1;
    this.fpMask = 2 ** (32 - idBits) - 1;
    this.entryCount = entryCount;
    this.recF64 = new Float64Array(records);
    this.recU32 = new Uint32Array(records);
    this.recU8 = new Uint8Array(records);
    this.listStamp = new Uint32Array(listCount);
    this.bestRank = new Uint8Array(listCount);
    this.bestEntry = new Uint32Array(listCount);
    this.touched = new Uint32Array(listCount);
  }

  /**
   * Builds the index. Throws RangeError for a maxEdits outside 0..2, an entry whose list is not
   * an index into `lists`, a key that is not 1–16 characters of A-Z0-9, or a NaN expiresAt.
   */
  static build(lists: readonly PlateListSpec[], entries: readonly PlateEntrySpec[]): PlateMatcher {
    const n = entries.length;
    if (n >= MAX_ENTRIES) throw new RangeError(`plate matcher: too many entries (${n})`);
    const listGroup = new Int8Array(lists.length);
    const modes: { ocr: boolean; k: number; plausible: boolean; formats: string }[] = [];
    for (let l = 0; l < lists.length; l++) {
      const { ocrEquivalence, maxEdits, edits = 'plausible', formats = DEFAULT_PLATE_FORMATS } = lists[l];
      if (!Number.isInteger(maxEdits) || maxEdits < 0 || maxEdits > MAX_EDITS) {
        throw new RangeError(`plate matcher: list ${l} has maxEdits ${maxEdits}, expected 0, 1 or 2`);
      }
      const mode = { ocr: ocrEquivalence !== false, k: maxEdits, plausible: edits !== 'levenshtein', formats: formats.join(',') };
      let g = modes.findIndex((m) => m.ocr === mode.ocr && m.k === mode.k && m.plausible === mode.plausible && m.formats === mode.formats);
      if (g < 0) g = modes.push(mode) - 1;
      listGroup[l] = g;
    }

    const records = new ArrayBuffer(n * RECORD_BYTES);
    const f64 = new Float64Array(records);
    const u32 = new Uint32Array(records);
    const u8 = new Uint8Array(records);
    const entryGroup = new Int8Array(n);
    const slotBound = new Array<number>(modes.length).fill(0);
    for (let e = 0; e < n; e++) {
      const { list, key, expiresAt } = entries[e];
      if (!Number.isInteger(list) || list < 0 || list >= lists.length) {
        throw new RangeError(`plate matcher: entry ${e} refers to list ${list}, but there are ${lists.length} lists`);
      }
      if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
        throw new RangeError(`plate matcher: entry ${e} key ${JSON.stringify(key)} is not a normalised plate`);
      }
      if (typeof expiresAt !== 'number' || Number.isNaN(expiresAt)) {
        throw new RangeError(`plate matcher: entry ${e} has expiresAt ${String(expiresAt)}`);
      }
      f64[e * 4] = expiresAt;
      u32[e * 8 + REC_LIST] = list;
      u8[e * RECORD_BYTES + REC_LENGTH] = key.length;
      for (let i = 0; i < key.length; i++) u8[e * RECORD_BYTES + REC_KEY + i] = key.charCodeAt(i);
      const g = listGroup[list];
      entryGroup[e] = g;
      slotBound[g] += variantBound(key.length, modes[g].k);
    }

    let idBits = 1;
    while (2 ** idBits <= n) idBits++; // entry + 1 must fit: 0 marks an empty slot
    const fpMask = 2 ** (32 - idBits) - 1;

    const codes = new Uint16Array(MAX_KEY_LENGTH);
    const prefix = new Int32Array(MAX_KEY_LENGTH + 1);
    const variants = new Uint32Array(variantBound(MAX_KEY_LENGTH, MAX_EDITS));
    const groups: Group[] = [];
    for (let g = 0; g < modes.length; g++) {
      if (slotBound[g] === 0) continue;
      const { ocr, k, plausible } = modes[g];
      const formats = formatShapes(modes[g].formats === '' ? [] : modes[g].formats.split(','));
      const classes = !ocr ? IDENTITY_TABLE : plausible ? PAIR_TABLE : OCR_TABLE;
      const size = Math.ceil(slotBound[g] * SLOTS_PER_VARIANT) + 1;
      const scale = size / 4294967296;
      const slots = new Uint32Array(size);
      let minLength = Infinity;
      let maxLength = 0;
      const listHasEntries = new Uint8Array(lists.length);
      for (let e = 0; e < n; e++) {
        if (entryGroup[e] !== g) continue;
        const o = e * RECORD_BYTES;
        const len = u8[o + REC_LENGTH];
        if (len < minLength) minLength = len;
        if (len > maxLength) maxLength = len;
        listHasEntries[u32[e * 8 + REC_LIST]] = 1;
        for (let i = 0; i < len; i++) codes[i] = classes[u8[o + REC_KEY + i]];
        variants[0] = prefixHashes(codes, len, prefix);
        const v = 1 + deletionHashes(codes, len, k, prefix, variants, 1);
        for (let i = 0; i < v; i++) {
          const h = variants[i];
          let pos = (h * scale) | 0;
          while (slots[pos] !== 0) if (++pos === size) pos = 0;
          slots[pos] = (((h & fpMask) << idBits) | (e + 1)) >>> 0;
        }
      }
      let listCount = 0;
      for (let l = 0; l < lists.length; l++) listCount += listHasEntries[l];
      groups.push({ ocr, k, plausible, formats, classes, listCount, minLength, maxLength, slots, scale });
    }
    return new PlateMatcher(lists.length, groups, idBits, n, records);
  }

  /** Number of entries. */
  get size(): number {
    return this.entryCount;
  }

  /**
   * Takes an entry out of matching for good (it was replaced or deleted): the one write to the
   * index after build. The caller owns the matcher on its thread, so no reader is torn.
   */
  retire(entry: number): void {
    if (entry >= 0 && entry < this.entryCount) this.recF64[entry * 4] = -Infinity;
  }

  /** Rough bytes held by the index (for metrics and the RSS budget). */
  get byteSize(): number {
    let bytes = this.recU8.byteLength + this.listStamp.byteLength * 4 + this.bestRank.byteLength + 1024;
    for (const g of this.groups) bytes += g.slots.byteLength + 128;
    return bytes;
  }

  /**
   * Best live match per list for a normalised plate; writes into `out` (reused by the caller,
   * length reset here; the PlateMatch objects are new) and returns how many. Matches come in
   * ascending list order.
   */
  match(plate: string, nowMs: number, out: PlateMatch[]): number {
    out.length = 0;
    const qLen = plate.length;
    if (qLen > MAX_QUERY_LENGTH || this.groups.length === 0) return 0;
    const raw = this.rawCodes;
    const cls = this.classCodes;
    const rawKey = this.rawKey;
    for (let i = 0; i < qLen; i++) {
      const c = plate.charCodeAt(i);
      raw[i] = c;
      if (i < MAX_KEY_LENGTH) rawKey[i] = c < 128 ? c : 0xff;
    }
    let clsTable: Uint16Array | null = null;
    for (let i = qLen; i < MAX_KEY_LENGTH; i++) rawKey[i] = 0;
    if (++this.generation === 0xffffffff) {
      this.listStamp.fill(0);
      this.generation = 1;
    }
    this.touchedCount = 0;
    this.seenCount = 0;
    const shape = shapeOf(raw, qLen);

    for (const g of this.groups) {
      const k = g.k;
      if (qLen + k < g.minLength || qLen > g.maxLength + k) continue;
      this.lookalikes = g.ocr ? lookalikeBudget(shape, g.formats) : 0;
      if (g.classes !== IDENTITY_TABLE && g.classes !== clsTable) {
        clsTable = g.classes;
        for (let i = 0; i < qLen; i++) cls[i] = raw[i] < 128 ? clsTable[raw[i]] : raw[i];
      }
      const q = g.classes === IDENTITY_TABLE ? raw : cls;
      const before = this.touchedCount;
      const whole = prefixHashes(q, qLen, this.prefix);
      const v = k === 0 ? 0 : deletionHashes(q, qLen, k, this.prefix, this.variants, 0);
      if (v > 0) {
        // Load every home slot first, in one tight loop of independent loads, so the cache
        // misses of all the probes overlap instead of coming one after another.
        const slots = g.slots;
        const scale = g.scale;
        let sink = slots[(whole * scale) | 0];
        for (let i = 0; i < v; i++) sink ^= slots[(this.variants[i] * scale) | 0];
        this.sink = sink;
      }
      // The whole comparison form: finds every exact and ocr match (and maybe some edits).
      this.probe(g, whole, q, qLen, nowMs);
      if (v === 0) continue;
      // Edits can only matter for lists without an exact or ocr hit.
      let settled = 0;
      for (let i = before; i < this.touchedCount; i++) if (this.bestRank[this.touched[i]] <= RANK_OCR) settled++;
      if (settled >= g.listCount) continue;
      for (let i = 0; i < v; i++) this.probe(g, this.variants[i], q, qLen, nowMs);
    }

    const count = this.touchedCount;
    if (count === 0) return 0;
    const touched = this.touched;
    for (let i = 1; i < count; i++) {
      const l = touched[i];
      let j = i - 1;
      while (j >= 0 && touched[j] > l) {
        touched[j + 1] = touched[j];
        j--;
      }
      touched[j + 1] = l;
    }
    for (let i = 0; i < count; i++) {
      const l = touched[i];
      const rank = this.bestRank[l];
      out.push({
        list: l,
        entry: this.bestEntry[l],
        type: rank === RANK_EXACT ? 'exact' : rank === RANK_OCR ? 'ocr' : 'edit',
        distance: rank <= RANK_OCR ? 0 : rank - RANK_OCR,
      });
    }
    return count;
  }

  /** Looks up one variant hash and verifies each candidate entry not verified yet. */
  private probe(g: Group, h: number, q: Uint16Array, qLen: number, nowMs: number): void {
    const slots = g.slots;
    const size = slots.length;
    const idBits = this.idBits;
    const idMask = this.idMask;
    const fp = (h & this.fpMask) >>> 0;
    let pos = (h * g.scale) | 0;
    for (let slot = slots[pos]; slot !== 0; slot = slots[pos]) {
      if (slot >>> idBits === fp) {
        const e = (slot & idMask) - 1;
        if (!this.seenBefore(e)) this.verify(g, e, q, qLen, nowMs);
      }
      if (++pos === size) pos = 0;
    }
  }

  private seenBefore(e: number): boolean {
    const seen = this.seen;
    const count = this.seenCount;
    for (let i = 0; i < count; i++) if (seen[i] === e) return true;
    if (count < SEEN_CAPACITY) {
      seen[count] = e;
      this.seenCount = count + 1;
    }
    return false;
  }

  private verify(g: Group, e: number, q: Uint16Array, qLen: number, nowMs: number): void {
    if (this.recF64[e * 4] <= nowMs) return;
    const u32 = this.recU32;
    const l = u32[e * 8 + REC_LIST];
    let bestRank = RANK_NONE;
    let bestEntry = 0;
    if (this.listStamp[l] === this.generation) {
      bestRank = this.bestRank[l];
      bestEntry = this.bestEntry[l];
      if (bestRank === RANK_EXACT && e > bestEntry) return;
    }
    const u8 = this.recU8;
    const o = e * RECORD_BYTES;
    const len = u8[o + REC_LENGTH];
    const classes = g.classes;
    let rank = -1;
    const w = e * 8 + REC_KEY_WORD;
    const qw = this.rawKeyWords;
    if (len === qLen && u32[w] === qw[0] && u32[w + 1] === qw[1] && u32[w + 2] === qw[2] && u32[w + 3] === qw[3]) {
      rank = RANK_EXACT;
    } else if (g.plausible) {
      let allowed = g.k;
      if (bestRank !== RANK_NONE) {
        if (bestRank === RANK_EXACT) return;
        const d = bestRank - RANK_OCR;
        allowed = e < bestEntry ? d : d - 1;
      }
      if (allowed < 0) return;
      const d = this.plausibleDistance(o, len, qLen, allowed, classes, this.lookalikes);
      if (d < 0) return;
      rank = RANK_OCR + d;
    } else if (len === qLen && g.ocr) {
      rank = RANK_OCR;
      for (let i = 0; i < len; i++) {
        if (classes[u8[o + REC_KEY + i]] !== q[i]) {
          rank = -1;
          break;
        }
      }
    }
    if (rank < 0) {
      // The Levenshtein model (plausible groups have a rank or have returned by now).
      let maxEdits = g.k;
      if (bestRank !== RANK_NONE) {
        if (bestRank <= RANK_OCR) return;
        const d = bestRank - RANK_OCR;
        const allowed = e < bestEntry ? d : d - 1;
        if (allowed < maxEdits) maxEdits = allowed;
      }
      if (maxEdits < 1) return;
      const kc = this.keyCodes;
      for (let i = 0; i < len; i++) kc[i] = classes[u8[o + REC_KEY + i]];
      const d = boundedDistance(kc, len, q, qLen, maxEdits, this.rowA, this.rowB);
      if (d < 1) return;
      rank = RANK_OCR + d;
    }
    if (bestRank === RANK_NONE) {
      this.listStamp[l] = this.generation;
      this.touched[this.touchedCount++] = l;
    } else if (!(rank < bestRank || (rank === bestRank && e < bestEntry))) {
      return;
    }
    this.bestRank[l] = rank;
    this.bestEntry[l] = e;
  }

  /**
   * Distance of the entry whose record starts at `o` to the read (rawCodes) counting only the
   * misreads a plate reader makes, if it is <= k, else -1 (0: equal up to look-alikes):
   *   - a character dropped or added at either end (the plate's edge cut off, or a bolt or a
   *     frame read as a character): 1 each;
   *   - a digit read as another digit, or a letter as another letter: 1;
   *   - a letter read as its look-alike digit or the reverse (O/0, B/8, …): 0, when
   *     `lookalikes` times at most (see PlateListSpec.formats);
   *   - a letter read as a digit that does not look like it, or the reverse: never.
   * So the read is the entry with up to k characters cut from or added to its two ends, then
   * compared position by position: one pass per shift of the start, O(k·n).
   */
  private plausibleDistance(o: number, len: number, qLen: number, k: number, classes: Uint16Array, lookalikes: number): number {
    const key = this.recU8;
    const read = this.rawCodes;
    let best = -1;
    for (let shift = -k; shift <= k; shift++) {
      // shift > 0: the read lacks the entry's first `shift` characters; < 0: it has extra ones.
      const i0 = o + REC_KEY + (shift > 0 ? shift : 0);
      const j0 = shift < 0 ? -shift : 0;
      const restKey = len - (shift > 0 ? shift : 0);
      const restRead = qLen - j0;
      if (restKey < 1 || restRead < 1) continue;
      const limit = best < 0 ? k : best - 1;
      let cost = (shift < 0 ? -shift : shift) + (restKey > restRead ? restKey - restRead : restRead - restKey);
      const aligned = restKey < restRead ? restKey : restRead;
      let swaps = 0;
      for (let t = 0; t < aligned && cost <= limit; t++) {
        const a = key[i0 + t];
        const b = read[j0 + t];
        if (a === b) continue;
        const tb = b < 128 ? CHAR_TYPE[b] : 0;
        if (tb === CHAR_TYPE[a]) cost++;
        else if (tb === 0 || classes[a] !== classes[b] || ++swaps > lookalikes) cost = FAR;
      }
      if (cost <= limit) best = cost;
    }
    return best;
  }
}
