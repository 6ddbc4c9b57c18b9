import { Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { compare } from '../compare.js';
import { RatingError } from '../errors.js';
import { instantMs } from '../instant.js';
import type { RatedLine } from '../line.js';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { prorateAllowance } from '../proration.js';
import { compileSchedule, TouScheduleSchema } from '../schedule.js';
import {
  DecimalStringSchema,
  IdSchema,
  NonNegativeDecimalStringSchema,
  UsageChargeShape,
} from '../schema-parts.js';

const IncrementSchema = z.int().min(1).max(3600);

/** A rate for the destinations starting with `prefix` (E.164 digits without "+"). */
export const DestinationRateSchema = z.object({
  prefix: z.string().regex(/^\d{1,15}$/, 'must be 1 to 15 digits of an E.164 number, without "+"'),
  name: z.string().min(1),
  /** Price per minute: one price, or one per time-of-day band of the charge's `bands` schedule. */
  perMinute: z.union([DecimalStringSchema, z.record(IdSchema, DecimalStringSchema)]),
  connectFee: DecimalStringSchema.optional(),
  initialIncrement: IncrementSchema.optional(),
  subsequentIncrement: IncrementSchema.optional(),
  minimumCharge: DecimalStringSchema.optional(),
});

/**
 * Telecom call rating. Each record is one call: `value` is its duration in seconds, `time` its start and
 * `dimensions.destination` the called number (E.164 digits). The rate is the destination entry with the
 * longest matching prefix. Billed seconds round up to the initial increment, then to whole subsequent
 * increments ("60/60", "30/6", "1/1"); a call costs connect fee + billed minutes × per-minute price, at
 * least the minimum charge. Unanswered calls (0 s) cost nothing. With `bands`, the per-minute price
 * depends on the time-of-day band of the call start in the customer's time zone. `includedMinutes` of
 * billed time are free, used in call order.
 */
export const CallChargeSchema = z
  .object({
    type: z.literal('call'),
    ...UsageChargeShape,
    connectFee: DecimalStringSchema.default('0'),
    initialIncrement: IncrementSchema.default(60),
    subsequentIncrement: IncrementSchema.default(60),
    minimumCharge: DecimalStringSchema.optional(),
    bands: TouScheduleSchema.optional(),
    includedMinutes: NonNegativeDecimalStringSchema.optional(),
    destinations: z.array(DestinationRateSchema).min(1),
  })
  .superRefine((c, ctx) => {
    const bandNames = new Set<string>();
    for (const d of [
      c.bands?.weekday,
      c.bands?.weekend,
      ...(c.bands?.seasons ?? []).flatMap((s) => [s.weekday, s.weekend]),
    ])
      for (const r of d ?? []) bandNames.add(r.band);
    const seen = new Set<string>();
    c.destinations.forEach((d, i) => {
      if (seen.has(d.prefix)) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'prefix'],
          message: `duplicate prefix "${d.prefix}"`,
        });
      }
      seen.add(d.prefix);
      if (typeof d.perMinute === 'string') return;
      if (c.bands === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['destinations', i, 'perMinute'],
          message: 'prices per band need the charge’s bands schedule; give one price instead',
        });
        return;
      }
      for (const b of bandNames) {
        if (d.perMinute[b] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['destinations', i, 'perMinute', b],
            message: `missing price for band "${b}"`,
          });
        }
      }
    });
  })
  .describe('telecom call rating: longest-prefix destination rates, increments, connect fee, minimum, bands');
export type CallCharge = z.infer<typeof CallChargeSchema>;

/** Billed seconds of a call of `seconds` with increments `initial`/`subsequent`. */
export function billedSeconds(seconds: Decimal, initial: number, subsequent: number): Decimal {
  if (seconds.lte(ZERO)) return ZERO;
  if (seconds.lte(initial)) return new Decimal(initial);
  // With equal increments ("60/60", "1/1") the formula below reduces to whole increments: 3 operations, not 5.
  if (initial === subsequent) return seconds.div(initial).ceil().times(initial);
  return seconds.minus(initial).div(subsequent).ceil().times(subsequent).plus(initial);
}

type DestinationRate = z.infer<typeof DestinationRateSchema>;

/** The price of one destination in one time-of-day band ("all" without bands), prepared once per charge. */
interface BandPrice {
  readonly destination: PreparedDestination;
  readonly band: string;
  readonly perMinute: Decimal;
  /** Rated seconds below which a call costs less than the minimum charge. */
  readonly minimumBelow: Decimal | undefined;
  /** "<prefix>:<band>": the line key suffix, and the order of the lines. */
  readonly suffix: string;
  /** "<charge name>, <destination>[ (<band>)], ": the description before the call count. */
  readonly description: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface PreparedDestination {
  readonly rate: DestinationRate;
  readonly connectFee: Decimal;
  readonly minimum: Decimal | undefined;
  readonly initial: number;
  readonly subsequent: number;
  /** Billed seconds per raw duration for this destination's increments (shared, see {@link billedCache}). */
  readonly billed: Map<string, Decimal>;
  readonly prices: ReadonlyMap<string, BandPrice>;
}

/** A digit trie of the destination prefixes: the longest match is one walk along the called number. */
interface PrefixNode {
  destination: PreparedDestination | undefined;
  readonly next: (PrefixNode | undefined)[];
}

interface PreparedCall {
  readonly prefixes: PrefixNode;
  /** Included seconds (includedMinutes × 60). */
  readonly included: Decimal;
  readonly name: string;
}

/** The band names a schedule can give ("all" without a schedule). */
function bandNames(charge: CallCharge): string[] {
  if (charge.bands === undefined) return ['all'];
  const names = new Set<string>();
  const b = charge.bands;
  for (const day of [b.weekday, b.weekend, ...(b.seasons ?? []).flatMap((s) => [s.weekday, s.weekend])])
    for (const r of day ?? []) names.add(r.band);
  return [...names];
}

const prepare = perCharge((charge: CallCharge): PreparedCall => {
  const name = label(charge);
  const bands = bandNames(charge);
  const prefixes: PrefixNode = { destination: undefined, next: [] };
  for (const rate of charge.destinations) {
    const connectFee = new Decimal(rate.connectFee ?? charge.connectFee);
    const minimumText = rate.minimumCharge ?? charge.minimumCharge;
    const minimum = minimumText === undefined ? undefined : new Decimal(minimumText);
    const initial = rate.initialIncrement ?? charge.initialIncrement;
    const subsequent = rate.subsequentIncrement ?? charge.subsequentIncrement;
    const prices = new Map<string, BandPrice>();
    const destination: PreparedDestination = {
      rate,
      connectFee,
      minimum,
      initial,
      subsequent,
      billed: billedCache(initial, subsequent),
      prices,
    };
    for (const band of bands) {
      const perMinute = constant(
        typeof rate.perMinute === 'string' ? rate.perMinute : (rate.perMinute[band] as string),
      );
      // amount = seconds × perMinute ÷ 60 + connect < minimum  ⇔  seconds < (minimum − connect) × 60 ÷ perMinute
      const minimumBelow =
        minimum === undefined || !perMinute.gt(ZERO)
          ? undefined
          : minimum.minus(connectFee).times(60).div(perMinute);
      prices.set(band, {
        destination,
        band,
        perMinute,
        minimumBelow,
        suffix: `${rate.prefix}:${band}`,
        description: `${name}, ${rate.name}${band === 'all' ? '' : ` (${band})`}, `,
        dimensions: Object.freeze({ destination: rate.name, prefix: rate.prefix, band }),
      });
    }
    let node = prefixes;
    for (let i = 0; i < rate.prefix.length; i++) {
      const digit = rate.prefix.charCodeAt(i) - 48;
      let next = node.next[digit];
      if (next === undefined) {
        next = { destination: undefined, next: [] };
        node.next[digit] = next;
      }
      node = next;
    }
    node.destination = destination;
  }
  return { prefixes, included: new Decimal(charge.includedMinutes ?? '0').times(60), name };
});

/** The destination with the longest prefix of `digits`, if any. */
function longestMatch(root: PrefixNode, digits: string): PreparedDestination | undefined {
  let found: PreparedDestination | undefined;
  let node: PrefixNode | undefined = root;
  for (let i = 0; i < digits.length && node !== undefined; i++) {
    node = node.next[digits.charCodeAt(i) - 48];
    if (node?.destination !== undefined) found = node.destination;
  }
  return found;
}

/** Calls of one destination prefix and band. Amounts are summed as seconds and priced once at the end. */
interface Group {
  readonly price: BandPrice;
  calls: number;
  charged: number;
  seconds: Decimal;
  topUps: Decimal;
}

/**
 * One line per destination prefix and band with calls, sorted by key; quantity is the billed minutes and
 * flatAmount the connect fees and minimum-charge top-ups. Included minutes add an allowance line.
 */
export const priceCall: Pricer<CallCharge> = ({ charge, records, timeZone, line, allowanceShare }) => {
  const { prefixes, name } = prepare(charge);
  const minutes =
    allowanceShare === undefined || charge.includedMinutes === undefined
      ? undefined
      : prorateAllowance(charge.includedMinutes, allowanceShare);
  const included = minutes === undefined ? prepare(charge).included : minutes.times(60);
  const bandAt = charge.bands === undefined ? undefined : compileSchedule(charge.bands, timeZone);
  let allowanceLeft = included;
  const groups = new Map<BandPrice, Group>();
  for (const r of records) {
    const number = r.dimensions?.destination ?? '';
    const digits = number.charCodeAt(0) === 43 /* '+' */ ? number.slice(1) : number;
    const destination = longestMatch(prefixes, digits);
    if (destination === undefined) {
      throw new RatingError(
        `charge ${charge.id}: call ${r.id} to "${digits}" matches no destination prefix; add a rate (e.g. a catch-all prefix)`,
        { chargeId: charge.id, meterId: charge.meterId },
      );
    }
    const price = destination.prices.get(bandAt === undefined ? 'all' : bandAt(instantMs(r.time)).band)!;
    let g = groups.get(price);
    if (g === undefined) {
      g = { price, calls: 0, charged: 0, seconds: ZERO, topUps: ZERO };
      groups.set(price, g);
    }
    g.calls += 1;
    let rated = destination.billed.get(r.value);
    if (rated === undefined) {
      rated = billedSeconds(new Decimal(r.value), destination.initial, destination.subsequent);
      if (destination.billed.size >= BILLED_KEPT) destination.billed.clear();
      destination.billed.set(r.value, rated);
    }
    if (rated.isZero()) continue;
    if (!allowanceLeft.isZero()) {
      const covered = Decimal.min(rated, allowanceLeft);
      allowanceLeft = allowanceLeft.minus(covered);
      rated = rated.minus(covered);
      if (rated.isZero()) continue;
    }
    g.charged += 1;
    g.seconds = g.seconds.plus(rated);
    const { minimum } = destination;
    if (
      minimum !== undefined &&
      (price.minimumBelow === undefined || compare(rated, price.minimumBelow) < 0)
    ) {
      const amount = rated.times(price.perMinute).div(60).plus(destination.connectFee);
      if (compare(amount, minimum) < 0) g.topUps = g.topUps.plus(minimum.minus(amount));
    }
  }
  const lines: RatedLine[] = [];
  if (charge.includedMinutes !== undefined) {
    const used = included.minus(allowanceLeft).div(60);
    lines.push(
      line({
        suffix: 'included',
        kind: 'allowance',
        description: `${name}, included ${used.toFixed()} of ${
          minutes === undefined
            ? charge.includedMinutes
            : `${minutes.toFixed()} (${charge.includedMinutes} × ${allowanceShare!.numerator}/${allowanceShare!.denominator})`
        } minutes`,
        quantity: used,
        unit: 'min',
        unitPrice: ZERO,
        precise: ZERO,
      }),
    );
  }
  const sorted = [...groups.values()].sort((a, b) =>
    a.price.suffix < b.price.suffix ? -1 : a.price.suffix > b.price.suffix ? 1 : 0,
  );
  for (const g of sorted) {
    const { price } = g;
    const flat = price.destination.connectFee.times(g.charged).plus(g.topUps);
    lines.push(
      line({
        suffix: price.suffix,
        description: `${price.description}${g.calls} call${g.calls === 1 ? '' : 's'}`,
        quantity: g.seconds.div(60),
        unit: 'min',
        unitPrice: price.perMinute,
        flatAmount: flat,
        dimensions: price.dimensions,
        precise: g.seconds.times(price.perMinute).div(60).plus(flat),
      }),
    );
  }
  if (groups.size === 0) {
    lines.push(line({ description: `${name}, no calls`, quantity: ZERO, unit: 'min', precise: ZERO }));
  }
  return lines;
};

const billedCaches = new Map<string, Map<string, Decimal>>();
const BILLED_KEPT = 100_000;

/**
 * Billed seconds by raw duration for one pair of increments, shared by every rating: durations are whole
 * seconds that repeat from call to call, and rounding one up to its increment costs a division and a ceiling.
 */
function billedCache(initial: number, subsequent: number): Map<string, Decimal> {
  const key = `${initial}/${subsequent}`;
  let cache = billedCaches.get(key);
  if (cache === undefined) {
    cache = new Map();
    billedCaches.set(key, cache);
  }
  return cache;
}
