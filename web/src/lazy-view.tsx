// A view whose code is loaded when it is first opened: the analysis, investigation and rules
// views (their charts, tables and forms) stay out of the bundle every dispatcher loads.

import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazyView(load: () => Promise<ComponentType>, what: string): ComponentType {
  let loaded: ComponentType | null = null;
  return function LazyView() {
    const [View, setView] = useState<ComponentType | null>(() => loaded);
    const [failed, setFailed] = useState<string | null>(null);
    useEffect(() => {
      if (View) return;
      let cancelled = false;
      load().then(
        (c) => {
          loaded = c;
          if (!cancelled) setView(() => c);
        },
        (err: unknown) => {
          if (!cancelled) setFailed(err instanceof Error ? err.message : String(err));
        },
      );
      return () => {
        cancelled = true;
      };
    }, []);
    if (View) return <View />;
    if (failed) {
      return (
        <p class="error" role="alert">
          The {what} view could not be loaded ({failed}): reload the page.
        </p>
      );
    }
    return <p class="loading">Loading the {what} view…</p>;
  };
}
