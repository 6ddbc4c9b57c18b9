import { describe, expect, it } from 'vitest';
import { rate } from '../rate.js';
import { JANUARY, meter, planWith, rateQuantity } from '../test-support.js';

const charge = { type: 'per-unit', id: 'api', meterId: 'calls', unitPrice: '0.0015' };

describe('per-unit', () => {
  it.each([
    // quantity, precise = quantity × 0.0015, amount rounded half-up to cents
    ['0', '0', '0'],
    ['1', '0.0015', '0'],
    ['3', '0.0045', '0'],
    ['4', '0.006', '0.01'],
    ['1000000', '1500', '1500'],
    ['2.5', '0.00375', '0'],
    ['-2000', '-3', '-3'], // a negative adjustment is a credit
    // 123,456,789,012,345 × 0.0015 = 185,185,183,518.5175
    ['123456789012345', '185185183518.5175', '185185183518.52'],
  ])('prices %s units at 0.0015 as %s (rounded %s)', (quantity, precise, amount) => {
    const lines = rateQuantity(charge, quantity);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      key: 'api',
      kind: 'usage',
      quantity,
      unitPrice: '0.0015',
      precise,
      amount,
    });
  });

  it('draws included units down before overage, shown as an allowance line', () => {
    // 1,500 used, 1,000 included → 500 × 0.0015 = 0.75
    const lines = rateQuantity({ ...charge, included: '1000' }, '1500');
    expect(lines.map((l) => [l.key, l.kind, l.quantity, l.amount])).toEqual([
      ['api:included', 'allowance', '1000', '0'],
      ['api', 'usage', '500', '0.75'],
    ]);
  });

  it('uses only what was consumed of the allowance', () => {
    const lines = rateQuantity({ ...charge, included: '1000' }, '400');
    expect(lines.map((l) => [l.key, l.quantity, l.amount])).toEqual([
      ['api:included', '400', '0'],
      ['api', '0', '0'],
    ]);
  });

  it('tops the charge up to its minimum and caps it at its maximum', () => {
    // 1000 × 0.0015 = 1.50 < 5 → minimum line 3.50
    const low = rateQuantity({ ...charge, minimum: '5' }, '1000');
    expect(low.map((l) => [l.key, l.kind, l.amount])).toEqual([
      ['api', 'usage', '1.5'],
      ['api:minimum', 'minimum', '3.5'],
    ]);
    // 10,000 × 0.0015 = 15 > 12 → cap line −3
    const high = rateQuantity({ ...charge, maximum: '12' }, '10000');
    expect(high.map((l) => [l.key, l.amount])).toEqual([
      ['api', '15'],
      ['api:maximum', '-3'],
    ]);
  });

  it.each([
    // 2 × 0.0025 = 0.005, exactly half a cent; 6 × 0.0025 = 0.015
    ['half-up', '2', '0.01'],
    ['half-even', '2', '0'],
    ['half-up', '6', '0.02'],
    ['half-even', '6', '0.02'],
  ])('rounds a line %s when the plan says so (%s units → %s)', (rounding, quantity, amount) => {
    const plan = planWith([{ type: 'per-unit', id: 'x', meterId: 'm', unitPrice: '0.0025' }], 'EUR', {
      rounding,
    });
    const m = meter({ id: 'm' });
    const lines = rate({
      plan,
      meters: { m },
      period: JANUARY,
      timeZone: 'UTC',
      usage: {},
      quantities: { m: quantity },
    });
    expect(lines[0]).toMatchObject({ amount, rounding });
  });
});
