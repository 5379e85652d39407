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
