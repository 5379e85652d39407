// Incidents over time: the chart of counts per day, week or month, and the Mann–Kendall test
// of a monotonic trend, said in words.

import { useSignal } from '@preact/signals';
import { timezone } from '../config.js';
import { useAnswer } from './answer.js';
import { Panel } from './panel.js';
import { TrendChart, type TrendPoint } from './trend-chart.js';
import { type MannKendall, mannKendallWords } from './trend-words.js';
import { type AnalysisWindow, analyticsUrl } from './window.js';

type Bucket = 'day' | 'week' | 'month';

interface TrendsAnswer {
  rows: TrendPoint[];
  bucket: Bucket;
  mannKendall: MannKendall | null;
}

export function TrendPanel({ window }: { window: AnalysisWindow | null }) {
  const bucket = useSignal<Bucket>('day');
  const url = window ? analyticsUrl('/api/v1/analytics/trends', window, { bucket: bucket.value }) : null;
  const answer = useAnswer<TrendsAnswer>(url, 'Reading trends', 'Choose a valid window above.').value;
  const subject = window?.type ? `${window.type[0].toUpperCase()}${window.type.slice(1)} incidents` : 'Incidents';
  const controls = (
    <label>
      Per{' '}
      <select
        value={bucket.value}
        data-testid="trend-bucket"
        onChange={(e) => {
          bucket.value = e.currentTarget.value as Bucket;
        }}
      >
        <option value="day">day</option>
        <option value="week">week</option>
        <option value="month">month</option>
      </select>
    </label>
  );
  return (
    <Panel
      id="trend"
      title="Trend"
      answer={answer}
      controls={controls}
      csv={url && window ? { url, name: 'trends', window, filters: [bucket.value] } : null}
    >
      {answer.state === 'ok' && (
        <figure class="trend">
          <TrendChart points={answer.data.rows} timeZone={timezone.value} label={`${subject} per ${answer.data.bucket}`} />
          <figcaption data-testid="trend-words">{mannKendallWords(answer.data.mannKendall, subject)}</figcaption>
        </figure>
      )}
    </Panel>
  );
}
