import { describe, expect, it } from 'vitest';
import { RatingError } from '../errors.js';
import { rateRecords, rec } from '../test-support.js';

const charge = { type: 'dynamic', id: 'spot', meterId: 'kwh' };

describe('dynamic', () => {
  it('prices each event at the price it carries', () => {
    // 10 × 0.2131 + 5 × 0.1875 + 2.5 × (−0.01) (a negative spot price) = 2.131 + 0.9375 − 0.025 = 3.0435
    const lines = rateRecords(charge, [
      rec('2026-01-01T00:00:00Z', '10', { price: '0.2131' }),
      rec('2026-01-01T01:00:00Z', '5', { price: '0.1875' }),
      rec('2026-01-01T02:00:00Z', '2.5', { price: '-0.01' }),
    ]);
    expect(lines).toEqual([
      expect.objectContaining({ key: 'spot', quantity: '17.5', precise: '3.0435', amount: '3.04' }),
    ]);
  });

  it('fails for an event without a price, naming it', () => {
    const r = rec('2026-01-01T00:00:00Z', '1');
    expect(() => rateRecords(charge, [r])).toThrow(RatingError);
    expect(() => rateRecords(charge, [r])).toThrow(r.id);
  });

  it('gives a zero line without usage', () => {
    expect(rateRecords(charge, [])[0]).toMatchObject({ quantity: '0', amount: '0' });
  });
});
