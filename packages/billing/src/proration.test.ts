import { PlanSchema, rate } from '@tally/rating';
import { describe, expect, it } from 'vitest';
import { prorateAmount, prorationFactor } from './proration.js';

const APRIL_BERLIN = { start: '2026-03-31T22:00:00Z', end: '2026-04-30T22:00:00Z' };
const MARCH_BERLIN = { start: '2026-02-28T23:00:00Z', end: '2026-03-31T22:00:00Z' };

describe('prorationFactor', () => {
  it.each([
    // basis, part, nominal, zone, numerator, denominator
    // a change at 14:00 CEST on 10 April: the old part has 1–9 April, the new one 10–30 April
    [
      'by-day',
      { start: APRIL_BERLIN.start, end: '2026-04-10T12:00:00Z' },
      APRIL_BERLIN,
      'Europe/Berlin',
      9,
      30,
    ],
    [
      'by-day',
      { start: '2026-04-10T12:00:00Z', end: APRIL_BERLIN.end },
      APRIL_BERLIN,
      'Europe/Berlin',
      21,
      30,
    ],
    // a change at 12:00 on 29 March, the 23-hour day of the spring change: it is one day, on the new plan
    [
      'by-day',
      { start: '2026-03-29T10:00:00Z', end: MARCH_BERLIN.end },
      MARCH_BERLIN,
      'Europe/Berlin',
      3,
      31,
    ],
    // by second, March in Berlin has 31 × 24 − 1 = 743 hours = 2,674,800 s; 29 March 12:00 CEST to 1 April
    // 00:00 CEST is 2 days 12 hours = 216,000 s
    [
      'by-second',
      { start: '2026-03-29T10:00:00Z', end: MARCH_BERLIN.end },
      MARCH_BERLIN,
      'Europe/Berlin',
      216_000,
      2_674_800,
    ],
    ['none', { start: '2026-03-29T10:00:00Z', end: MARCH_BERLIN.end }, MARCH_BERLIN, 'Europe/Berlin', 0, 1],
  ] as const)(
    'weighs by %s %j of %j in %s as %i/%i',
    (basis, part, nominal, zone, numerator, denominator) => {
      expect(prorationFactor(basis, part, nominal, zone)).toMatchObject({ basis, numerator, denominator });
    },
  );

  it('prorates a fee from its unrounded amount: 49.99 × 21/30 = 34.993 → 34.99', () => {
    const factor = prorationFactor(
      'by-day',
      { start: '2026-04-10T12:00:00Z', end: APRIL_BERLIN.end },
      APRIL_BERLIN,
      'Europe/Berlin',
    );
    expect(prorateAmount('49.99', factor, 'EUR', 'half-up')).toMatchObject({
      precise: '34.993',
      amount: '34.99',
    });
  });

  // Rating's daily standing charge and billing's by-day proration count the same days, so on the day of a
  // change the new version's standing charge applies, as its prorated fees do.
  it.each([
    ['Europe/Berlin', APRIL_BERLIN, '2026-04-10T12:00:00Z'],
    ['Europe/Berlin', MARCH_BERLIN, '2026-03-29T10:00:00Z'], // the 23-hour DST day
    [
      'America/New_York',
      { start: '2026-11-01T04:00:00Z', end: '2026-12-01T05:00:00Z' },
      '2026-11-01T17:00:00Z',
    ], // 25 hours
  ])('in %s, standing-charge days of %j cut at %s equal the by-day numerators', (zone, nominal, change) => {
    const plan = PlanSchema.parse({
      id: 'p',
      version: 1,
      name: 'P',
      currency: 'EUR',
      effectiveFrom: '2026-01-01',
      charges: [{ type: 'daily', id: 'standing', amountPerDay: '1' }],
    });
    for (const part of [
      { start: nominal.start, end: change },
      { start: change, end: nominal.end },
    ]) {
      const [line] = rate({ plan, meters: {}, period: part, timeZone: zone, usage: {} });
      expect(line?.quantity).toBe(String(prorationFactor('by-day', part, nominal, zone).numerator));
    }
  });
});
