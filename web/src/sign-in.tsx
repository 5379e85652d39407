// Sign-in with a pasted bearer token: a configured token or a JWT from the identity provider.

import { useSignal } from '@preact/signals';

export function SignIn({ because, onToken }: { because: string | null; onToken: (token: string) => void }) {
  const value = useSignal('');
  return (
    <main class="centre sign-in">
      <h1>vigil situation centre</h1>
      {because && (
        <p class="error" role="alert" data-testid="signed-out-because">
          {because}
        </p>
      )}
      <form
        data-testid="sign-in"
        onSubmit={(e) => {
          e.preventDefault();
          onToken(value.value);
        }}
      >
        <label for="token">Bearer token (a vigil token or a JWT)</label>
        <input
          id="token"
          data-testid="token-input"
          type="password"
          autocomplete="off"
          value={value.value}
          onInput={(e) => {
            value.value = e.currentTarget.value;
          }}
          required
        />
        <button type="submit" data-testid="sign-in-submit" disabled={value.value.trim() === ''}>
          Sign in
        </button>
      </form>
    </main>
  );
}
