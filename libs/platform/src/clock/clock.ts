/**
 * The time source services are given (never `Date.now()` / `new Date()` in service code), so tests
 * move time instead of sleeping and every part of one request agrees on "now". Structurally the same
 * as libs/pki's Clock, so one instance serves both.
 */
export interface Clock {
  now(): Date;
}

/** Nest token of the app's Clock (PlatformModule provides it, globally). */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved: for tests (expiries, TTLs, schedules) without sleeping. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start: Date = new Date()) {
    this.ms = start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
