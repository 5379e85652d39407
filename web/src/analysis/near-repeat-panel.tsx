// Near repeats (Knox test): do incidents close in space follow each other closely in time more
// often than chance? A heat grid of observed/expected pairs, distance bands × time bands, with
// the Monte Carlo p of each cell; significant cells are starred.

import { useAnswer } from './answer.js';
import { heatGrid, type KnoxRow } from './heat-grid.js';
import { sig } from './number-format.js';
import { Panel } from './panel.js';
import { type Known, nearRepeatReadiness } from './readiness.js';
import { pText } from './trend-words.js';
import { type AnalysisWindow, analyticsUrl } from './window.js';

/** Permutations: 99 gives p down to 0.01 and answers in a moment for a month of a city's incidents. */
const ITERATIONS = '99';

interface NearRepeatAnswer {
  rows: KnoxRow[];
  n: number;
  distance: string;
  iterations: number;
}

export function NearRepeatPanel({ window, incidents }: { window: AnalysisWindow | null; incidents: Known }) {
  const readiness = nearRepeatReadiness(incidents);
  const url = window && readiness.ready ? analyticsUrl('/api/v1/analytics/near-repeat', window, { iterations: ITERATIONS }) : null;
  const idle = !window ? 'Choose a valid window above.' : !readiness.ready && !readiness.waiting ? readiness.reason : '';
  const answer = useAnswer<NearRepeatAnswer>(
    url,
    'The near-repeat test',
    idle,
    window !== null && !readiness.ready && readiness.waiting,
  ).value;
  const grid = answer.state === 'ok' ? heatGrid(answer.data.rows) : null;
  return (
    <Panel id="near-repeat" title="Near repeats" answer={answer} csv={url && window ? { url, name: 'near-repeat', window } : null}>
      {answer.state === 'ok' && grid && (
        <table class="heat-grid" data-testid="near-repeat-grid">
          <caption>
            Pairs of the {answer.data.n} incidents, observed ÷ expected by chance ({answer.data.iterations} permutations,{' '}
            {answer.data.distance} distance); ★ p &lt; 0.05
          </caption>
          <thead>
            <tr>
              <th scope="col">Distance \ time apart</th>
              {grid.timeLabels.map((t) => (
                <th scope="col" key={t}>
                  {t}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.cells.map((row, d) => (
              <tr key={grid.distanceLabels[d]}>
                <th scope="row">{grid.distanceLabels[d]}</th>
                {row.map((c) => (
                  <td
                    key={`${c.daysFrom}`}
                    class={c.significant ? 'significant' : undefined}
                    data-testid="heat-cell"
                    data-significant={c.significant ? 'true' : 'false'}
                    style={{ backgroundColor: c.colour, color: c.text }}
                    title={`${c.observed} pairs observed, ${sig(c.expected, 3)} expected`}
                  >
                    <span class="ratio">
                      {c.ratio === null ? '–' : `${sig(c.ratio, 3)}×`}
                      {c.significant && (
                        <span aria-hidden="true" class="star">
                          {' '}
                          ★
                        </span>
                      )}
                    </span>
                    <span class="p">p {pText(c.p)}</span>
                    {c.significant && <span class="sr-only"> (significant)</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
