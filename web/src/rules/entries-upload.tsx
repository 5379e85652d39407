// Adding entries to a plate watchlist from a CSV file: read and checked in the browser (the line
// of any problem named before anything is sent), previewed, then sent in requests of at most
// 10,000 entries. A key given more than once keeps its last entry, as the API does; the result
// says how many keys repeated, across the whole file.

import { useSignal } from '@preact/signals';
import { postJson } from '../api.js';
import { CsvError } from './csv.js';
import { entriesFromCsv, type LinedEntry, lastPerKey } from './entries-csv.js';
import { type EntriesAnswer, sendEntries } from './entries-send.js';
import { problem } from './rules-data.js';
import type { WatchlistRow } from './rule-forms.js';

const PREVIEW_ROWS = 5;
const count = new Intl.NumberFormat('en-GB');

interface Read {
  file: string;
  entries: LinedEntry[];
  /** Keys given more than once in the file: said before sending, not only after. */
  repeated: number;
}

export function EntriesUpload({ list, onUploaded, onClose }: { list: WatchlistRow; onUploaded: () => void; onClose: () => void }) {
  const read = useSignal<Read | null>(null);
  const error = useSignal<string | null>(null);
  const progress = useSignal<string | null>(null);
  const result = useSignal<string | null>(null);

  const choose = async (input: HTMLInputElement) => {
    read.value = null;
    error.value = null;
    result.value = null;
    const file = input.files?.[0];
    if (!file) return;
    try {
      const entries = entriesFromCsv(await file.text());
      if (entries.length === 0) error.value = `${file.name} has a header and no entries.`;
      else read.value = { file: file.name, entries, repeated: lastPerKey(entries).repeated };
    } catch (err) {
      error.value = err instanceof CsvError ? `${file.name}, ${err.message}` : `${file.name} could not be read: ${(err as Error).message}`;
    }
  };

  const upload = async (r: Read) => {
    error.value = null;
    result.value = null;
    const sent = await sendEntries(
      r.entries,
      (entries) => postJson<EntriesAnswer>(`/api/v1/watchlists/${encodeURIComponent(list.id)}/entries`, entries),
      (err) => problem(err, 'Adding watchlist entries'),
      (part, parts) => {
        progress.value = parts > 1 ? `Sending part ${part} of ${parts}…` : 'Sending…';
      },
    );
    progress.value = null;
    error.value = sent.error;
    result.value = sent.summary;
    if (sent.error === null) read.value = null;
    if (sent.upserted > 0) onUploaded();
  };

  const r = read.value;
  const busy = progress.value !== null;
  return (
    <section class="entries-upload" aria-labelledby="entries-upload-title" data-testid="entries-upload">
      <h4 id="entries-upload-title">Add entries to {list.name}</h4>
      <p class="hint">
        A CSV file with the header <code>key,label,reference,expiresAt</code> (only <code>key</code> is required; an expiry is a date,
        midnight on the city's clock, or a time with its zone). A plate already on the list is replaced.
      </p>
      <label>
        CSV file{' '}
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="entries-file"
          disabled={busy}
          onChange={(e) => void choose(e.currentTarget)}
        />
      </label>
      {r && (
        <div class="preview" data-testid="entries-preview">
          <p data-testid="entries-count">
            {count.format(r.entries.length)} {r.entries.length === 1 ? 'entry' : 'entries'} in {r.file}
            {r.repeated > 0 &&
              `, ${count.format(r.repeated)} ${r.repeated === 1 ? 'key' : 'keys'} more than once (the last entry of each is kept)`}
            {r.entries.length > PREVIEW_ROWS ? `; the first ${PREVIEW_ROWS}:` : ':'}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Key</th>
                <th scope="col">Label</th>
                <th scope="col">Reference</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {r.entries.slice(0, PREVIEW_ROWS).map((e) => (
                <tr key={e.line}>
                  <td>{e.line}</td>
                  <td>{e.entry.key}</td>
                  <td>{e.entry.label ?? ''}</td>
                  <td>{e.entry.reference ?? ''}</td>
                  <td>{e.entry.expiresAt ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" data-testid="entries-send" disabled={busy} onClick={() => void upload(r)}>
            Add {count.format(r.entries.length)} {r.entries.length === 1 ? 'entry' : 'entries'}
          </button>
        </div>
      )}
      {progress.value && (
        <p class="loading" role="status">
          {progress.value}
        </p>
      )}
      {error.value && (
        <p class="error" role="alert" data-testid="entries-error">
          {error.value}
        </p>
      )}
      {result.value && (
        <p class="done" role="status" data-testid="entries-result">
          {result.value}
        </p>
      )}
      <button type="button" onClick={onClose} disabled={busy}>
        Close
      </button>
    </section>
  );
}
