import { describe, expect, it } from 'vitest';
import { rateRecords } from '../test-support.js';
import { localDays } from './daily.js';

describe('daily', () => {
  it.each([
    // start, end, zone, days
    ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 'UTC', 31],
    ['2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z', 'UTC', 28],
    // January in Berlin starts at 2025-12-31T23:00Z; the UTC month holds local midnights of Jan 2..31 and Feb 1
    ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', 'Europe/Berlin', 31],
    ['2025-12-31T23:00:00Z', '2026-01-31T23:00:00Z', 'Europe/Berlin', 31],
    // the month of the spring DST change in London still has 31 days
    ['2026-03-01T00:00:00Z', '2026-03-31T23:00:00Z', 'Europe/London', 31],
    ['2026-01-15T12:00:00Z', '2026-01-16T12:00:00Z', 'UTC', 1],
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
});
