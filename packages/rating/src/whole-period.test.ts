import { describe, expect, it } from 'vitest';
import { rate } from './rate.js';
import { meter, planWith, rec } from './test-support.js';

// February 2026: 28 days; a plan change at Feb 15 00:00 cuts it into 14 + 14 days.
const FEB = { start: '2026-02-01T00:00:00Z', end: '2026-03-01T00:00:00Z' };
const BEFORE = { start: FEB.start, end: '2026-02-15T00:00:00Z' };
const AFTER = { start: '2026-02-15T00:00:00Z', end: FEB.end };
const disk = meter({ id: 'disk', aggregation: 'time-weighted-sum', unit: 'GB-month' });

const ratePart = (charge: Record<string, unknown>, part: typeof FEB, records = [rec(FEB.start, '10')]) =>
  rate({
    plan: planWith([charge]),
    meters: { disk },
    period: part,
    timeZone: 'UTC',
    // the level set at the period start is in force in the later part too
    usage: { disk: records },
    wholePeriod: FEB,
  }).map((l) => [l.quantity, l.amount]);

describe('a time-weighted meter rated over a part of its billing period (wholePeriod)', () => {
  const perUnit = { type: 'per-unit', id: 'disk', meterId: 'disk', unitPrice: '2.00' };

  it('prices each part by its share of the period: 10 GB all February cut on the 15th is 5 GB-months each', () => {
    // 10 × 14 ÷ 28 = 5 GB-months × 2.00 = 10.00 per part (without wholePeriod each part would be 10 → 20.00)
    expect(ratePart(perUnit, BEFORE)).toEqual([['5', '10']]);
    expect(ratePart(perUnit, AFTER)).toEqual([['5', '10']]);
  });

  it('shares a grouped charge per group the same way', () => {
    // eu 10 GB from Feb 1 (restated on the 20th; rating prices the groups with records in the part):
    // 10 × 14 ÷ 28 = 5 in the later part (× 2.00 = 10); us 6 GB from Feb 22: 6 × 7 ÷ 28 = 1.5 (× 2.00 = 3)
    const records = [
      rec(FEB.start, '10', { dimensions: { region: 'eu' } }),
      rec('2026-02-20T00:00:00Z', '10', { dimensions: { region: 'eu' } }),
      rec('2026-02-22T00:00:00Z', '6', { dimensions: { region: 'us' } }),
    ];
    const grouped = { ...perUnit, groupBy: ['region'] };
    const regional = meter({ ...disk, groupBy: ['region'] });
    const lines = rate({
      plan: planWith([grouped]),
      meters: { disk: regional },
      period: AFTER,
      timeZone: 'UTC',
      usage: { disk: records },
      wholePeriod: FEB,
    });
    expect(lines.map((l) => [l.dimensions?.region, l.quantity, l.amount])).toEqual([
      ['eu', '5', '10'],
      ['us', '1.5', '3'],
    ]);
  });
});
