import { Decimal } from '@tally/money';

const cache = new Map<string, Decimal>();
const LIMIT = 10_000;

/**
 * The Decimal of a decimal string carried on usage records (values, event prices), parsed once while it
 * stays in a bounded cache. Parsing a decimal string costs about twice a multiply-and-add, and record
 * values repeat: call durations are whole seconds, interval readings have a few decimals, spot prices
 * change hourly. Decimals are immutable, so sharing them is safe; the cache is cleared when it grows past
 * its limit, so unique values cost one failed lookup and one insert each.
 */
export function decimalOf(text: string): Decimal {
  let d = cache.get(text);
  if (d === undefined) {
    if (cache.size >= LIMIT) cache.clear();
    d = new Decimal(text);
    cache.set(text, d);
  }
  return d;
}
