// The web app's small pure parts: the sign-in link's fragment, the views per role, city time,
// and the hit stream's reconnection delays.

import { describe, expect, it } from 'vitest';
import { parseFragment } from '../../web/src/fragment.js';
import { forbiddenMessage, viewsFor } from '../../web/src/roles.js';
import { cityTime } from '../../web/src/city-time.js';
import { reconnectDelayMs } from '../../web/src/backoff.js';

describe('parseFragment', () => {
  it('takes the token and keeps the rest of the fragment', () => {
    expect(parseFragment('#token=abc.def-ghi')).toEqual({ token: 'abc.def-ghi', rest: '' });
    expect(parseFragment('#view=rules&token=t0k')).toEqual({ token: 't0k', rest: '#view=rules' });
    expect(parseFragment('#token=a%2Bb%3D')).toEqual({ token: 'a+b=', rest: '' });
  });

  it('finds no token in an empty fragment, another fragment, or an empty token', () => {
    expect(parseFragment('')).toEqual({ token: null, rest: '' });
    expect(parseFragment('#')).toEqual({ token: null, rest: '' });
    expect(parseFragment('#view=rules')).toEqual({ token: null, rest: '#view=rules' });
    expect(parseFragment('#token=')).toEqual({ token: null, rest: '' });
  });
});

describe('viewsFor', () => {
  const names = (roles: string[]) => viewsFor(roles).map((v) => v.name);
  it('gives each role its views and admin all', () => {
    expect(names(['dispatcher'])).toEqual(['dispatch']);
    expect(names(['analyst'])).toEqual(['analysis', 'investigation']);
    expect(names(['admin'])).toEqual(['dispatch', 'analysis', 'investigation', 'rules']);
    expect(names(['analyst', 'dispatcher'])).toEqual(['dispatch', 'analysis', 'investigation']);
    expect(names([])).toEqual([]);
  });

  it('says which role an action needs', () => {
    expect(forbiddenMessage('Accepting a hit', ['dispatcher'], ['analyst'])).toBe(
      'Accepting a hit needs the dispatcher or admin role; you are signed in as analyst.',
    );
  });
});

describe('cityTime', () => {
  it("shows a time on the city's clock", () => {
    expect(cityTime('2026-12-03T21:30:05Z', 'Asia/Tashkent')).toBe('2026-12-04 02:30:05');
    expect(cityTime('2026-07-01T12:00:00Z', 'Europe/Berlin')).toBe('2026-07-01 14:00:00');
    expect(cityTime('not a time', 'UTC')).toBe('not a time');
  });
});

describe('reconnectDelayMs', () => {
  it('grows from half a second to at most 30 s, spread by ±25 %', () => {
    expect(reconnectDelayMs(0, () => 0.5)).toBe(500);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(4000);
    expect(reconnectDelayMs(20, () => 0.5)).toBe(30_000);
    expect(reconnectDelayMs(20, () => 0)).toBe(22_500);
    expect(reconnectDelayMs(20, () => 1)).toBe(37_500);
  });
});
