// Free-form JSON stored as it came (a read's or a camera's `attrs`): bounded in depth and size,
// and all its text well-formed Unicode. 5,000 levels made JSON.stringify overflow the stack when
// it was stored, and a lone surrogate made DuckDB's JSON refuse the write. The walk is
// iterative, so the input's depth cannot decide this function's stack either.

/** A UTF-16 surrogate without its partner: not Unicode text, and DuckDB's JSON refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` is well-formed Unicode (String.prototype.isWellFormed, which ES2022 lacks). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

export type FreeJsonProblem = 'text' | 'key' | 'depth' | 'size';

/** The first problem found in `value`, or null. `maxBytes` bounds an estimate of its JSON size. */
export function freeJsonProblem(value: unknown, maxDepth: number, maxBytes = Infinity): FreeJsonProblem | null {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let bytes = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      bytes += v.length + 2;
      if (!isWellFormedText(v)) return 'text';
    } else if (v instanceof Uint8Array) {
      bytes += v.byteLength * 6; // JSON writes a bin as {"0":n,…}
    } else if (typeof v === 'object' && v !== null && !(v instanceof Date)) {
      if (depth > maxDepth) return 'depth';
      if (Array.isArray(v)) {
        bytes += 2 + v.length;
        for (const child of v) stack.push([child, depth + 1]);
      } else {
        for (const [k, child] of Object.entries(v)) {
          bytes += k.length + 4;
          if (!isWellFormedText(k)) return 'key';
          stack.push([child, depth + 1]);
        }
      }
    } else {
      bytes += 24;
    }
    if (bytes > maxBytes) return 'size';
  }
  return null;
}
