import { Decimal } from '@tally/money';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChargeSchema } from '../charge.js';
import { lineFactory } from '../pricer.js';
import { JANUARY, rateQuantity } from '../test-support.js';
import { countPackages, exactInverse, type PackageCharge, pricePackage } from './package.js';

const base = { type: 'package', id: 'sms', meterId: 'm', packageSize: '100', packagePrice: '5' };

describe('package', () => {
  it.each([
    // config, quantity, packages, amount
    [{}, '0', '0', '0'],
    [{}, '1', '1', '5'], // a started package is billed in full
    [{}, '100', '1', '5'], // exactly one package
    [{}, '101', '2', '10'],
    [{}, '250.5', '3', '15'],
    [{ round: 'down' }, '199', '1', '5'], // only complete packages
    [{ round: 'down' }, '200', '2', '10'],
    [{ freeUnits: '50' }, '50', '0', '0'],
    [{ freeUnits: '50' }, '151', '2', '10'], // 101 billable → 2 packages
    [{}, '-300', '0', '0'], // package pricing never credits
  ])('with %j prices %s units as %s packages (%s)', (config, quantity, packages, amount) => {
    const [line] = rateQuantity({ ...base, ...config }, quantity);
    expect(line).toMatchObject({ key: 'sms', quantity: packages, unit: 'package', unitPrice: '5', amount });
  });

  it('has totals that never fall as the quantity grows (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.nat(1_000_000),
        fc.constantFrom('up', 'down'),
        fc.nat(500),
        (a, d, round, free) => {
          const c = { ...base, round, freeUnits: String(free), packageSize: '7.5' };
          const t1 = new Decimal(rateQuantity(c, String(a))[0]!.precise);
          const t2 = new Decimal(rateQuantity(c, String(a + d))[0]!.precise);
          expect(t2.gte(t1)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([
    ['1000', '0.001'],
    ['2.5', '0.4'],
    ['0.125', '8'],
    ['1024', '0.0009765625'], // 1 ÷ 2^10 = 5^10 ÷ 10^10
    ['3', undefined], // 0.333…: divided, not multiplied
    ['0.3', undefined],
    ['7.5', undefined], // 75 = 3 × 5²
  ])('inverts a package size of %s exactly to %s, or not at all', (size, inverse) => {
    expect(exactInverse(size)?.toFixed()).toBe(inverse);
  });

  it('prices sizes with and without an exact inverse alike (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.constantFrom('0.3', '2.5', '7.5', '1000', '0.125'), (n, size) => {
        const quantity = new Decimal(n).div(1000);
        const [line] = rateQuantity({ ...base, packageSize: size }, quantity.toFixed());
        // ⌈quantity ÷ size⌉ packages of 5
        expect(line?.quantity).toBe(quantity.div(size).ceil().toFixed());
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    // billable whole units, fraction?, size, round → packages
    [-1, true, 10, 'up', 0], // q = free − 1 + fraction: below the free units
    [0, false, 10, 'up', 0], // q = free exactly
    [0, true, 10, 'up', 1], // a fraction of a unit starts a package
    [0, true, 10, 'down', 0],
    [10, false, 10, 'up', 1], // exactly one package
    [10, true, 10, 'up', 2],
    [10, true, 10, 'down', 1],
    [19, false, 10, 'down', 1],
    [19, false, 10, 'up', 2],
    [999_999_999_999_999, false, 1, 'up', 999_999_999_999_999],
    [999_999_999_999_999, true, 1000, 'up', 1_000_000_000_000], // ⌊(10^15 − 1) ÷ 1000⌋ + 1
  ] as const)(
    'counts %d whole billable units (fraction: %s) in packages of %d, rounded %s, as %d',
    (billable, fraction, size, round, packages) => {
      expect(countPackages(billable, fraction, size, round)).toBe(packages);
    },
  );

  describe('equals a reference in Decimal arithmetic (property)', () => {
    const line = lineFactory({
      chargeId: 'sms',
      meterId: 'm',
      planId: 'p',
      planVersion: 1,
      period: JANUARY,
      currency: 'EUR',
      rounding: 'half-up',
      unit: 'sms',
    });
    /** The rule as written: ⌈(q − free) ÷ size⌉ (or ⌊⌋) packages when q > free, else none. */
    const reference = (q: Decimal, size: string, free: string, round: 'up' | 'down') => {
      const billable = q.minus(free);
      if (billable.lte(0)) return new Decimal(0);
      const ratio = billable.div(size);
      return round === 'up' ? ratio.ceil() : ratio.floor();
    };
    const digits = (max: bigint) =>
      fc
        .tuple(fc.bigInt({ min: 0n, max }), fc.integer({ min: 0, max: 12 }))
        .map(([n, places]) => new Decimal(n.toString()).div(new Decimal(10).pow(places)));
    const sizes = ['1000', '1', '3', '7', '0.5', '7.5', '999999999999999', '1000000000000000'];
    const frees = ['0', '100', '0.5', '123456789012345'];
    const quantity = (size: string, free: string) =>
      fc.oneof(
        fc.constant(new Decimal(0)),
        fc.constant(new Decimal(free)),
        // exact multiples past the free units, and a hair either side of them
        fc
          .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.constantFrom('0', '0.001', '-0.001', '1', '-1'))
          .map(([k, d]) => new Decimal(k.toString()).times(size).plus(free).plus(d)),
        digits(10n ** 9n), // everyday quantities, fractional or whole
        digits(10n ** 27n), // huge ones, either side of 10^15
        fc
          .constantFrom('999999999999999.999', '1000000000000000', '1000000000000000.5')
          .map((t) => new Decimal(t)),
        digits(10n ** 9n).map((d) => d.neg()), // negative adjustments
      );
    const config = fc
      .tuple(
        fc.constantFrom(...sizes),
        fc.constantFrom(...frees),
        fc.constantFrom('up' as const, 'down' as const),
      )
      .chain(([size, free, round]) => fc.tuple(fc.constant({ size, free, round }), quantity(size, free)));

    it('in packages, amount and description', () => {
      fc.assert(
        fc.property(config, ([{ size, free, round }, q]) => {
          const charge = ChargeSchema.parse({
            type: 'package',
            id: 'sms',
            meterId: 'm',
            packageSize: size,
            packagePrice: '0.25',
            freeUnits: free,
            round,
          }) as PackageCharge;
          const [got] = pricePackage({
            charge,
            quantity: q,
            records: [],
            period: { startMs: 0, endMs: 1 },
            timeZone: 'UTC',
            unit: 'sms',
            line,
          });
          const packages = reference(q, size, free, round);
          const precise = packages.times('0.25');
          expect(got).toMatchObject({
            quantity: packages.toFixed(),
            precise: precise.toFixed(),
            amount: precise.toDecimalPlaces(2).toFixed(),
            description: `sms, packages of ${size} (${q.toFixed()} used, ${free} free)`,
          });
        }),
        { numRuns: 5000 },
      );
    });
  });
});
