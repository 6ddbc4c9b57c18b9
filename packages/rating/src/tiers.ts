import { Decimal, ZERO } from '@tally/money';
import { compare, isPositive } from './compare.js';
import type { RatedLine } from './line.js';
import { constant } from './prepare.js';
import type { LineFactory } from './pricer.js';

/** A tier of a plan, as the tiered models' configs give it. */
export interface TierConfig {
  readonly upTo: string | null;
  readonly flatAmount?: string | undefined;
}

/** A tier with its decimals parsed and what its lines print built once per charge. */
export interface PreparedTier {
  /** 1-based, as printed. */
  readonly index: number;
  /** The previous tier's bound (0 for the first). */
  readonly from: Decimal;
  /** Inclusive upper bound; undefined for the open last tier. */
  readonly upTo: Decimal | undefined;
  /** Price per unit (or rate per amount unit) of the tier. */
  readonly price: Decimal;
  readonly flat: Decimal | undefined;
  /** Line key suffix, "tier:<index>". */
  readonly suffix: string;
  /** "<charge name>, tier <index>". */
  readonly label: string;
  /** upTo − from; undefined for the open last tier. */
  readonly width: Decimal | undefined;
  /** The precise amount of the tier used in full (width × price + flat); undefined for the open last tier. */
  readonly full: Decimal | undefined;
  readonly widthText: string | undefined;
  readonly fullText: string | undefined;
  /** What a line of the tier shows as `tier` (from = the previous bound, printed as a plain decimal). */
  readonly info: NonNullable<RatedLine['tier']>;
  /** The line description; the label unless the model says more. */
  readonly description: string;
}

/** Parses a tier list once: bounds, prices, flat amounts, labels and full-tier amounts. */
export function prepareTiers<T extends TierConfig>(
  name: string,
  tiers: readonly T[],
  priceOf: (tier: T) => string,
  describe: (label: string, price: Decimal) => string = (label) => label,
): PreparedTier[] {
  let from = ZERO;
  return tiers.map((t, i) => {
    const upTo = t.upTo === null ? undefined : new Decimal(t.upTo);
    const price = constant(priceOf(t));
    const flat = t.flatAmount === undefined ? undefined : constant(t.flatAmount);
    const width = upTo?.minus(from);
    const used = width?.times(price);
    const full = used === undefined || flat === undefined ? used : used.plus(flat);
    const label = `${name}, tier ${i + 1}`;
    const tier: PreparedTier = {
      index: i + 1,
      from,
      upTo,
      price,
      flat,
      suffix: `tier:${i + 1}`,
      label,
      width,
      full,
      widthText: width?.toFixed(),
      fullText: full?.toFixed(),
      info: tierInfo(i + 1, from.toFixed(), t.upTo),
      description: describe(label, price),
    };
    if (upTo !== undefined) from = upTo;
    return tier;
  });
}

/** The tier details a line shows; frozen, since one object is shared by every line of the tier. */
export function tierInfo(index: number, from: string, upTo: string | null): NonNullable<RatedLine['tier']> {
  return Object.freeze({ index, from, upTo });
}

/**
 * Graduated lines: one per tier reached, each tier's part of the quantity at its price plus its flat
 * amount. A tier the quantity goes past is used in full, and its line is prepared but for the key. A zero
 * or negative quantity is one line at the first tier's price, without flat amount.
 */
export function graduatedLines(
  tiers: readonly PreparedTier[],
  quantity: Decimal,
  line: LineFactory,
): RatedLine[] {
  const first = tiers[0]!;
  if (!isPositive(quantity)) {
    return [
      line({
        suffix: first.suffix,
        description: first.label,
        quantity,
        unitPrice: first.price,
        tier: first.info,
        precise: quantity.times(first.price),
      }),
    ];
  }
  const lines: RatedLine[] = [];
  for (const t of tiers) {
    if (t.upTo !== undefined && compare(quantity, t.upTo) > 0) {
      lines.push(
        line({
          suffix: t.suffix,
          description: t.description,
          quantity: t.width!,
          quantityText: t.widthText,
          unitPrice: t.price,
          flatAmount: t.flat,
          tier: t.info,
          precise: t.full!,
          preciseText: t.fullText,
        }),
      );
      continue;
    }
    const inTier = quantity.minus(t.from);
    const used = inTier.times(t.price);
    lines.push(
      line({
        suffix: t.suffix,
        description: t.description,
        quantity: inTier,
        unitPrice: t.price,
        flatAmount: t.flat,
        tier: t.info,
        precise: t.flat === undefined ? used : used.plus(t.flat),
      }),
    );
    break;
  }
  return lines;
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
