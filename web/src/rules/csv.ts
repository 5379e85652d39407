// An RFC 4180 reader for the entry files admins export from case systems and spreadsheets:
// quoted fields with commas, line breaks and doubled quotes, CRLF or LF (or a lone CR), a UTF-8
// byte-order mark (Excel writes one). Written here rather than taken from a library because
// the upload must name the *file's* line of each record — a quoted field may span lines — and
// the whole reader is smaller than any library's line-number plumbing.

export interface CsvRecord {
  /** 1-based line of the file on which the record starts. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/**
 * Every record of `text`. Lines holding nothing at all are skipped (a trailing line break, a
 * blank line left at the end by an editor), not read as a record of one empty field. A quote
 * may only open a field or, doubled, stand inside a quoted one: anything else is a CsvError
 * naming its line, because guessing would shift columns silently.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = s.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let blank = true;
    // One record: fields until an unquoted line break or the end of the text.
    for (;;) {
      let field = '';
      if (s[i] === '"') {
        blank = false;
        i++;
        for (;;) {
          if (i >= n) throw new CsvError(start, 'a quoted field is not closed');
          const c = s[i];
          if (c === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\r' || c === '\n') {
            // A line break inside quotes is part of the field, and still a line of the file.
            if (c === '\r' && s[i + 1] === '\n') {
              field += '\r\n';
              i += 2;
            } else {
              field += c;
              i++;
            }
            line++;
            continue;
          }
          field += c;
          i++;
        }
        if (i < n && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') {
          throw new CsvError(line, 'text after a closing quote (a quote inside a quoted field is written "")');
        }
      } else {
        let j = i;
        while (j < n && s[j] !== ',' && s[j] !== '\r' && s[j] !== '\n') {
          if (s[j] === '"') throw new CsvError(line, 'a quote inside an unquoted field (quote the whole field and double the quote)');
          j++;
        }
        field = s.slice(i, j);
        if (j > i) blank = false;
        i = j;
      }
      fields.push(field);
      if (i < n && s[i] === ',') {
        blank = false;
        i++;
        continue;
      }
      break;
    }
    // At a line break or the end.
    if (s[i] === '\r') i += s[i + 1] === '\n' ? 2 : 1;
    else if (s[i] === '\n') i++;
    line++;
    if (!blank) records.push({ line: start, fields });
  }
  return records;
}
