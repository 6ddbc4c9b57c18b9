import { describe, expect, it } from 'vitest';
import { data } from './testing.js';
import { usageTrendsReport } from './usage-trends.js';

const year = { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' };
const u = (customerId: string, meterId: string, periodStart: string, quantity: string, unit = 'call') => ({
  customerId,
  meterId,
  periodStart,
  quantity,
  unit,
});

describe('usageTrendsReport', () => {
  const usage = [
    u('c1', 'api-calls', '2026-03-01T00:00:00Z', '100'),
    u('c2', 'api-calls', '2026-03-01T00:00:00-05:00', '50'), // the same local date in New York
    u('c1', 'api-calls', '2026-04-01T00:00:00Z', '300'),
    u('c1', 'api-calls', '2026-05-01T00:00:00Z', '0'),
    u('c1', 'api-calls', '2026-06-01T00:00:00Z', '10'),
    u('c1', 'api-calls', '2025-12-01T00:00:00Z', '999'), // before the window
    u('c1', 'storage', '2026-03-01T00:00:00Z', '1.5', 'GB'),
    u('c2', 'storage', '2026-03-01T00:00:00Z', '2', 'GiB'),
  ];

  it('sums each period across customers and computes the change to the previous period', () => {
    const [api] = usageTrendsReport(data({ usage }), year).meters;
    expect(
      api?.points.map((p) => [
        p.period,
        p.quantity.toFixed(),
        p.customers,
        p.changePercent?.toFixed() ?? null,
      ]),
    ).toEqual([
      ['2026-03-01', '150', 2, null], // 100 + 50, first point
      ['2026-04-01', '300', 1, '100'], // (300 − 150) / 150 × 100 = 100
      ['2026-05-01', '0', 1, '-100'], // (0 − 300) / 300 × 100 = −100
      ['2026-06-01', '10', 1, null], // after zero the change is undefined
    ]);
    expect(api?.total.toFixed()).toBe('460'); // 150 + 300 + 0 + 10
  });

  it('keeps units apart instead of adding GB to GiB', () => {
    const meters = usageTrendsReport(data({ usage }), year).meters.filter((m) => m.meterId === 'storage');
    expect(meters.map((m) => [m.unit, m.total.toFixed()])).toEqual([
      ['GB', '1.5'],
      ['GiB', '2'],
    ]);
  });
});
