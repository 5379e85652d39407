// A job on a timer, one run at a time: the next run is armed only once the last one has
// finished, so runs never overlap, and run() on demand joins a run in progress.

export class RepeatingJob<R> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<R> | null = null;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<R>,
    /** Delay between the end of one run and the start of the next. */
    private readonly intervalMs: () => number,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(firstDelayMs = this.intervalMs()): void {
    this.arm(firstDelayMs);
  }

  /** Runs now, or joins the run in progress. */
  run(): Promise<R> {
    this.running ??= this.work().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** No further timed runs (`run()` still works); waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run().then(() => this.arm(this.intervalMs()));
    }, delayMs);
    this.timer.unref();
  }
}
