import { describe, expect, it } from 'vitest';
import { rateQuantity } from '../test-support.js';

describe('flat', () => {
  it('bills the fee once for the full period as a fixed line', () => {
    const [line, ...rest] = rateQuantity({ type: 'flat', id: 'base', amount: '19.99' }, '0');
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      key: 'base',
      kind: 'fixed',
      quantity: '1',
      precise: '19.99',
      amount: '19.99',
    });
    expect(line?.planVersion).toBe(3);
  });

  it('rounds a sub-cent fee once, keeping the precise amount', () => {
    const [line] = rateQuantity({ type: 'flat', id: 'base', amount: '9.995' }, '0');
    expect(line).toMatchObject({ precise: '9.995', amount: '10' });
  });
});
