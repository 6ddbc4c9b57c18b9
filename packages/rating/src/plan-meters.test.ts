import { describe, expect, it } from 'vitest';
import { chargedMeterIds, planMeters } from './plan.js';
import { meter, planWith } from './test-support.js';

const perUnit = (id: string, meterId: string) => ({ type: 'per-unit', id, meterId, unitPrice: '0.01' });

describe('chargedMeterIds and planMeters', () => {
  it('lists the meters the charges read, each once, in charge order', () => {
    const plan = planWith([
      perUnit('a', 'gb'),
      { type: 'flat', id: 'f', amount: '1' },
      perUnit('b', 'calls'),
      perUnit('c', 'gb'),
    ]);
    expect(chargedMeterIds(plan)).toEqual(['gb', 'calls']);
  });

  it('takes embedded meters as they are and looks up the others once each, in charge order', async () => {
    const embedded = meter({ id: 'gb', aggregation: 'max' });
    const plan = { ...planWith([perUnit('a', 'gb'), perUnit('b', 'calls')]), meters: [embedded] };
    const other = planWith([perUnit('c', 'calls'), perUnit('d', 'sms')]);
    const asked: string[] = [];
    const meters = await planMeters([plan, other], async (id) => {
      asked.push(id);
      return meter({ id });
    });
    expect(asked).toEqual(['calls', 'sms']);
    expect(Object.keys(meters)).toEqual(['gb', 'calls', 'sms']);
    expect(meters.gb).toBe(embedded);
    expect(meters.sms).toEqual(meter({ id: 'sms' }));
  });

  it('passes on what the lookup throws (a meter the registry does not hold)', async () => {
    const plan = planWith([perUnit('a', 'nope')]);
    await expect(
      planMeters([plan], async (id) => {
        throw new Error(`meter ${id} is not registered`);
      }),
    ).rejects.toThrow('meter nope is not registered');
  });
});
