import { Clock } from '../clock';

/** Test clock: starts at a fixed instant and moves only when told to. */
export class FakeClock implements Clock {
  private ms: number;

  constructor(start: Date | string = '2026-01-15T12:00:00Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advanceSeconds(seconds: number): this {
    this.ms += seconds * 1000;
    return this;
  }
}
