import { Decimal } from '@tally/money';

const cache = new Map<string, Decimal>();
const LIMIT = 10_000;

/**
 * The Decimal of a plan config string (prices, bounds, fees), parsed once. Parsing a decimal string costs
 * more than a multiply, and the same few config strings are read for every quantity rated. Decimals are
 * immutable, so sharing them is safe; the cache is cleared when it grows past its limit.
 */
export function dec(value: string): Decimal {
  let d = cache.get(value);
  if (d === undefined) {
    if (cache.size >= LIMIT) cache.clear();
    d = new Decimal(value);
    cache.set(value, d);
  }
  return d;
}

const boundCache = new WeakMap<readonly { upTo: string | null }[], (Decimal | undefined)[]>();

/** Tier upper bounds as Decimals (`undefined` for the open last tier), parsed once per tier list. */
export function tierBounds(tiers: readonly { upTo: string | null }[]): (Decimal | undefined)[] {
  let bounds = boundCache.get(tiers);
  if (bounds === undefined) {
    bounds = tiers.map((t) => (t.upTo === null ? undefined : new Decimal(t.upTo)));
    boundCache.set(tiers, bounds);
  }
  return bounds;
}
