// The Rules view (admins): watchlists with their entries, and geofences drawn on a map. The
// watchlists are read once here: the geofence form offers the plate lists as its filter.

import './rules.css';
import { GeofencesPanel } from './geofences.js';
import type { WatchlistRow } from './rule-forms.js';
import { useLoaded } from './rules-data.js';
import { WatchlistsPanel } from './watchlists.js';

export function RulesPage() {
  const lists = useLoaded<{ rows: WatchlistRow[] }>('/api/v1/watchlists', 'Reading watchlists');
  return (
    <section class="rules" aria-labelledby="rules-title">
      <h2 id="rules-title">Rules</h2>
      <WatchlistsPanel lists={lists.state} reload={lists.reload} />
      <GeofencesPanel lists={lists.state} />
    </section>
  );
}
