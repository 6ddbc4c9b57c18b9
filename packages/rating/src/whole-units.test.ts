import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wholeUnits, wholeUnitsOf } from './whole-units.js';

const nonNegative = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 25 }))
  .map(([n, places]) => new Decimal(n.toString()).div(new Decimal(10).pow(places)));

describe('wholeUnits', () => {
  it.each([
    ['0', 0],
    ['0.999', 0],
    ['0.00000001', 0], // its digit word sits two words right of the point
    ['7', 7],
    ['1000', 1000],
    ['10000000', 10_000_000], // one word, the units word dropped as a trailing zero word
    ['12345678.9', 12_345_678],
    ['100000000000000.5', 100_000_000_000_000], // 10^14: three words
    ['999999999999999.999', 999_999_999_999_999], // the largest below 10^15
  ])('reads the integer part of %s as %d', (text, n) => {
    expect(wholeUnits(new Decimal(text))).toBe(n);
  });

  it.each([['1000000000000000'], ['1e20'], ['-1'], ['-0.5']])(
    'leaves %s to Decimal arithmetic (negative, or 10^15 and more)',
    (text) => {
      expect(wholeUnits(new Decimal(text))).toBeUndefined();
    },
  );

  it('gives what truncated().toNumber() gives below 10^15 (property)', () => {
    fc.assert(
      fc.property(nonNegative, (a) => {
        const expected = a.lt('1e15') ? a.truncated().toNumber() : undefined;
        expect(wholeUnits(a)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('wholeUnitsOf', () => {
  it.each([
    ['1000', 1000],
    ['100.000', 100],
    ['0', 0],
    ['999999999999999', 999_999_999_999_999],
    ['1000000000000000', undefined], // 10^15
    ['7.5', undefined],
    ['0.001', undefined],
    ['-1', undefined],
  ])('reads %s as %s', (text, n) => {
    expect(wholeUnitsOf(text)).toBe(n);
  });
});
