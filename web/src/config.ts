// What the page must know before anyone signs in: the city's time zone (GET /app/config.json,
// public). Until it arrives, and if it cannot be had, times show on UTC, and say so.

import { signal } from '@preact/signals';

export const timezone = signal<string>('UTC');
export const timezoneKnown = signal(false);

export async function loadConfig(): Promise<void> {
  try {
    const res = await fetch('/app/config.json');
    if (!res.ok) return;
    const body = (await res.json()) as { timezone?: unknown };
    if (typeof body.timezone === 'string') {
      timezone.value = body.timezone;
      timezoneKnown.value = true;
    }
  } catch {
    // The engine does not answer: sign-in will say so.
  }
}
