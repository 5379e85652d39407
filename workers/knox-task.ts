// The Knox test on a pool thread (piscina; engine/analytics/knox-pool.ts): permutations take from
// a fraction of a second to tens of seconds, and the API's event loop (shared with ingest) must
// not wait for them.

import { knoxTest } from '../engine/analytics/knox.js';
import type { KnoxReply, KnoxTask } from '../engine/analytics/knox-pool.js';

/** Errors of the data come back as a message (the API's 400), not as a failed run (a 500). */
export default function knoxTask({ x, y, day, opts }: KnoxTask): KnoxReply {
  try {
    return { ok: true, result: knoxTest({ x, y, day }, opts) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
