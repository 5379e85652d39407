// The Rules view, mounted by app.tsx: admins only, so its code loads when it is first opened.

import { lazyView } from '../lazy-view.js';

export const RulesView = lazyView(() => import('./page.js').then((m) => m.RulesPage), 'rules');
