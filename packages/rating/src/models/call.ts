import { Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { dec } from '../config-decimal.js';
import { RatingError } from '../errors.js';
import type { RatedLine } from '../line.js';
import { label, type Pricer } from '../pricer.js';
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

/** Calls of one destination prefix and band. Amounts are summed as seconds and priced once at the end. */
interface Group {
  readonly rate: DestinationRate;
  readonly band: string;
  readonly perMinute: Decimal;
  readonly connectFee: Decimal;
  readonly minimum: Decimal | undefined;
  /** Rated seconds below which a call costs less than the minimum charge. */
  readonly minimumBelow: Decimal | undefined;
  readonly initial: number;
  readonly subsequent: number;
  /** Billed seconds per raw duration for this group's increments (shared, see {@link billedCache}). */
  readonly billed: Map<string, Decimal>;
  calls: number;
  charged: number;
  seconds: Decimal;
  topUps: Decimal;
}

/**
 * One line per destination prefix and band with calls, sorted by key; quantity is the billed minutes and
 * flatAmount the connect fees and minimum-charge top-ups. Included minutes add an allowance line.
 */
export const priceCall: Pricer<CallCharge> = ({ charge, records, timeZone, line }) => {
  const rates = new Map(charge.destinations.map((d) => [d.prefix, d]));
  const longest = Math.max(...charge.destinations.map((d) => d.prefix.length));
  const rateOf = new Map<string, DestinationRate>();
  const bandAt = charge.bands === undefined ? undefined : compileSchedule(charge.bands, timeZone);
  const included = dec(charge.includedMinutes ?? '0').times(60);
  let allowanceLeft = included;
  const groups = new Map<DestinationRate, Map<string, Group>>();
  const all: Group[] = [];
  for (const r of records) {
    const number = r.dimensions?.destination ?? '';
    let rate = rateOf.get(number);
    if (rate === undefined) {
      const digits = number.replace(/^\+/, '');
      for (let n = Math.min(longest, digits.length); n > 0 && rate === undefined; n--) {
        rate = rates.get(digits.slice(0, n));
      }
      if (rate === undefined) {
        throw new RatingError(
          `charge ${charge.id}: call ${r.id} to "${digits}" matches no destination prefix; add a rate (e.g. a catch-all prefix)`,
          { chargeId: charge.id, meterId: charge.meterId },
        );
      }
      rateOf.set(number, rate);
    }
    const band = bandAt === undefined ? 'all' : bandAt(Date.parse(r.time)).band;
    let byBand = groups.get(rate);
    if (byBand === undefined) {
      byBand = new Map();
      groups.set(rate, byBand);
    }
    let g = byBand.get(band);
    if (g === undefined) {
      g = newGroup(charge, rate, band);
      byBand.set(band, g);
      all.push(g);
    }
    g.calls += 1;
    let rated = g.billed.get(r.value);
    if (rated === undefined) {
      rated = billedSeconds(new Decimal(r.value), g.initial, g.subsequent);
      if (g.billed.size >= BILLED_KEPT) g.billed.clear();
      g.billed.set(r.value, rated);
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
    if (g.minimum !== undefined && (g.minimumBelow === undefined || rated.lt(g.minimumBelow))) {
      const amount = rated.times(g.perMinute).div(60).plus(g.connectFee);
      if (amount.lt(g.minimum)) g.topUps = g.topUps.plus(g.minimum.minus(amount));
    }
  }
  const name = label(charge);
  const lines: RatedLine[] = [];
  if (charge.includedMinutes !== undefined) {
    const used = included.minus(allowanceLeft).div(60);
    lines.push(
      line({
        suffix: 'included',
        kind: 'allowance',
        description: `${name}, included ${used.toFixed()} of ${charge.includedMinutes} minutes`,
        quantity: used,
        unit: 'min',
        unitPrice: ZERO,
        precise: ZERO,
      }),
    );
  }
  const keyed = all.map((g) => [`${g.rate.prefix}:${g.band}`, g] as const);
  for (const [key, g] of keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const flat = g.connectFee.times(g.charged).plus(g.topUps);
    lines.push(
      line({
        suffix: key,
        description: `${name}, ${g.rate.name}${g.band === 'all' ? '' : ` (${g.band})`}, ${g.calls} call${g.calls === 1 ? '' : 's'}`,
        quantity: g.seconds.div(60),
        unit: 'min',
        unitPrice: g.perMinute,
        flatAmount: flat,
        dimensions: { destination: g.rate.name, prefix: g.rate.prefix, band: g.band },
        precise: g.seconds.times(g.perMinute).div(60).plus(flat),
      }),
    );
  }
  if (all.length === 0) {
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

function newGroup(charge: CallCharge, rate: DestinationRate, band: string): Group {
  const perMinute = dec(
    typeof rate.perMinute === 'string' ? rate.perMinute : (rate.perMinute[band] as string),
  );
  const connectFee = dec(rate.connectFee ?? charge.connectFee);
  const minimumText = rate.minimumCharge ?? charge.minimumCharge;
  const minimum = minimumText === undefined ? undefined : dec(minimumText);
  // amount = seconds × perMinute ÷ 60 + connect < minimum  ⇔  seconds < (minimum − connect) × 60 ÷ perMinute
  const minimumBelow =
    minimum === undefined || !perMinute.gt(ZERO)
      ? undefined
      : minimum.minus(connectFee).times(60).div(perMinute);
  return {
    rate,
    band,
    perMinute,
    connectFee,
    minimum,
    minimumBelow,
    initial: rate.initialIncrement ?? charge.initialIncrement,
    subsequent: rate.subsequentIncrement ?? charge.subsequentIncrement,
    billed: billedCache(
      rate.initialIncrement ?? charge.initialIncrement,
      rate.subsequentIncrement ?? charge.subsequentIncrement,
    ),
    calls: 0,
    charged: 0,
    seconds: ZERO,
    topUps: ZERO,
  };
}
