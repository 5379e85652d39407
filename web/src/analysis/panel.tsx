// A panel of the Analysis view: its heading, its own loading and error states, and a "Download
// CSV" of what it shows.

import { useSignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { csvFileName, downloadCsv } from '../csv-download.js';
import { type Answer, problemOf } from './answer.js';
import type { AnalysisWindow } from './window.js';

interface PanelProps {
  id: string;
  title: string;
  answer: Answer<unknown>;
  /** The JSON URL of what is shown: its CSV is the same URL with format=csv. */
  csv?: { url: string; name: string; window: AnalysisWindow; filters?: Array<string | null | undefined> } | null;
  controls?: ComponentChildren;
  children?: ComponentChildren;
}

export function Panel({ id, title, answer, csv, controls, children }: PanelProps) {
  const downloadError = useSignal<string | null>(null);
  const downloading = useSignal(false);
  const save = async () => {
    if (!csv) return;
    downloading.value = true;
    downloadError.value = null;
    try {
      await downloadCsv(csv.url, csvFileName(csv.name, csv.window, csv.window.type, ...(csv.filters ?? [])));
    } catch (err) {
      downloadError.value = `The download failed: ${problemOf(err, 'Exporting analytics').message}`;
    } finally {
      downloading.value = false;
    }
  };
  return (
    <section class="panel" aria-labelledby={`${id}-title`} aria-busy={answer.state === 'loading'} data-testid={`panel-${id}`}>
      <div class="panel-head">
        <h3 id={`${id}-title`}>{title}</h3>
        {csv && (
          <button type="button" class="download" disabled={answer.state !== 'ok' || downloading.value} onClick={() => void save()}>
            Download CSV<span class="sr-only"> of {title.toLowerCase()}</span>
          </button>
        )}
      </div>
      {controls && <div class="panel-controls">{controls}</div>}
      {answer.state === 'loading' && <p class="loading">Loading…</p>}
      {answer.state === 'idle' && <p class="idle">{answer.message}</p>}
      {answer.state === 'error' && (
        <p class="error" role="alert" data-testid="panel-error">
          {answer.status === 400 ? answer.message : `Could not load ${title.toLowerCase()}: ${answer.message}`}
        </p>
      )}
      {downloadError.value && (
        <p class="error" role="alert">
          {downloadError.value}
        </p>
      )}
      {children}
    </section>
  );
}
