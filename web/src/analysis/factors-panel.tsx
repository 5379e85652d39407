// What goes with more incidents: a regression of a response on the areas' factors (uploaded
// ones and those counted from the stream), with the residuals' Moran's I, which says whether
// the model left spatial clustering unexplained.

import { useSignal } from '@preact/signals';
import { useAnswer } from './answer.js';
import { sig } from './number-format.js';
import { Panel } from './panel.js';
import { factorsReadiness, type Known } from './readiness.js';
import { formatP, pText } from './trend-words.js';
import { type AnalysisWindow, analyticsUrl } from './window.js';

/** Factors the engine counts from the stream, per area (README: Crime analytics). */
export const DYNAMIC_FACTORS = ['cameras', 'readsPerDay', 'panicAlarms'] as const;

const MODELS = [
  { value: 'ols', label: 'Linear (OLS)' },
  { value: 'poisson', label: 'Poisson' },
  { value: 'negbin', label: 'Negative binomial' },
] as const;

type Model = (typeof MODELS)[number]['value'];

interface Term {
  term: string;
  estimate: number;
  stdError: number;
  statistic: number;
  p: number;
  ciLow: number;
  ciHigh: number;
  rateRatio?: number;
}

interface FactorsAnswer {
  rows: Term[];
  model: Model;
  response: string;
  fit: { n: number; r2?: number; adjR2?: number; logLik: number; aic: number; theta?: number; deviance?: number };
  residualAutocorrelation: { I: number | null; z: number | null; p: number | null; note?: string };
}

export function FactorsPanel(props: { window: AnalysisWindow | null; areaFactors: readonly string[]; areaCount: Known }) {
  const { window, areaFactors, areaCount } = props;
  const readiness = factorsReadiness(areaCount);
  const response = useSignal('incidents');
  const model = useSignal<Model>('ols');
  const chosen = useSignal<readonly string[]>([]);
  const responses = ['incidents', 'incidentRate', ...areaFactors];
  const candidates = [...areaFactors, ...DYNAMIC_FACTORS].filter((f) => f !== response.value);
  const factors = chosen.value.filter((f) => candidates.includes(f));
  const url =
    window === null || factors.length === 0 || !readiness.ready
      ? null
      : analyticsUrl('/api/v1/analytics/factors', window, { response: response.value, factors: factors.join(','), model: model.value });
  const idle =
    window === null
      ? 'Choose a valid window above.'
      : !readiness.ready && !readiness.waiting
        ? readiness.reason
        : 'Tick at least one factor to fit a model.';
  const answer = useAnswer<FactorsAnswer>(url, 'Fitting a model', idle, !readiness.ready && readiness.waiting).value;
  const countModel = model.value !== 'ols';

  const controls = (
    <>
      <label>
        Response{' '}
        <select
          value={response.value}
          onChange={(e) => {
            response.value = e.currentTarget.value;
          }}
        >
          {responses.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Model{' '}
        <select
          value={model.value}
          data-testid="factors-model"
          onChange={(e) => {
            model.value = e.currentTarget.value as Model;
          }}
        >
          {MODELS.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <fieldset class="factor-choices">
        <legend>Factors</legend>
        {candidates.map((f) => (
          <label key={f}>
            <input
              type="checkbox"
              data-testid="factor"
              value={f}
              checked={factors.includes(f)}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                chosen.value = on ? [...factors, f] : factors.filter((x) => x !== f);
              }}
            />{' '}
            {f}
          </label>
        ))}
      </fieldset>
    </>
  );

  return (
    <Panel
      id="factors"
      title="Factors"
      answer={answer}
      controls={controls}
      csv={url && window ? { url, name: 'factors', window, filters: [response.value, model.value] } : null}
    >
      {answer.state === 'ok' && (
        <>
          <table class="numbers" data-testid="factors-table">
            <caption>
              {MODELS.find((m) => m.value === answer.data.model)?.label ?? answer.data.model} of {answer.data.response}, {answer.data.fit.n}{' '}
              areas
            </caption>
            <thead>
              <tr>
                <th scope="col">Term</th>
                <th scope="col">Estimate</th>
                <th scope="col">Std error</th>
                <th scope="col">{countModel ? 'z' : 't'}</th>
                <th scope="col">p</th>
                <th scope="col">95 % CI</th>
                {countModel && <th scope="col">Rate ratio</th>}
              </tr>
            </thead>
            <tbody>
              {answer.data.rows.map((t) => (
                <tr key={t.term} class={t.p < 0.05 ? 'significant' : undefined}>
                  <th scope="row">{t.term}</th>
                  <td>{sig(t.estimate)}</td>
                  <td>{sig(t.stdError)}</td>
                  <td>{sig(t.statistic, 3)}</td>
                  <td>{pText(t.p)}</td>
                  <td>
                    {sig(t.ciLow)} to {sig(t.ciHigh)}
                  </td>
                  {countModel && <td>{sig(t.rateRatio)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
          <FitSummary data={answer.data} />
        </>
      )}
    </Panel>
  );
}

function FitSummary({ data }: { data: FactorsAnswer }) {
  const { fit, residualAutocorrelation: r } = data;
  return (
    <dl class="fit">
      {fit.r2 !== undefined && (
        <>
          <dt>R²</dt>
          <dd>
            {sig(fit.r2, 3)} (adjusted {sig(fit.adjR2, 3)})
          </dd>
        </>
      )}
      <dt>Log-likelihood</dt>
      <dd>{sig(fit.logLik)}</dd>
      <dt>AIC</dt>
      <dd>{sig(fit.aic)}</dd>
      {fit.theta !== undefined && (
        <>
          <dt>θ (dispersion)</dt>
          <dd>{sig(fit.theta)}</dd>
        </>
      )}
      {fit.deviance !== undefined && (
        <>
          <dt>{data.model === 'ols' ? 'Residual sum of squares' : 'Deviance'}</dt>
          <dd>{sig(fit.deviance)}</dd>
        </>
      )}
      <dt>Residual Moran's I</dt>
      <dd data-testid="residual-moran">
        {r.I === null
          ? (r.note ?? 'not computed')
          : `${sig(r.I, 3)} (z = ${sig(r.z, 3)}, ${formatP(r.p ?? Number.NaN)})${
              r.p !== null && r.p < 0.05 ? ': the residuals cluster in space; a factor with a spatial pattern is missing' : ''
            }`}
      </dd>
    </dl>
  );
}
