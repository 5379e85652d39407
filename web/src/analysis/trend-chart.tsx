// Incidents per day, week or month as a uPlot line chart on the city's clock. uPlot (and its
// stylesheet, a file of this origin: CSP style-src 'self') is loaded when the chart is first
// drawn, so the dispatch desk never pays for it.

import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';

export interface TrendPoint {
  bucket: string;
  count: number;
}

let loading: Promise<typeof uPlot> | null = null;

function loadUPlot(): Promise<typeof uPlot> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  return loading;
}

const HEIGHT = 220;

export function TrendChart({ points, timeZone, label }: { points: readonly TrendPoint[]; timeZone: string; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    const data: uPlot.AlignedData = [points.map((p) => Date.parse(p.bucket) / 1000), points.map((p) => p.count)];
    void loadUPlot().then((UPlot) => {
      const el = element.current;
      if (cancelled || !el) return;
      const width = Math.max(280, el.clientWidth);
      chart.current = new UPlot(
        {
          width,
          height: HEIGHT,
          tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), timeZone),
          series: [
            { label: 'From', value: '{YYYY}-{MM}-{DD}' },
            { label, stroke: '#1f5fbf', width: 2, fill: 'rgba(31, 95, 191, 0.12)', points: { show: points.length <= 60 } },
          ],
          axes: [{}, { label: 'incidents', values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) }],
          scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
          cursor: { drag: { x: false, y: false } },
        },
        data,
        el,
      );
      // Resized a frame later, and only when the width changed: no ResizeObserver loop.
      observer = new ResizeObserver(() =>
        requestAnimationFrame(() => {
          const c = chart.current;
          const w = Math.max(280, el.clientWidth);
          if (c && Math.abs(c.width - w) > 1) c.setSize({ width: w, height: HEIGHT });
        }),
      );
      observer.observe(el);
    });
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [points, timeZone, label]);

  return <div class="trend-chart" data-testid="trend-chart" ref={element} />;
}
