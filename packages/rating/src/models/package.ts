import { Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { isPositive } from '../compare.js';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import {
  DecimalStringSchema,
  IncludedSchema,
  NonNegativeDecimalStringSchema,
  PositiveDecimalStringSchema,
  UsageChargeShape,
} from '../schema-parts.js';
import { wholeUnits, wholeUnitsOf } from '../whole-units.js';

/**
 * Package pricing: units are sold in packages of `packageSize` at `packagePrice` each, after `freeUnits`.
 * A started package is billed in full (`round: "up"`, the default) or only complete packages are billed
 * (`round: "down"`).
 */
export const PackageChargeSchema = z
  .object({
    type: z.literal('package'),
    ...UsageChargeShape,
    packageSize: PositiveDecimalStringSchema,
    packagePrice: DecimalStringSchema,
    freeUnits: NonNegativeDecimalStringSchema.default('0'),
    round: z.enum(['up', 'down']).default('up'),
    included: IncludedSchema,
  })
  .describe('package pricing: packages of packageSize units at packagePrice, after freeUnits');
export type PackageCharge = z.infer<typeof PackageChargeSchema>;

interface PreparedPackage {
  readonly size: Decimal;
  /** 1 ÷ size when it is exact (a size of 2^a·5^b·10^k units): a multiplication costs less than a division. */
  readonly inverse: Decimal | undefined;
  readonly free: Decimal;
  /**
   * Size and free units as JS numbers when both are whole (below 10^15): a quantity below 10^15 is then
   * counted in packages with exact integer arithmetic, without a Decimal subtraction, division and ceiling.
   */
  readonly whole: { readonly size: number; readonly free: number } | undefined;
  readonly price: Decimal;
  /** "<charge name>, packages of <size> (" and " used, <free> free)": the description around the quantity. */
  readonly before: string;
  readonly after: string;
}

const prepare = perCharge(
  (charge: PackageCharge): PreparedPackage => ({
    size: new Decimal(charge.packageSize),
    inverse: exactInverse(charge.packageSize),
    free: new Decimal(charge.freeUnits),
    whole: wholeOf(charge),
    price: constant(charge.packagePrice),
    before: `${label(charge)}, packages of ${charge.packageSize} (`,
    after: ` used, ${charge.freeUnits} free)`,
  }),
);

/**
 * 1 ÷ `size` as an exact decimal, or undefined when it has no exact decimal form within the 40 significant
 * digits of Decimal (1 ÷ 3). A decimal's inverse terminates exactly when its digits, read as an integer,
 * have no prime factors but 2 and 5; then q × inverse is exactly q ÷ size, rounded the same way.
 */
export function exactInverse(size: string): Decimal | undefined {
  const [int = '', fraction = ''] = size.split('.');
  let digits = BigInt(int + fraction);
  if (digits === 0n) return undefined;
  let twos = 0;
  let fives = 0;
  while (digits % 2n === 0n) {
    digits /= 2n;
    twos += 1;
  }
  while (digits % 5n === 0n) {
    digits /= 5n;
    fives += 1;
  }
  if (digits !== 1n) return undefined;
  // size = 2^twos × 5^fives ÷ 10^f, so 1 ÷ size = 2^(n − twos) × 5^(n − fives) × 10^(f − n), n = max(twos, fives).
  const n = Math.max(twos, fives);
  const mantissa = (2n ** BigInt(n - twos) * 5n ** BigInt(n - fives)).toString();
  if (mantissa.replace(/0+$/, '').length > 40) return undefined;
  return new Decimal(`${mantissa}e${fraction.length - n}`);
}

/** One line whose quantity is the number of packages. A quantity at or below the free units bills none. */
export const pricePackage: Pricer<PackageCharge> = ({ charge, quantity, line }) => {
  const p = prepare(charge);
  const units = p.whole === undefined ? undefined : wholeUnits(quantity);
  let packages: Decimal;
  let packagesText: string | undefined;
  if (units !== undefined && p.whole !== undefined) {
    const count = countPackages(units - p.whole.free, !quantity.isInteger(), p.whole.size, charge.round);
    packages = count === 0 ? ZERO : new Decimal(count);
    packagesText = String(count);
  } else {
    packages = decimalPackages(p, quantity, charge.round);
  }
  return [
    line({
      description: p.before + quantity.toFixed() + p.after,
      quantity: packages,
      quantityText: packagesText,
      unit: 'package',
      unitPrice: p.price,
      precise: packages.times(p.price),
    }),
  ];
};

/**
 * Packages of a quantity q = units + fraction (units whole, 0 ≤ fraction < 1), with `billable` = units −
 * free units: nothing is billable when billable < 0, or when billable = 0 and there is no fraction. Else
 * with billable = k × size + r (0 ≤ r < size), the complete packages are k, and a started one is billed on
 * top when r > 0 or there is a fraction (billable + fraction ≤ k × size + size, as r + fraction < size).
 */
export function countPackages(
  billable: number,
  fraction: boolean,
  size: number,
  round: 'up' | 'down',
): number {
  if (billable < 0 || (billable === 0 && !fraction)) return 0;
  const r = billable % size;
  const complete = (billable - r) / size;
  return round === 'up' && (r > 0 || fraction) ? complete + 1 : complete;
}

/** The general case (fractional sizes or free units, negative or huge quantities), in Decimal arithmetic. */
function decimalPackages(p: PreparedPackage, quantity: Decimal, round: 'up' | 'down'): Decimal {
  const billable = p.free.isZero() ? quantity : quantity.minus(p.free);
  if (!isPositive(billable)) return ZERO;
  const ratio = p.inverse === undefined ? billable.div(p.size) : billable.times(p.inverse);
  return ratio.isInteger() ? ratio : round === 'up' ? ratio.ceil() : ratio.floor();
}

function wholeOf(charge: PackageCharge): PreparedPackage['whole'] {
  const size = wholeUnitsOf(charge.packageSize);
  const free = wholeUnitsOf(charge.freeUnits);
  return size === undefined || size < 1 || free === undefined ? undefined : { size, free };
}
