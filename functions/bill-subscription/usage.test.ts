import { MeterSchema } from '@tally/metering';
import { PlanSchema } from '@tally/rating';
import { describe, expect, it } from 'vitest';
import { isFoldable } from './usage.js';

const data = MeterSchema.parse({
  id: 'data',
  eventType: 'data.session',
  valuePath: 'bytes',
  aggregation: 'sum',
  dimensions: { region: 'region' },
});
const plan = (charge: Record<string, unknown>) =>
  PlanSchema.parse({
    id: 'p',
    version: 1,
    name: 'P',
    currency: 'EUR',
    effectiveFrom: '2026-01-01',
    meters: [data],
    charges: [{ type: 'per-unit', id: 'data', meterId: 'data', unitPrice: '0.10', ...charge }],
  });

describe('isFoldable', () => {
  it('folds a meter whose charges price its aggregate', () => {
    expect(isFoldable(data, [plan({})])).toBe(true);
  });

  it('keeps the records of a meter priced per group (a fold would lose the dimensions)', () => {
    expect(isFoldable(data, [plan({ groupBy: ['region'] })])).toBe(false);
  });
});
