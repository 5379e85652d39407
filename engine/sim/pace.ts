// The simulated clock and the pace of publishing. The clock may start in the past and run N×
// faster than real time (a week of incidents in minutes); once it catches up with the present
// it runs in real time, so no record is ever dated in the future. Rates are per real second
// (the load on the engine), shaped by the city's rhythm at the simulated hour.

import type { Rhythm } from './rhythm.js';

export class SimClock {
  constructor(
    /** Real epoch ms at which the simulated clock shows `simStart`. */
    readonly realStart: number,
    readonly simStart: number,
    /** Simulated ms per real ms, ≥ 1. */
    readonly speed: number,
  ) {
    if (!(speed >= 1 && Number.isFinite(speed))) throw new Error(`speed must be a number ≥ 1, got ${speed}`);
    if (!(simStart <= realStart)) throw new Error(`the simulated clock must not start in the future (${new Date(simStart).toISOString()})`);
  }

  /** The simulated time at real time `real`. */
  at(real: number): number {
    return Math.floor(Math.min(this.simStart + (real - this.realStart) * this.speed, real));
  }
}

/** How many events are owed by a real instant: the rate times the rhythm, integrated exactly. */
export class Pacer {
  private owed = 0;
  private lastReal: number;
  private lastSim: number;

  constructor(
    /** Mean events per real second over a simulated week. */
    private readonly perSecond: number,
    private readonly rhythm: Rhythm,
    private readonly clock: SimClock,
  ) {
    this.lastReal = clock.realStart;
    this.lastSim = clock.at(clock.realStart);
  }

  /** Events owed from the start to real time `real` (a whole number, never decreasing). */
  advance(real: number): number {
    if (real > this.lastReal) {
      const sim = this.clock.at(real);
      // The rhythm's mean over the simulated span this real span covers.
      const mean = sim > this.lastSim ? this.rhythm.integral(this.lastSim, sim) / (sim - this.lastSim) : this.rhythm.at(sim);
      this.owed += (this.perSecond * (real - this.lastReal) * mean) / 1000;
      this.lastReal = real;
      this.lastSim = sim;
    }
    // A hair of slack: a sum of many small floats should not lose the last whole event.
    return Math.floor(this.owed + 1e-9);
  }
}

/**
 * When each owed event fell due. A publisher that falls behind (a slow broker, a busy CPU) sends
 * its backlog later, but stamps each event with the simulated time it was owed, so the city's
 * rhythm survives the lag: without this, a run that ends behind dumped its whole backlog into
 * its last instant (40 % of a month's reads in one day, in one bench).
 */
export class DueTimes {
  /** (events owed in all, simulated time) at each tick since the oldest one not yet sent. */
  private readonly marks: Array<{ owed: number; sim: number }>;

  constructor(simStart: number) {
    this.marks = [{ owed: 0, sim: simStart }];
  }

  /** By simulated time `sim`, `owed` events in all were due. */
  record(owed: number, sim: number): void {
    const last = this.marks[this.marks.length - 1];
    if (owed < last.owed || sim <= last.sim) return;
    // Ticks that owed nothing: keep where the quiet began (the end of the span before it) and
    // move where it ends (the start of the next span).
    if (owed === last.owed && this.marks[this.marks.length - 2]?.owed === owed) last.sim = sim;
    else this.marks.push({ owed, sim });
  }

  /** The simulated time of the n-th event (0-based, in order); n must be below the last owed. */
  at(n: number): number {
    while (this.marks.length > 2 && this.marks[1].owed <= n) this.marks.shift();
    const [a, b] = this.marks;
    if (b === undefined || n < a.owed || n >= b.owed) throw new Error(`event ${n} is not owed yet`);
    // Spread evenly over the tick it fell due in (the rhythm is resolved per tick).
    return a.sim + Math.floor(((n - a.owed + 1) * (b.sim - a.sim)) / (b.owed - a.owed));
  }
}
