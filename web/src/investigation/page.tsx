// The Investigation view: where and when a plate was read. A search needs a reason, and the
// engine audits every search and every page before it answers; the form says so. The trail is
// drawn in time order on the map and listed in a table on the city's clock.

import './investigation.css';
import { useSignal } from '@preact/signals';
import { useMemo } from 'preact/hooks';
import { getJson } from '../api.js';
import { cityTime } from '../city-time.js';
import { timezone } from '../config.js';
import { problemOf } from '../analysis/answer.js';
import { TrailMap } from './trail-map.js';
import { appendPage, type PlateSearch, type Sighting, sightingsUrl, trailOrder, trailPoints } from './trail.js';

interface SightingsAnswer {
  rows: Sighting[];
  plate: string;
  from: string;
  to: string;
  nextCursor: string | null;
}

interface Found {
  search: PlateSearch;
  plate: string;
  from: string;
  to: string;
  rows: Sighting[];
  nextCursor: string | null;
}

export function InvestigationPage() {
  const plate = useSignal('');
  const reason = useSignal('');
  const from = useSignal('');
  const to = useSignal('');
  const fuzzy = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const found = useSignal<Found | null>(null);

  const search = async (e: Event) => {
    e.preventDefault();
    const s: PlateSearch = { plate: plate.value, reason: reason.value, from: from.value, to: to.value, fuzzy: fuzzy.value };
    busy.value = true;
    error.value = null;
    try {
      const page = await getJson<SightingsAnswer>(sightingsUrl(s));
      found.value = {
        search: s,
        plate: page.plate,
        from: page.from,
        to: page.to,
        rows: trailOrder(page.rows),
        nextCursor: page.nextCursor,
      };
    } catch (err) {
      found.value = null;
      error.value = problemOf(err, 'Searching sightings').message;
    } finally {
      busy.value = false;
    }
  };

  const more = async () => {
    const f = found.value;
    if (!f?.nextCursor) return;
    busy.value = true;
    error.value = null;
    try {
      const page = await getJson<SightingsAnswer>(sightingsUrl(f.search, f.nextCursor));
      found.value = { ...f, rows: appendPage(f.rows, page.rows), nextCursor: page.nextCursor };
    } catch (err) {
      error.value = problemOf(err, 'Searching sightings').message;
    } finally {
      busy.value = false;
    }
  };

  const f = found.value;
  const rows = f?.rows ?? [];
  const points = useMemo(() => trailPoints(rows), [rows]);
  const zone = timezone.value;

  return (
    <section class="investigation" aria-labelledby="investigation-title">
      <h2 id="investigation-title">Investigation</h2>
      <form class="plate-search" data-testid="plate-search" onSubmit={(e) => void search(e)} aria-describedby="audit-note">
        <label>
          Plate or pattern{' '}
          <input
            name="plate"
            data-testid="plate-input"
            value={plate.value}
            required
            maxLength={64}
            autoComplete="off"
            spellcheck={false}
            aria-describedby="plate-help"
            onInput={(e) => {
              plate.value = e.currentTarget.value;
            }}
          />
        </label>
        <span id="plate-help" class="help">
          <code>*</code> any run of characters, <code>?</code> exactly one; a pattern needs at least 3 letters or digits.
        </span>
        <label>
          From{' '}
          <input
            type="date"
            data-testid="plate-from"
            value={from.value}
            max={to.value || undefined}
            onChange={(e) => {
              from.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          To (included){' '}
          <input
            type="date"
            data-testid="plate-to"
            value={to.value}
            min={from.value || undefined}
            onChange={(e) => {
              to.value = e.currentTarget.value;
            }}
          />
        </label>
        <label class="inline">
          <input
            type="checkbox"
            data-testid="plate-fuzzy"
            checked={fuzzy.value}
            onChange={(e) => {
              fuzzy.value = e.currentTarget.checked;
            }}
          />{' '}
          Also OCR look-alikes (O/0, I/1, B/8, S/5, Z/2, G/6)
        </label>
        <label class="reason">
          Reason for this search{' '}
          <input
            name="reason"
            data-testid="plate-reason"
            value={reason.value}
            required
            minLength={3}
            maxLength={500}
            aria-describedby="audit-note"
            onInput={(e) => {
              reason.value = e.currentTarget.value;
            }}
          />
        </label>
        <p id="audit-note" class="audit-note">
          Every search and every further page is written to the audit log with your name and this reason. Days are on the city's clock (
          {zone}); with no days given, the last 24 hours are searched.
        </p>
        <button type="submit" data-testid="plate-submit" disabled={busy.value}>
          Search
        </button>
      </form>

      {busy.value && <p class="loading">Searching…</p>}
      {error.value && (
        <p class="error" role="alert" data-testid="plate-error">
          {error.value}
        </p>
      )}

      {f && (
        <div class="trail" data-testid="trail">
          <p class="summary" aria-live="polite">
            {rows.length === 0
              ? `No sightings of ${f.plate} from ${cityTime(f.from, zone)} to ${cityTime(f.to, zone)}.`
              : `${rows.length}${f.nextCursor ? '+' : ''} sightings of ${f.plate} from ${cityTime(f.from, zone)} to ${cityTime(f.to, zone)}${
                  points.length < rows.length ? `; ${rows.length - points.length} without a position are not on the map` : ''
                }.`}
          </p>
          <div class="trail-body">
            <TrailMap points={points} timeZone={zone} />
            <div class="trail-table">
              <table class="sightings" data-testid="sightings">
                <caption class="sr-only">Sightings in time order</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Time</th>
                    <th scope="col">Camera</th>
                    <th scope="col">Area</th>
                    <th scope="col">Plate</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r, i) => (
                    <tr key={`${r.ts}|${r.id ?? i}`} data-testid="sighting-row">
                      <td>{i + 1}</td>
                      <td>
                        <time dateTime={r.ts}>{cityTime(r.ts, zone)}</time>
                      </td>
                      <td>{r.camera ?? '—'}</td>
                      <td>{r.area ?? '—'}</td>
                      <td>{r.plate}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {f.nextCursor && (
                <button type="button" data-testid="load-more" disabled={busy.value} onClick={() => void more()}>
                  Load more
                </button>
              )}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
