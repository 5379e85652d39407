// What a Rules list shows besides its rows: why it could not be read (with a retry), that it is
// loading, or that it is empty.

interface Props {
  /** The list's name in the sentences and its test ids: `watchlists`, `geofences`. */
  noun: string;
  error: string | null;
  loading: boolean;
  empty: boolean;
  reload: () => void;
}

export function ListState({ noun, error, loading, empty, reload }: Props) {
  return (
    <>
      {error && (
        <p class="error" role="alert" data-testid={`${noun}-error`}>
          {error}{' '}
          <button type="button" onClick={reload}>
            Try again
          </button>
        </p>
      )}
      {loading && <p class="loading">Loading {noun}…</p>}
      {empty && <p class="empty">No {noun} yet.</p>}
    </>
  );
}
