import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  currencyExponent,
  Decimal,
  DecimalStringSchema,
  formatMinor,
  fromMinorUnits,
  lineAmount,
  roundToMinor,
  toMinorUnits,
  UnknownCurrencyError,
} from './index.js';

describe('currencyExponent', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['CLF', 4],
  ])('gives %s %i decimals', (code, exponent) => {
    expect(currencyExponent(code)).toBe(exponent);
  });

  it('fails for an unknown code and names it', () => {
    expect(() => currencyExponent('XYZ')).toThrow(UnknownCurrencyError);
    expect(() => currencyExponent('usd')).toThrow(/"usd"/);
  });
});

describe('roundToMinor', () => {
  it.each([
    ['1.005', 'USD', 'half-up', '1.01'],
    ['1.015', 'USD', 'half-even', '1.02'],
    ['1.025', 'USD', 'half-even', '1.02'],
    ['-1.005', 'USD', 'half-up', '-1.01'],
    ['1.001', 'USD', 'up', '1.01'],
    ['1.009', 'USD', 'down', '1'],
    ['99.5', 'JPY', 'half-up', '100'],
    ['0.0005', 'KWD', 'half-up', '0.001'],
  ] as const)('rounds %s %s %s to %s', (value, currency, mode, expected) => {
    expect(roundToMinor(value, currency, mode).toFixed()).toBe(expected);
  });

  it('keeps 40 significant digits so huge volumes times tiny prices stay exact', () => {
    // 22 significant digits: decimal.js's default precision of 20 would drop the last two.
    const amount = new Decimal('123456789012345').times('0.000000123456');
    expect(amount.toFixed()).toBe('15241481.34430806432');
  });
});

describe('lineAmount', () => {
  it('keeps the precise amount beside the amount rounded once', () => {
    expect(lineAmount('10.125', 'EUR')).toEqual({
      currency: 'EUR',
      precise: '10.125',
      amount: '10.13',
      rounding: 'half-up',
    });
  });

  it('has a rounding error of at most half a minor unit', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (n, cur) => {
          const precise = new Decimal(n.toString()).div(1_000_000);
          const line = lineAmount(precise, cur);
          const half = new Decimal(10).pow(-currencyExponent(cur)).div(2);
          expect(new Decimal(line.amount).minus(precise).abs().lte(half)).toBe(true);
        },
      ),
    );
  });
});

describe('minor units', () => {
  it('converts to and from integer minor units', () => {
    expect(toMinorUnits('12.34', 'USD')).toBe(1234n);
    expect(toMinorUnits('5', 'JPY')).toBe(5n);
    expect(fromMinorUnits(1234n, 'KWD').toFixed()).toBe('1.234');
    expect(formatMinor('12.3', 'USD')).toBe('12.30');
    expect(formatMinor('1.2', 'KWD')).toBe('1.200');
  });

  it('fails for an amount that is not rounded yet', () => {
    expect(() => toMinorUnits('1.234', 'USD')).toThrow(/not a whole number of minor units/);
  });
});

describe('allocate', () => {
  it('splits 100.00 in three parts that sum back', () => {
    expect(allocate('100', 'USD', [1, 1, 1]).map((d) => d.toFixed())).toEqual(['33.34', '33.33', '33.33']);
  });

  it('splits a negative amount symmetrically', () => {
    expect(allocate('-1', 'USD', [1, 2]).map((d) => d.toFixed())).toEqual(['-0.33', '-0.67']);
  });

  it('conserves the whole for any weights (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 12 }),
        fc.constantFrom('USD', 'JPY', 'KWD'),
        (minor, weights, cur) => {
          const whole = fromMinorUnits(minor, cur);
          const parts = allocate(whole, cur, weights);
          expect(parts.reduce((a, b) => a.plus(b), new Decimal(0)).eq(whole)).toBe(true);
          for (const p of parts) expect(p.decimalPlaces()).toBeLessThanOrEqual(currencyExponent(cur));
        },
      ),
    );
  });
});

describe('DecimalStringSchema', () => {
  it('accepts plain decimals and rejects numbers in exponent form', () => {
    expect(DecimalStringSchema.safeParse('12.50').success).toBe(true);
    expect(DecimalStringSchema.safeParse('-3').success).toBe(true);
    expect(DecimalStringSchema.safeParse('1e3').success).toBe(false);
    expect(DecimalStringSchema.safeParse(' 1').success).toBe(false);
  });
});
