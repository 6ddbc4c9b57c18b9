import { describe, expect, it } from 'vitest';
import { localDays } from '../proration.js';
import { rate } from '../rate.js';
import { planWith, rateRecords } from '../test-support.js';

describe('daily', () => {
  it.each([
    // start, end, zone, days
    ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 'UTC', 31],
    ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', 'UTC', 28],
    // January in Berlin starts at 2025-12-31T23:00Z; the UTC month runs from 1 Jan 01:00 to 1 Feb 01:00 local:
    // the dates 1..31 January
    ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 'Europe/Berlin', 31],
    ['2025-12-31T23:00:00Z', '2026-01-31T23:00:00Z', 'Europe/Berlin', 31],
    // the month of the spring DST change in London still has 31 days
    ['2026-03-01T00:00:00Z', '2026-03-31T23:00:00Z', 'Europe/London', 31],
    ['2026-01-15T12:00:00Z', '2026-01-16T12:00:00Z', 'UTC', 1],
    // a part ending at 14:00 does not count its last date; one starting at 14:00 counts its first
    ['2026-04-01T00:00:00Z', '2026-04-10T14:00:00Z', 'UTC', 9],
    ['2026-04-10T14:00:00Z', '2026-05-01T00:00:00Z', 'UTC', 21],
    ['2026-04-10T10:00:00Z', '2026-04-10T14:00:00Z', 'UTC', 0], // two changes on one day: no day of its own
  ])('counts local days from %s to %s in %s: %i', (start, end, zone, days) => {
    expect(localDays(Date.parse(start), Date.parse(end), zone)).toBe(days);
  });

  it('prices a standing charge per local day', () => {
    // 31 days × 0.4521 = 14.0151
    const [line] = rateRecords({ type: 'daily', id: 'standing', amountPerDay: '0.4521' }, [], {
      currency: 'GBP',
    });
    expect(line).toMatchObject({
      key: 'standing',
      quantity: '31',
      unit: 'day',
      precise: '14.0151',
      amount: '14.02',
    });
  });

  // The one by-day rule (shared with billing's by-day proration): on the day of a plan change the new
  // version's standing charge applies, a 23-hour DST day is one day, and the parts add up to the month.
  it.each([
    // zone, period start, change, period end, days at 0.50 on the old version, days at 0.60 on the new one,
    // their amounts
    // change at 14:00 CEST on 10 April (12:00Z): old 1–9 April, new 10–30 April
    [
      'Europe/Berlin',
      '2026-03-31T22:00:00Z',
      '2026-04-10T12:00:00Z',
      '2026-04-30T22:00:00Z',
      9,
      21,
      '4.5',
      '12.6',
    ],
    // change at 12:00 CEST on Sunday 29 March, the 23-hour day clocks go forward: old 1–28, new 29–31 March
    [
      'Europe/Berlin',
      '2026-02-28T23:00:00Z',
      '2026-03-29T10:00:00Z',
      '2026-03-31T22:00:00Z',
      28,
      3,
      '14',
      '1.8',
    ],
    // change at local midnight starting 29 March (28 March 23:00Z): the same split
    [
      'Europe/Berlin',
      '2026-02-28T23:00:00Z',
      '2026-03-28T23:00:00Z',
      '2026-03-31T22:00:00Z',
      28,
      3,
      '14',
      '1.8',
    ],
    // change at 12:00 EST on Sunday 1 November, the 25-hour day clocks go back: old 1–31 Oct, new 1–30 Nov
    [
      'America/New_York',
      '2026-10-01T04:00:00Z',
      '2026-11-01T17:00:00Z',
      '2026-12-01T05:00:00Z',
      31,
      30,
      '15.5',
      '18',
    ],
  ])(
    'in %s, a period from %s changed at %s charges %i days on the old version, %i on the new',
    (timeZone, start, change, end, oldDays, newDays, oldAmount, newAmount) => {
      const standing = (version: number, amountPerDay: string) => ({
        ...planWith([{ type: 'daily', id: 'standing', amountPerDay }]),
        version,
      });
      const rateDays = (plan: ReturnType<typeof standing>, from: string, to: string) =>
        rate({ plan, meters: {}, period: { start: from, end: to }, timeZone, usage: {} })[0]!;
      const before = rateDays(standing(1, '0.50'), start, change);
      const after = rateDays(standing(2, '0.60'), change, end);
      expect([before.quantity, after.quantity]).toEqual([String(oldDays), String(newDays)]);
      expect([before.precise, after.precise]).toEqual([oldAmount, newAmount]);
      expect(oldDays + newDays).toBe(localDays(Date.parse(start), Date.parse(end), timeZone));
    },
  );
});
