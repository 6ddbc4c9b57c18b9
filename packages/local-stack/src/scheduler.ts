import type { TestClock } from './clock.js';

/**
 * EventBridge Scheduler has no emulator: the local stack fires schedules itself from the test clock.
 * Supports the `rate(N unit)` expressions tally's schedules use
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#rate-based).
 */
export interface LocalSchedule {
  readonly name: string;
  readonly expression: string;
  /** Called once per occurrence, with the occurrence's scheduled time. */
  readonly fire: (scheduledTime: Date) => Promise<void> | void;
  /**
   * When one clock move passes several occurrences: fire `each` (default), or only the `latest`. A target
   * that reads the clock rather than its scheduled time (close-periods) sees the same instant on every
   * occurrence of one move, so `latest` does the same work once instead of N times.
   */
  readonly catchUp?: 'each' | 'latest';
}

const RATE_UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

export function rateMs(expression: string): number {
  const m = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression);
  if (!m || Number(m[1]) <= 0) {
    throw new RangeError(
      `schedule expression "${expression}" is not supported locally: use rate(N minutes|hours|days)`,
    );
  }
  return Number(m[1]) * RATE_UNITS[m[2]!]!;
}

/**
 * Fires every occurrence that the clock passes, in time order, aligned to the epoch (an hourly rate
 * fires on the hour). Occurrences are awaited one by one, like a schedule whose target finishes before
 * the next tick.
 */
export class LocalScheduler {
  readonly #schedules: { schedule: LocalSchedule; every: number }[] = [];
  readonly fired: { name: string; at: string }[] = [];

  constructor(clock: TestClock) {
    clock.onAdvance((now, previous) => this.#catchUp(previous, now));
  }

  add(schedule: LocalSchedule): void {
    this.#schedules.push({ schedule, every: rateMs(schedule.expression) });
  }

  async #catchUp(from: Date, to: Date): Promise<void> {
    const due: { at: number; schedule: LocalSchedule }[] = [];
    for (const { schedule, every } of this.#schedules) {
      const first = Math.floor(from.getTime() / every) * every + every;
      const last = Math.floor(to.getTime() / every) * every;
      const start = schedule.catchUp === 'latest' ? Math.max(first, last) : first;
      for (let t = start; t <= to.getTime(); t += every) due.push({ at: t, schedule });
    }
    due.sort((a, b) => a.at - b.at);
    for (const { at, schedule } of due) {
      this.fired.push({ name: schedule.name, at: new Date(at).toISOString() });
      await schedule.fire(new Date(at));
    }
  }
}
