// The Investigation view, mounted by app.tsx: its code loads when it is first opened.

import { lazyView } from '../lazy-view.js';

export const InvestigationView = lazyView(() => import('./page.js').then((m) => m.InvestigationPage), 'investigation');
