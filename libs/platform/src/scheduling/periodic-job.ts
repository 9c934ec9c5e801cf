/**
 * Background work run on an interval and on demand, never twice at once: a call made while a run is
 * in progress gets that run's result. The timer does not keep the process alive, and `stop` waits
 * for a run in progress, so shutdown never cuts one in half.
 */
export class PeriodicJob<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;

  constructor(
    private readonly work: () => Promise<T>,
    /** Where a failed scheduled run is reported (an on-demand caller gets the rejection itself). */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs every `intervalMs`; 0 schedules nothing (runs happen on demand only). */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.run().catch(this.onError);
    }, intervalMs);
    this.timer.unref();
  }

  run(): Promise<T> {
    this.running ??= this.work().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
