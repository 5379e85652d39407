// The Rules view's entry files (web/src/rules/csv.ts, entries-csv.ts): RFC 4180 records with the
// file's line of each, header checks, entries with their lines, repeats, chunks, and the API's
// body[i] errors turned into lines of the file.

import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv } from '../../web/src/rules/csv.js';
import { chunks, entriesFromCsv, lastPerKey, uploadSummary, withLines } from '../../web/src/rules/entries-csv.js';
import { sendEntries } from '../../web/src/rules/entries-send.js';

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
}

describe('parseCsv', () => {
  it('reads plain fields, LF and CRLF, with or without a final line break', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
    ]);
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual(parseCsv('a,b\n1,2\n'));
    expect(parseCsv('a\r1\r')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['1'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and counts the lines they span', () => {
    const text = 'key,label\r\n"01 A 111 AA","red, ""fast"" sedan"\r\n"X1","two\r\nlines"\r\nY2,after\r\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['key', 'label'] },
      { line: 2, fields: ['01 A 111 AA', 'red, "fast" sedan'] },
      { line: 3, fields: ['X1', 'two\r\nlines'] },
      { line: 5, fields: ['Y2', 'after'] },
    ]);
  });

  it('keeps empty fields, an empty quoted field, and a trailing comma', () => {
    expect(parseCsv('a,,c\n"",x,\n')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 2, fields: ['', 'x', ''] },
    ]);
  });

  it('skips blank lines but keeps counting them, and drops a byte-order mark', () => {
    expect(parseCsv('\ufeffkey\n\nA1\n\n\nB2\n\n')).toEqual([
      { line: 1, fields: ['key'] },
      { line: 3, fields: ['A1'] },
      { line: 6, fields: ['B2'] },
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('refuses an unclosed quote, text after a closing quote, and a quote inside an unquoted field, naming the line', () => {
    const open = thrown(() => parseCsv('key\n"A1\nB2\n'));
    expect(open).toBeInstanceOf(CsvError);
    expect(open.message).toBe('line 2: a quoted field is not closed');
    expect(thrown(() => parseCsv('key\n"A1"x\n')).message).toMatch(/^line 2: text after a closing quote/);
    expect(thrown(() => parseCsv('key\nA1\n12" wheel\n')).message).toMatch(/^line 3: a quote inside an unquoted field/);
  });
});

describe('entriesFromCsv', () => {
  it('reads the columns in any order and case, trims, leaves empty cells out, and keeps each entry’s line', () => {
    const text =
      'Label,KEY,expiresAt,reference\r\nred sedan, 01 A 111 AA ,2027-01-31,case 7\r\n,01B222BB,,\r\n"multi\nline",X9,,\r\nlast,Z1,,\r\n';
    expect(entriesFromCsv(text)).toEqual([
      { line: 2, entry: { key: '01 A 111 AA', label: 'red sedan', expiresAt: '2027-01-31', reference: 'case 7' } },
      { line: 3, entry: { key: '01B222BB' } },
      { line: 4, entry: { key: 'X9', label: 'multi\nline' } },
      { line: 6, entry: { key: 'Z1', label: 'last' } },
    ]);
  });

  it('needs a key column, refuses unknown and doubled columns, empty keys, ragged rows and over-long values', () => {
    expect(thrown(() => entriesFromCsv('')).message).toMatch(/^line 1: the file is empty/);
    expect(thrown(() => entriesFromCsv('label\nx\n')).message).toMatch(/^line 1: the header has no key column/);
    expect(thrown(() => entriesFromCsv('key,expires_at\nA1,2027-01-01\n')).message).toBe(
      "line 1: unknown column 'expires_at': the columns are key, label, reference, expiresAt",
    );
    expect(thrown(() => entriesFromCsv('key,Key\nA1,B2\n')).message).toBe('line 1: the column key is named twice');
    expect(thrown(() => entriesFromCsv('key,label\nA1,x\n  ,y\n')).message).toBe('line 3: key is empty');
    expect(thrown(() => entriesFromCsv('key,label\nA1,x,extra\n')).message).toBe('line 2: 3 fields where the header has 2');
    expect(thrown(() => entriesFromCsv(`key,label\nA1,${'x'.repeat(501)}\n`)).message).toBe('line 2: label is longer than 500 characters');
  });

  it('reads just a header as no entries', () => {
    expect(entriesFromCsv('key,label\r\n')).toEqual([]);
  });
});

describe('lastPerKey', () => {
  it('keeps the last entry of a key, where it last occurred, treating case, spaces and dashes as the engine does', () => {
    const file = entriesFromCsv('key,label\nA1,first\nB2,b\n a-1 ,second\nC3,c\nb 2,again\nA1,third\n');
    const { entries, repeated } = lastPerKey(file);
    expect(repeated).toBe(2);
    expect(entries.map((e) => [e.line, e.entry.label])).toEqual([
      [5, 'c'],
      [6, 'again'],
      [7, 'third'],
    ]);
  });

  it('counts nothing when every key is distinct', () => {
    expect(lastPerKey(entriesFromCsv('key\nA1\nB2\n')).repeated).toBe(0);
  });
});

describe('chunks', () => {
  it('cuts at most 10,000 entries per request, in order', () => {
    const items = Array.from({ length: 20_001 }, (_, i) => i);
    const cut = chunks(items);
    expect(cut.map((c) => c.length)).toEqual([10_000, 10_000, 1]);
    expect(cut.flat()).toEqual(items);
    expect(chunks([])).toEqual([]);
    expect(chunks([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(() => chunks([1], 0)).toThrow(RangeError);
  });
});

describe('withLines', () => {
  it("names the file's line of the body[i] the API refused, in the chunk it answered", () => {
    const chunk = entriesFromCsv('key\nA1\n"B\n2"\n!!\n');
    expect(withLines("body[2].key '!!' is not 2–16 letters and digits once normalised", chunk)).toBe(
      "line 5 (body[2]).key '!!' is not 2–16 letters and digits once normalised",
    );
    expect(withLines('body[9].key is bad', chunk)).toBe('body[9].key is bad');
    expect(withLines('no watchlist wl-1', chunk)).toBe('no watchlist wl-1');
  });
});

describe('uploadSummary', () => {
  it('says how many entries went in and how many keys repeated', () => {
    expect(uploadSummary(1204, 3)).toBe('1,204 entries added or replaced; 3 keys appeared more than once, the last one kept');
    expect(uploadSummary(1, 1)).toBe('1 entry added or replaced; 1 key appeared more than once, the last one kept');
    expect(uploadSummary(2, 0)).toBe('2 entries added or replaced; no key appeared more than once');
  });
});

describe('sendEntries', () => {
  const file = entriesFromCsv('key,label\nA1,a\nB2,b\nC3,c\na 1,again\nD4,d\nE5,e\n');

  it('sends one entry per key in parts, in order, and sums what the API answers', async () => {
    const sent: string[][] = [];
    const parts: string[] = [];
    const result = await sendEntries(
      file,
      async (entries) => {
        sent.push(entries.map((e) => e.key));
        return { upserted: entries.length, repeated: sent.length === 2 ? 1 : 0 };
      },
      String,
      (part, of) => parts.push(`${part}/${of}`),
      2,
    );
    expect(sent).toEqual([['B2', 'C3'], ['a 1', 'D4'], ['E5']]);
    expect(parts).toEqual(['1/3', '2/3', '3/3']);
    // One repeat seen in the file, one more the engine found (say, a Cyrillic look-alike).
    expect(result).toEqual({
      upserted: 5,
      repeated: 2,
      summary: '5 entries added or replaced; 2 keys appeared more than once, the last one kept',
      error: null,
    });
  });

  it('stops at the first refused part, naming the line, and says what was stored before it', async () => {
    let calls = 0;
    const result = await sendEntries(
      file,
      async (entries) => {
        calls++;
        if (calls === 2) throw new Error("body[1].key 'D4' is not a plate");
        return { upserted: entries.length, repeated: 0 };
      },
      (err) => (err as Error).message,
      undefined,
      2,
    );
    expect(calls).toBe(2);
    expect(result.summary).toBeNull();
    expect(result.error).toBe("line 6 (body[1]).key 'D4' is not a plate. The 2 entries of the requests before it were stored.");
    const first = await sendEntries(
      file,
      () => Promise.reject(new Error('body[0].key bad')),
      (err) => (err as Error).message,
    );
    expect(first.error).toBe('line 3 (body[0]).key bad. Nothing was stored.');
  });
});
