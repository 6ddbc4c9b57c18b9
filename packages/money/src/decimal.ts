import DecimalJs from 'decimal.js';

/**
 * The one Decimal constructor of tally. 40 significant digits hold a quantity of 10^15 units priced to
 * 10^-12 with room to spare, where decimal.js's default of 20 would silently round a large telecom
 * volume times a sub-cent price. Every package imports Decimal from here, never from decimal.js.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
  toExpNeg: -21,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

/** Anything decimal.js accepts as a value. `number` is allowed for literals in code, never for parsed amounts. */
export type DecimalInput = Decimal | string | number | bigint;

export const ZERO = new Decimal(0);

/** Sums decimals exactly. */
export function sum(values: Iterable<DecimalInput>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(new Decimal(v as string));
  return total;
}

/** A plain decimal string (never exponent notation), as stored in JSON and DynamoDB. */
export function toDecimalString(value: DecimalInput): string {
  return new Decimal(value as string).toFixed();
}
