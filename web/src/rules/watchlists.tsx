// Watchlists: what is listed, on which legal basis, until when, and how its hits were judged in
// the last 24 h; a new list (the legal basis is required); its entries from a CSV file; deletion.

import { type Signal, useSignal } from '@preact/signals';
import { cityTime } from '../city-time.js';
import { timezone } from '../config.js';
import { cityToday } from './city-date.js';
import { ConfirmDelete } from './confirm-delete.js';
import { ListState } from './list-state.js';
import { EntriesUpload } from './entries-upload.js';
import { NEW_WATCHLIST, type WatchlistFields, type WatchlistRow, watchlistBody } from './rule-forms.js';
import { type Loaded, useCreate } from './rules-data.js';

const count = new Intl.NumberFormat('en-GB');

interface Props {
  lists: Signal<Loaded<{ rows: WatchlistRow[] }>>;
  reload: () => void;
}

export function WatchlistsPanel({ lists, reload }: Props) {
  const uploadTo = useSignal<string | null>(null);
  const { data, error, loading } = lists.value;
  const rows = data?.rows ?? [];
  const uploading = rows.find((w) => w.id === uploadTo.value);

  return (
    <section class="rules-panel watchlists" aria-labelledby="watchlists-title" aria-busy={loading} data-testid="watchlists">
      <h3 id="watchlists-title">Watchlists</h3>
      <ListState noun="watchlists" error={error} loading={loading && !data} empty={Boolean(data) && rows.length === 0} reload={reload} />
      {rows.length > 0 && (
        <div class="table-scroll">
          <table class="rules-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Priority</th>
                <th scope="col">Legal basis</th>
                <th scope="col">Expires</th>
                <th scope="col">Entries</th>
                <th scope="col">Hits 24 h</th>
                <th scope="col" title="accepted ÷ decided, once 10 hits are decided">
                  Precision 24 h
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((w) => (
                <tr key={w.id} data-testid="watchlist-row" data-watchlist-id={w.id}>
                  <th scope="row">{w.name}</th>
                  <td>{w.kind}</td>
                  <td>{w.priority}</td>
                  <td class="legal-basis">{w.legalBasis}</td>
                  <td>{w.expiresAt ? cityTime(w.expiresAt, timezone.value) : 'never'}</td>
                  <td data-testid="watchlist-entries">{count.format(w.entries)}</td>
                  <td>{count.format(w.hits24h)}</td>
                  <td>{w.precision === null ? '—' : `${(w.precision * 100).toFixed(1)} %`}</td>
                  <td class="actions">
                    {w.kind === 'plate' ? (
                      <button
                        type="button"
                        data-testid="upload-entries"
                        aria-expanded={uploadTo.value === w.id}
                        onClick={() => {
                          uploadTo.value = w.id;
                        }}
                      >
                        Add entries…
                      </button>
                    ) : (
                      <span class="hint" title="face entries carry embeddings: POST /api/v1/watchlists/:id/entries">
                        entries by API
                      </span>
                    )}{' '}
                    <ConfirmDelete
                      path={`/api/v1/watchlists/${encodeURIComponent(w.id)}`}
                      what={`the watchlist ${w.name} and its ${count.format(w.entries)} entries`}
                      action="Deleting a watchlist"
                      onDeleted={reload}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {uploading && (
        <EntriesUpload
          key={uploading.id}
          list={uploading}
          onUploaded={reload}
          onClose={() => {
            uploadTo.value = null;
          }}
        />
      )}
      <NewWatchlist onCreated={reload} />
    </section>
  );
}

function NewWatchlist({ onCreated }: { onCreated: () => void }) {
  const fields = useSignal<WatchlistFields>(NEW_WATCHLIST);
  const { busy, error, done, create } = useCreate('/api/v1/watchlists', 'Creating a watchlist');
  const f = fields.value;
  const set = (change: Partial<WatchlistFields>) => {
    fields.value = { ...fields.value, ...change };
  };

  const submit = async () => {
    if (await create(watchlistBody(fields.value, timezone.value, Date.now()), (w) => `Watchlist ${w.name} created.`)) {
      fields.value = NEW_WATCHLIST;
      onCreated();
    }
  };

  return (
    <form
      class="rules-form"
      data-testid="new-watchlist"
      aria-labelledby="new-watchlist-title"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h4 id="new-watchlist-title">New watchlist</h4>
      <label>
        Name
        <input data-testid="wl-name" value={f.name} maxLength={200} required onInput={(e) => set({ name: e.currentTarget.value })} />
      </label>
      <label>
        Kind
        <select data-testid="wl-kind" value={f.kind} onChange={(e) => set({ kind: e.currentTarget.value as 'plate' | 'face' })}>
          <option value="plate">plate</option>
          <option value="face">face</option>
        </select>
      </label>
      <label>
        Priority (0–100)
        <input
          data-testid="wl-priority"
          type="number"
          min={0}
          max={100}
          step={1}
          value={f.priority}
          required
          onInput={(e) => set({ priority: e.currentTarget.value })}
        />
      </label>
      <label class="wide">
        Legal basis (required: the law, order or warrant this list rests on)
        <textarea
          data-testid="wl-legal-basis"
          value={f.legalBasis}
          minLength={3}
          maxLength={1000}
          required
          rows={2}
          onInput={(e) => set({ legalBasis: e.currentTarget.value })}
        />
      </label>
      <label>
        Expires (00:00 of the day, city time; empty: never)
        <input
          data-testid="wl-expires"
          type="date"
          value={f.expires}
          min={cityToday(Date.now(), timezone.value)}
          onInput={(e) => set({ expires: e.currentTarget.value })}
        />
      </label>
      <label>
        Cooldown (s)
        <input type="number" min={0} max={86400} step={1} value={f.cooldown} onInput={(e) => set({ cooldown: e.currentTarget.value })} />
      </label>
      <label class="check">
        <input type="checkbox" checked={f.alertOnRead} onChange={(e) => set({ alertOnRead: e.currentTarget.checked })} /> A read of a listed
        subject is a hit (off: the list only serves geofences)
      </label>
      {f.kind === 'plate' ? (
        <fieldset>
          <legend>Plate matching</legend>
          <label class="check">
            <input type="checkbox" checked={f.ocrEquivalence} onChange={(e) => set({ ocrEquivalence: e.currentTarget.checked })} />{' '}
            Look-alikes (O/0, I/1, B/8, S/5, Z/2, G/6)
          </label>
          <label>
            Edits beyond look-alikes
            <select value={f.maxEdits} onChange={(e) => set({ maxEdits: e.currentTarget.value })}>
              <option value="0">0 (precise, the default)</option>
              <option value="1">1</option>
              <option value="2">2</option>
            </select>
          </label>
          {f.maxEdits !== '0' && (
            <label>
              Priority of a hit by edit (empty: the list's − 20)
              <input
                type="number"
                min={0}
                max={100}
                step={1}
                value={f.editPriority}
                onInput={(e) => set({ editPriority: e.currentTarget.value })}
              />
            </label>
          )}
        </fieldset>
      ) : (
        <label>
          Face similarity threshold (−1 to 1)
          <input
            type="number"
            min={-1}
            max={1}
            step={0.01}
            value={f.threshold}
            onInput={(e) => set({ threshold: e.currentTarget.value })}
          />
        </label>
      )}
      <div class="form-actions">
        <button type="submit" data-testid="wl-create" disabled={busy.value}>
          Create watchlist
        </button>
        {error.value && (
          <span class="error" role="alert" data-testid="wl-error">
            {error.value}
          </span>
        )}
        {done.value && (
          <span class="done" role="status" data-testid="wl-done">
            {done.value}
          </span>
        )}
      </div>
    </form>
  );
}
