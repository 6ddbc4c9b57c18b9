import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compileSchedule, offsetLookup, TouScheduleSchema } from './schedule.js';

describe('offsetLookup', () => {
  it.each([
    // zone, an instant near an offset change
    ['Europe/Berlin', '2026-03-29T01:00:00Z'], // CET → CEST on the UTC hour
    ['Europe/Berlin', '2026-10-25T01:00:00Z'], // CEST → CET
    ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'], // +10:30 → +11 on a UTC half hour
    ['America/St_Johns', '2026-03-08T05:30:00Z'], // −3:30 → −2:30
    ['Asia/Kathmandu', '2026-01-01T00:00:00Z'], // +5:45, no change
  ])('agrees with luxon for every minute around a change in %s (%s)', (zone, at) => {
    const lookup = offsetLookup(zone);
    const center = Date.parse(at);
    for (let ms = center - 3 * 3_600_000; ms <= center + 3 * 3_600_000; ms += 60_000) {
      expect(lookup(ms + 17_000)).toBe(DateTime.fromMillis(ms, { zone }).offset * 60_000);
    }
  });
});

describe('compileSchedule', () => {
  const schedule = TouScheduleSchema.parse({
    weekday: [
      { from: '00:00', to: '07:30', band: 'night' },
      { from: '07:30', to: '24:00', band: 'day' },
    ],
    weekend: [{ from: '00:00', to: '24:00', band: 'weekend' }],
    seasons: [{ name: 'winter', from: '11-01', to: '02-28' }],
    holidays: ['2026-12-25'],
  });
  const at = compileSchedule(schedule, 'Europe/London');

  it.each([
    ['2026-07-01T06:29:00Z', 'night', undefined], // 07:29 BST, Wednesday
    ['2026-07-01T06:30:00Z', 'day', undefined], // 07:30 BST
    ['2026-07-04T12:00:00Z', 'weekend', undefined], // Saturday
    ['2026-12-25T12:00:00Z', 'weekend', 'winter'], // a Friday holiday in the wrapping winter season
    ['2026-02-28T23:59:00Z', 'weekend', 'winter'], // Saturday 28 Feb, last day of winter
    ['2026-03-02T08:00:00Z', 'day', undefined], // Monday 2 March, after winter
  ])('puts %s in band %s (season %s)', (instant, band, season) => {
    expect(at(Date.parse(instant))).toMatchObject({ band, season });
  });
});
