// The dispatch desk: the live hit board, its map, and the dispatcher's decisions. Hits come from
// the stream and the backlog, merged by id into one HitBoard; updates are applied in batches
// (bufferTime) so that 100 hits/s costs ten renders a second, not a hundred.

import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { bufferTime, catchError, filter, from, map, merge, scan, share, switchMap } from 'rxjs';
import { ApiError, getJson, postJson } from './api.js';
import { type BoardHit, type BoardRows, HitBoard } from './board.js';
import { timezone } from './config.js';
import { cityTime } from './city-time.js';
import { type AckEvent, type AckStatus, type Hit, headline, isPanic } from './hit.js';
import { contextSummary, formatAge, formatDistance, type HitContext } from './hit-context.js';
import { hitStream, type StreamMessage } from './hit-stream.js';
import { HitMap } from './hit-map.js';
import { forbiddenMessage } from './roles.js';
import { me } from './session.js';

/** The backlog loaded when the stream (re)opens: enough for a shift's start, small enough to be quick. */
const BACKLOG = '/api/v1/hits?limit=200';
const RENDER_EVERY_MS = 100;

type Update = StreamMessage | { kind: 'backlog'; hits: Hit[] } | { kind: 'backlog-failed'; why: string };

interface Folded {
  board: HitBoard;
  live: boolean;
  reconnecting: string | null;
  loaded: boolean;
  backlogError: string | null;
  panics: BoardHit[];
}

function describe(err: unknown, action: string): string {
  if (err instanceof ApiError && err.status === 403) return forbiddenMessage(action, ['dispatcher'], me.value?.roles ?? []);
  return err instanceof Error ? err.message : String(err);
}

export function DispatchView() {
  const board = useMemo(() => new HitBoard(), []);
  const rows = useSignal<BoardRows>({ open: [], decided: [], hiddenOpen: 0 });
  const loaded = useSignal(false);
  const live = useSignal(false);
  const reconnecting = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const announcement = useSignal('');
  const selected = useSignal<string | null>(null);
  const context = useSignal<{ data: HitContext | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: false,
  });

  // The picked hit's trail and nearest units. Asked only when a dispatcher picks one: the trail is a
  // person's movements, and each call is written to the audit log.
  useEffect(() => {
    const id = selected.value;
    if (id === null) {
      context.value = { data: null, error: null, loading: false };
      return;
    }
    const abort = new AbortController();
    context.value = { data: null, error: null, loading: true };
    getJson<HitContext>(`/api/v1/hits/${encodeURIComponent(id)}/context`, abort.signal).then(
      (data) => {
        context.value = { data, error: null, loading: false };
      },
      (err) => {
        if (!abort.signal.aborted)
          context.value = { data: null, error: describe(err, "Reading the hit's trail and units"), loading: false };
      },
    );
    return () => abort.abort();
  }, [selected.value]);
  const pick = (id: string) => {
    selected.value = selected.value === id ? null : id;
  };

  useEffect(() => {
    const messages = hitStream().pipe(share());
    // Opened first, then the backlog: a hit published meanwhile comes by one or both, never by neither.
    const backlog = messages.pipe(
      filter((m) => m.kind === 'open'),
      switchMap(() =>
        from(getJson<{ rows: Hit[] }>(BACKLOG)).pipe(
          map((r): Update => ({ kind: 'backlog', hits: r.rows })),
          catchError((err) => from([{ kind: 'backlog-failed', why: describe(err, 'Reading hits') } as Update])),
        ),
      ),
    );
    const sub = merge(messages, backlog)
      .pipe(
        bufferTime(RENDER_EVERY_MS),
        filter((batch) => batch.length > 0),
        scan(
          (f: Folded, batch: Update[]): Folded => {
            const panics: BoardHit[] = [];
            for (const m of batch) {
              if (m.kind === 'open') {
                f.live = true;
                f.reconnecting = null;
              } else if (m.kind === 'down') {
                f.live = false;
                f.reconnecting = `Connection lost (${m.why}); reconnecting in ${Math.ceil(m.retryInMs / 1000)} s…`;
              } else if (m.kind === 'hit') {
                panics.push(...f.board.add([m.hit]).filter((h) => isPanic(h) && !h.ack));
              } else if (m.kind === 'ack') {
                f.board.ack(m.ack);
              } else if (m.kind === 'backlog') {
                panics.push(...f.board.add(m.hits).filter((h) => isPanic(h) && !h.ack));
                f.loaded = true;
                f.backlogError = null;
              } else {
                f.backlogError = m.why;
              }
            }
            return { ...f, panics };
          },
          { board, live: false, reconnecting: null, loaded: false, backlogError: null, panics: [] },
        ),
      )
      .subscribe({
        next: (f) => {
          rows.value = f.board.rows();
          live.value = f.live;
          loaded.value = f.loaded;
          reconnecting.value = f.reconnecting;
          error.value = f.backlogError;
          if (f.panics.length > 0) {
            const p = f.panics[0];
            announcement.value = `Panic alarm${f.panics.length > 1 ? `s: ${f.panics.length}` : ''} at ${p.camera ?? 'unknown camera'}, ${cityTime(p.ts, timezone.value)}`;
          }
        },
        error: (err) => {
          error.value = describe(err, 'The live hit stream');
        },
      });
    return () => sub.unsubscribe();
  }, [board]);

  const decided = (ack: AckEvent) => {
    board.ack(ack);
    rows.value = board.rows();
  };

  const { open, decided: done, hiddenOpen } = rows.value;
  return (
    <section class="dispatch" aria-labelledby="dispatch-title">
      <h2 id="dispatch-title">Dispatch</h2>
      <div class="sr-only" aria-live="assertive" role="alert" data-testid="panic-announcement">
        {announcement.value}
      </div>
      <p class="stream-state" data-testid="stream-state">
        {reconnecting.value ?? (live.value ? 'Live' : 'Connecting to the hit stream…')}
      </p>
      {error.value && (
        <p class="error" role="alert" data-testid="error">
          {error.value}
        </p>
      )}
      <div class="dispatch-body">
        <div class="hit-board" data-testid="hit-board" aria-busy={!loaded.value}>
          {!loaded.value && !error.value && <p class="loading">Loading hits…</p>}
          {loaded.value && open.length === 0 && done.length === 0 && <p class="empty">No hits in the last 24 hours.</p>}
          {open.length > 0 && (
            <ol class="hits open-hits" aria-label="Open hits, most urgent first">
              {open.map((h) => (
                <HitRow key={h.id} hit={h} onDecided={decided} selected={h.id === selected.value} onPick={pick} />
              ))}
            </ol>
          )}
          {hiddenOpen > 0 && <p class="more">{hiddenOpen} older open hits not shown</p>}
          {done.length > 0 && (
            <>
              <h3>Recently decided</h3>
              <ol class="hits decided-hits">
                {done.map((h) => (
                  <HitRow key={h.id} hit={h} onDecided={decided} selected={h.id === selected.value} onPick={pick} />
                ))}
              </ol>
            </>
          )}
        </div>
        <div class="dispatch-map">
          <HitMap
            hits={[...open, ...done]}
            selected={selected.value}
            context={context.value.data}
            timeZone={timezone.value}
            onSelect={pick}
          />
          <ContextPanel selected={selected.value} {...context.value} />
        </div>
      </div>
    </section>
  );
}

function ContextPanel({
  selected,
  data,
  error,
  loading,
}: {
  selected: string | null;
  data: HitContext | null;
  error: string | null;
  loading: boolean;
}) {
  if (selected === null)
    return <p class="hint hit-context">Pick a hit to see its plate's trail of the hour before and the nearest units.</p>;
  return (
    <div class="hit-context" data-testid="hit-context" aria-live="polite" aria-busy={loading}>
      {loading && <p class="loading">Reading the trail and the nearest units…</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {data && (
        <>
          <p>{contextSummary(data)}</p>
          {data.units.length > 0 && (
            <table class="units">
              <caption class="sr-only">Nearest units</caption>
              <thead>
                <tr>
                  <th scope="col">Unit</th>
                  <th scope="col">Distance</th>
                  <th scope="col">Last position</th>
                </tr>
              </thead>
              <tbody>
                {data.units.map((u) => (
                  <tr key={u.camera} data-testid="unit-row" data-camera={u.camera}>
                    <th scope="row">{u.camera}</th>
                    <td data-testid="unit-distance">{formatDistance(u.distanceM)}</td>
                    <td>
                      <time dateTime={u.at}>{cityTime(u.at, timezone.value)}</time> ({formatAge(u.at, Date.now())})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </div>
  );
}

interface RowProps {
  hit: BoardHit;
  onDecided: (ack: AckEvent) => void;
  selected: boolean;
  onPick: (id: string) => void;
}

function HitRow({ hit, onDecided, selected, onPick }: RowProps) {
  const rejecting = useSignal(false);
  const reason = useSignal('');
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  const send = async (status: AckStatus) => {
    busy.value = true;
    error.value = null;
    try {
      const body = status === 'rejected' ? { status, reason: reason.value.trim() } : { status };
      onDecided(await postJson<AckEvent>(`/api/v1/hits/${encodeURIComponent(hit.id)}/ack`, body));
      rejecting.value = false;
    } catch (err) {
      error.value = describe(err, status === 'accepted' ? 'Accepting a hit' : 'Rejecting a hit');
    } finally {
      busy.value = false;
    }
  };

  const panic = isPanic(hit);
  const classes = ['hit', panic ? 'panic' : '', hit.ack ? `decided ${hit.ack.status}` : '', selected ? 'selected' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <li class={classes} data-testid="hit-row" data-hit-id={hit.id} data-priority={hit.priority}>
      <span class="priority" title="priority">
        {hit.priority}
      </span>
      <button
        type="button"
        class="headline"
        data-testid="show-hit"
        aria-pressed={selected}
        title="Show on the map with its trail and the nearest units"
        onClick={() => onPick(hit.id)}
      >
        {headline(hit)}
      </button>
      <span class="camera">{hit.camera ?? '—'}</span>
      <time dateTime={hit.ts}>{cityTime(hit.ts, timezone.value)}</time>
      {hit.ack ? (
        <span class="ack-status" data-testid="ack-status" data-status={hit.ack.status}>
          {hit.ack.status}
          {hit.ack.by ? ` by ${hit.ack.by}` : ''}
          {hit.ack.reason ? `: ${hit.ack.reason}` : ''}
        </span>
      ) : rejecting.value ? (
        <form
          class="reject-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (reason.value.trim().length >= 3) void send('rejected');
          }}
        >
          <label>
            Reason{' '}
            <input
              data-testid="reject-reason"
              value={reason.value}
              onInput={(e) => {
                reason.value = e.currentTarget.value;
              }}
              minLength={3}
              maxLength={1000}
              required
            />
          </label>
          <button type="submit" data-testid="reject-confirm" disabled={busy.value || reason.value.trim().length < 3}>
            Reject
          </button>
          <button
            type="button"
            onClick={() => {
              rejecting.value = false;
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <span class="actions">
          <button type="button" data-testid="ack" disabled={busy.value} onClick={() => void send('accepted')}>
            Accept
          </button>
          <button
            type="button"
            data-testid="reject"
            disabled={busy.value}
            onClick={() => {
              rejecting.value = true;
            }}
          >
            Reject…
          </button>
        </span>
      )}
      {error.value && (
        <span class="error" role="alert">
          {error.value}
        </span>
      )}
    </li>
  );
}
