import { Decimal } from '@tally/money';

/**
 * Wraps a charge's preparation (config decimal strings parsed, labels, keys and tier details built) so it
 * runs once per charge object and is reused by every later rating of it. A parsed plan version is
 * immutable (plans are versioned, a used version never changes), so its charge objects are stable keys;
 * a billing run rates many customers on the same parsed plan. Keyed weakly: a plan that is dropped takes
 * its prepared charges with it.
 */
export function perCharge<C extends object, P>(prepare: (charge: C) => P): (charge: C) => P {
  const cache = new WeakMap<C, P>();
  return (charge) => {
    let prepared = cache.get(charge);
    if (prepared === undefined) {
      prepared = prepare(charge);
      cache.set(charge, prepared);
    }
    return prepared;
  };
}

const texts = new WeakMap<Decimal, string>();

/**
 * A prepared Decimal (a price, a tier width, the amount of a fully used tier) with its text computed once:
 * lines print it through {@link textOf} without a `toFixed` per line.
 */
export function constant(value: Decimal | string): Decimal {
  const d = typeof value === 'string' ? new Decimal(value) : value;
  if (!texts.has(d)) texts.set(d, d.toFixed());
  return d;
}

/** `d.toFixed()`, read from the prepared text when `d` is a {@link constant}. */
export function textOf(d: Decimal): string {
  return texts.get(d) ?? d.toFixed();
}
