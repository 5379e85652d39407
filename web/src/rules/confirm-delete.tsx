// Deleting a watchlist or a geofence takes two presses: "Delete…", then a confirmation that says
// what goes. In the page rather than window.confirm, so it reads the same to a screen reader and
// the keyboard, and the focus lands on the choice.

import { useSignal } from '@preact/signals';
import { request } from '../api.js';
import { problem } from './rules-data.js';

interface Props {
  /** DELETE is sent here. */
  path: string;
  /** "the watchlist stolen cars and its 1,204 entries". */
  what: string;
  action: string;
  onDeleted: () => void;
}

export function ConfirmDelete({ path, what, action, onDeleted }: Props) {
  const asking = useSignal(false);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);

  const remove = async () => {
    busy.value = true;
    error.value = null;
    try {
      await request(path, { method: 'DELETE' });
      asking.value = false;
      onDeleted();
    } catch (err) {
      error.value = problem(err, action);
    } finally {
      busy.value = false;
    }
  };

  return (
    <span class="confirm-delete">
      {asking.value ? (
        <span>
          Delete {what}? {/* biome-ignore lint/a11y/noAutofocus: the confirmation replaces the button that had the focus */}
          <button type="button" class="danger" data-testid="confirm-delete" disabled={busy.value} onClick={() => void remove()} autoFocus>
            Delete
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              asking.value = false;
            }}
          >
            Cancel
          </button>
        </span>
      ) : (
        <button
          type="button"
          data-testid="delete"
          onClick={() => {
            asking.value = true;
          }}
        >
          Delete…
        </button>
      )}
      {error.value && (
        <span class="error" role="alert">
          {error.value}
        </span>
      )}
    </span>
  );
}
