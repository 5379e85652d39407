// Sending a file's entries: one per key (the last kept), in requests of at most CHUNK_SIZE, one
// after the other so that a later entry of a key always lands after an earlier one. The first
// refused request stops the upload; what the requests before it stored stays stored (each is
// its own transaction on the engine), and the message says so and names the file's line.

import { chunks, type Entry, type LinedEntry, lastPerKey, uploadSummary, withLines } from './entries-csv.js';

export interface EntriesAnswer {
  upserted: number;
  repeated?: number;
}

export interface Sent {
  upserted: number;
  /** Keys repeated in the file (as the page compares them) plus those the engine found equal besides. */
  repeated: number;
  /** "1,204 entries added or replaced; …" when every request was taken. */
  summary: string | null;
  error: string | null;
}

export async function sendEntries(
  file: readonly LinedEntry[],
  post: (entries: Entry[]) => Promise<EntriesAnswer>,
  describe: (err: unknown) => string,
  onPart: (part: number, parts: number) => void = () => {},
  size?: number,
): Promise<Sent> {
  const { entries, repeated } = lastPerKey(file);
  const parts = chunks(entries, size);
  let upserted = 0;
  let repeatedByApi = 0;
  for (const [i, part] of parts.entries()) {
    onPart(i + 1, parts.length);
    try {
      const answer = await post(part.map((e) => e.entry));
      upserted += answer.upserted;
      // Keys the engine found equal that the page could not (Cyrillic look-alike letters).
      repeatedByApi += answer.repeated ?? 0;
    } catch (err) {
      const stored =
        upserted > 0 ? ` The ${upserted.toLocaleString('en-GB')} entries of the requests before it were stored.` : ' Nothing was stored.';
      return { upserted, repeated: repeated + repeatedByApi, summary: null, error: `${withLines(describe(err), part)}.${stored}` };
    }
  }
  return { upserted, repeated: repeated + repeatedByApi, summary: uploadSummary(upserted, repeated + repeatedByApi), error: null };
}
