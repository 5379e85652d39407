// The city's week: how busy each hour is, on Tashkent's clock. Reads follow the traffic (night
// lows, rush-hour peaks, quieter weekends); each incident type has its own hours (assaults and
// vandalism at night and at weekends, burglaries while homes are empty). Profiles are scaled to
// a mean of 1 over the week, so a rate option stays the weekly mean.

/** Tashkent is UTC+5 all year: Uzbekistan has not changed its clocks since 1992. */
export const CITY_UTC_OFFSET_MS = 5 * 3_600_000;
const HOUR_MS = 3_600_000;
const WEEK_HOURS = 168;

/** 0 = Monday 00:00–01:00 … 167 = Sunday 23:00–24:00, on the city's clock. */
export function hourOfWeek(ts: number): number {
  const hours = Math.floor((ts + CITY_UTC_OFFSET_MS) / HOUR_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  const day = (Math.floor(hours / 24) + 3) % 7;
  return ((day + 7) % 7) * 24 + (((hours % 24) + 24) % 24);
}

/**
 * A weekly profile, linear between its values at the start of each hour, so minute counts rise
 * and fall smoothly rather than in hourly steps; `integral` is exact for it.
 */
export class Rhythm {
  private readonly knots: Float64Array;
  /** Integral from Monday 00:00 to the start of each hour, in hours. */
  private readonly cumulative: Float64Array;

  /** `hourly`: 168 values from Monday 00:00 (any positive scale). */
  constructor(hourly: readonly number[]) {
    if (hourly.length !== WEEK_HOURS) throw new Error(`Rhythm: needs ${WEEK_HOURS} hourly values, got ${hourly.length}`);
    let total = 0;
    for (let h = 0; h < WEEK_HOURS; h++) total += (hourly[h] + hourly[(h + 1) % WEEK_HOURS]) / 2;
    this.knots = Float64Array.from(hourly, (v) => (v * WEEK_HOURS) / total);
    this.cumulative = new Float64Array(WEEK_HOURS + 1);
    for (let h = 0; h < WEEK_HOURS; h++)
      this.cumulative[h + 1] = this.cumulative[h] + (this.knots[h] + this.knots[(h + 1) % WEEK_HOURS]) / 2;
  }

  /** The relative rate at `ts` (1 = the weekly mean). */
  at(ts: number): number {
    const { h, f } = this.split(ts);
    return this.knots[h] + (this.knots[(h + 1) % WEEK_HOURS] - this.knots[h]) * f;
  }

  /** ∫ rate dt from `from` to `to` (epoch ms), in ms: about to − from over a whole week. */
  integral(from: number, to: number): number {
    return (this.sinceEpoch(to) - this.sinceEpoch(from)) * HOUR_MS;
  }

  /** Integral from the first Monday 00:00 before the epoch, in hours. */
  private sinceEpoch(ts: number): number {
    const local = ts + CITY_UTC_OFFSET_MS + 3 * 24 * HOUR_MS; // hours counted from a Monday 00:00
    const weeks = Math.floor(local / (WEEK_HOURS * HOUR_MS));
    const { h, f } = this.split(ts);
    const a = this.knots[h];
    const b = this.knots[(h + 1) % WEEK_HOURS];
    return weeks * WEEK_HOURS + this.cumulative[h] + a * f + ((b - a) * f * f) / 2;
  }

  private split(ts: number): { h: number; f: number } {
    const local = ts + CITY_UTC_OFFSET_MS;
    const f = (((local % HOUR_MS) + HOUR_MS) % HOUR_MS) / HOUR_MS;
    return { h: hourOfWeek(ts), f };
  }
}

// Relative activity by hour of day, 00:00 … 23:00.
const WEEKDAY_TRAFFIC = [
  0.3, 0.2, 0.15, 0.13, 0.16, 0.35, 0.75, 1.4, 1.85, 1.55, 1.25, 1.2, 1.25, 1.25, 1.2, 1.3, 1.5, 1.85, 1.95, 1.55, 1.15, 0.85, 0.6, 0.42,
];
const WEEKEND_TRAFFIC = [
  0.45, 0.32, 0.22, 0.17, 0.16, 0.22, 0.38, 0.6, 0.85, 1.05, 1.2, 1.3, 1.35, 1.35, 1.3, 1.3, 1.35, 1.4, 1.4, 1.3, 1.15, 0.95, 0.75, 0.58,
];
const DAYTIME = [0.3, 0.2, 0.15, 0.15, 0.2, 0.3, 0.6, 1, 1.3, 1.5, 1.6, 1.6, 1.6, 1.6, 1.6, 1.5, 1.5, 1.4, 1.2, 1, 0.8, 0.6, 0.45, 0.35];
const NIGHT = [1.9, 1.8, 1.5, 1.1, 0.7, 0.4, 0.3, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 1.1, 1.3, 1.5, 1.7, 1.9, 2];
const EVENING = [1.6, 1.2, 0.9, 0.6, 0.4, 0.3, 0.3, 0.4, 0.5, 0.6, 0.6, 0.7, 0.7, 0.8, 0.8, 0.9, 1, 1.3, 1.6, 1.9, 2.1, 2.2, 2.1, 1.9];
const SCHOOL_DAY = [
  0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.2, 1.6, 2, 1.3, 1.2, 1.2, 1.4, 1.6, 1.2, 1, 0.8, 0.5, 0.3, 0.15, 0.1, 0.05, 0.05, 0.05,
];

/** 168 values from a rule over (day 0 = Monday … 6 = Sunday, hour). */
function week(rule: (day: number, hour: number) => number): number[] {
  return Array.from({ length: WEEK_HOURS }, (_, k) => rule(Math.floor(k / 24), k % 24));
}
const weekend = (day: number) => day >= 5;
/** Friday and Saturday nights run into the next morning. */
const nightOut = (day: number, hour: number) => (day === 4 && hour >= 18) || day === 5 || (day === 6 && hour < 6);

/** Camera reads in all: the city's traffic. */
export const READ_RHYTHM = new Rhythm(week((d, h) => (weekend(d) ? WEEKEND_TRAFFIC[h] * (d === 6 ? 0.9 : 1) : WEEKDAY_TRAFFIC[h])));

/** Relative weight of each kind of camera site by hour, against the streets' 1. */
export const SITE_RHYTHM = {
  school: new Rhythm(week((d, h) => (weekend(d) ? 0.1 : SCHOOL_DAY[h]))),
  public: new Rhythm(week((d, h) => DAYTIME[h] * (weekend(d) ? 1.3 : 1))),
} as const;

export const INCIDENT_KINDS = ['theft', 'burglary', 'vandalism', 'assault', 'panic'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Share of each kind over a week (panic: panic-button alarms). */
export const INCIDENT_SHARES: Readonly<Record<IncidentKind, number>> = { theft: 38, burglary: 27, vandalism: 17, assault: 13, panic: 5 };

export const INCIDENT_RHYTHMS: Readonly<Record<IncidentKind, Rhythm>> = {
  // Homes are broken into while empty: working hours on weekdays.
  burglary: new Rhythm(week((d, h) => (weekend(d) ? 0.5 * DAYTIME[h] + 0.5 * NIGHT[h] : DAYTIME[h]))),
  // Pickpockets and bag snatchers follow the crowds.
  theft: new Rhythm(week((d, h) => (weekend(d) ? 1.15 * WEEKEND_TRAFFIC[h] : WEEKDAY_TRAFFIC[h]))),
  assault: new Rhythm(week((d, h) => NIGHT[h] * (nightOut(d, h) ? 1.7 : 1))),
  vandalism: new Rhythm(week((d, h) => NIGHT[h] * (weekend(d) ? 1.3 : 1))),
  // Domestic violence: evenings, and more at weekends.
  panic: new Rhythm(week((d, h) => EVENING[h] * (weekend(d) ? 1.3 : 1))),
};

/** All incidents together: the shares' blend of the kinds' rhythms. */
export const INCIDENT_RHYTHM = new Rhythm(
  week((d, h) => {
    const ts = Date.UTC(1970, 0, 5 + d, h) - CITY_UTC_OFFSET_MS; // Monday 5 January 1970, city time
    return INCIDENT_KINDS.reduce((sum, kind) => sum + INCIDENT_SHARES[kind] * INCIDENT_RHYTHMS[kind].at(ts), 0);
  }),
);
