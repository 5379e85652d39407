// The situation centre's shell: sign-in, who is signed in, and the views the role may use.

import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { ApiError, getJson } from './api.js';
import { DispatchView } from './dispatch.js';
import { AnalysisView } from './analysis/view.js';
import { InvestigationView } from './investigation/view.js';
import { RulesView } from './rules/view.js';
import type { Me } from './hit.js';
import { type ViewName, viewsFor } from './roles.js';
import { me, signedOutBecause, signIn, signOut, token } from './session.js';
import { SignIn } from './sign-in.js';
import { timezone, timezoneKnown } from './config.js';

export function App() {
  const failure = useSignal<string | null>(null);
  const view = useSignal<ViewName | null>(null);
  /** Bumped by "Try again": the same token asks again. */
  const attempt = useSignal(0);
  const bearer = token.value;
  const tries = attempt.value;

  useEffect(() => {
    if (!bearer) return;
    const abort = new AbortController();
    failure.value = null;
    getJson<Me>('/api/v1/me', abort.signal).then(
      (who) => {
        me.value = who;
      },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        // A 401 has already signed out; a JWT naming no vigil role is a 403.
        if (err instanceof ApiError && err.status === 403) signOut(`This token holds no vigil role: ${err.message}`);
        else if (!(err instanceof ApiError && err.status === 401)) failure.value = (err as Error).message;
      },
    );
    return () => abort.abort();
  }, [bearer, tries]);

  if (!bearer) return <SignIn because={signedOutBecause.value} onToken={signIn} />;
  const who = me.value;
  if (!who) {
    return failure.value ? (
      <main class="centre">
        <p class="error" role="alert" data-testid="error">
          Could not ask the engine who you are: {failure.value}
        </p>
        <button
          type="button"
          onClick={() => {
            attempt.value++;
          }}
        >
          Try again
        </button>{' '}
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </main>
    ) : (
      <main class="centre">
        <p class="loading">Signing in…</p>
      </main>
    );
  }

  const views = viewsFor(who.roles);
  const current = views.find((v) => v.name === view.value) ?? views[0];
  return (
    <div class="shell">
      <header>
        <h1>vigil</h1>
        <nav aria-label="Views" data-testid="nav">
          {views.map((v) => (
            <button
              type="button"
              key={v.name}
              data-testid={`nav-${v.name}`}
              aria-current={v === current ? 'page' : undefined}
              onClick={() => {
                view.value = v.name;
              }}
            >
              {v.title}
            </button>
          ))}
        </nav>
        <span class="who" data-testid="signed-in-as" title={`roles: ${who.roles.join(', ')}`}>
          {who.name} ({who.roles.join(', ')})
        </span>
        <span class="zone" title="Times are shown on the city's clock">
          {timezoneKnown.value ? timezone.value : 'UTC (city time zone unknown)'}
        </span>
        <button type="button" data-testid="sign-out" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <main data-testid={current ? `view-${current.name}` : 'view-none'}>
        {!current && <p>Your roles ({who.roles.join(', ')}) open none of the situation centre's views.</p>}
        {current?.name === 'dispatch' && <DispatchView />}
        {current?.name === 'analysis' && <AnalysisView />}
        {current?.name === 'investigation' && <InvestigationView />}
        {current?.name === 'rules' && <RulesView />}
      </main>
    </div>
  );
}
