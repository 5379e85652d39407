// The Analysis view, mounted by app.tsx: its code (uPlot included) loads when it is first opened.

import { lazyView } from '../lazy-view.js';

export const AnalysisView = lazyView(() => import('./page.js').then((m) => m.AnalysisPage), 'analysis');
