import { Decimal, roundTo } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundText } from './round-text.js';

const MODES = ['half-up', 'half-even', 'up', 'down'] as const;

describe('roundText', () => {
  it.each([
    // text, places, mode, expected (worked by hand)
    ['1.005', 2, 'half-up', '1.01'],
    ['1.005', 2, 'half-even', '1'],
    ['1.015', 2, 'half-even', '1.02'],
    ['1.0051', 2, 'half-even', '1.01'], // above the half
    ['-1.005', 2, 'half-up', '-1.01'], // half away from zero
    ['-0.004', 2, 'half-up', '0'], // never "-0"
    ['9.999', 2, 'half-up', '10'], // carry into the integer part
    ['99.5', 0, 'half-up', '100'],
    ['2.5', 0, 'half-even', '2'],
    ['3.5', 0, 'half-even', '4'],
    ['1.001', 2, 'up', '1.01'],
    ['-1.009', 2, 'down', '-1'],
    ['12', 2, 'half-up', '12'],
    ['0.5', 3, 'half-up', '0.5'],
  ] as const)('rounds %s to %i places %s: %s', (text, places, mode, expected) => {
    expect(roundText(text, places, mode)).toBe(expected);
  });

  it('agrees with decimal.js rounding for any decimal, places and mode (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.nat(20),
        fc.nat(4),
        fc.constantFrom(...MODES),
        (n, scale, places, mode) => {
          const text = new Decimal(n.toString()).div(new Decimal(10).pow(scale)).toFixed();
          expect(roundText(text, places, mode)).toBe(roundTo(text, places, mode).toFixed());
        },
      ),
      { numRuns: 2000 },
    );
  });
});
