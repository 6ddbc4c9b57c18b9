import { Decimal } from '@tally/money';
import { z } from 'zod';
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
  if (seconds.lte(0)) return new Decimal(0);
  if (seconds.lte(initial)) return new Decimal(initial);
  return seconds.minus(initial).div(subsequent).ceil().times(subsequent).plus(initial);
}

interface Group {
  readonly prefix: string;
  readonly name: string;
  readonly band: string;
  readonly perMinute: Decimal;
  calls: number;
  minutes: Decimal;
  flat: Decimal;
  precise: Decimal;
}

/**
 * One line per destination prefix and band with calls, sorted by key; quantity is the billed minutes and
 * flatAmount the connect fees and minimum-charge top-ups. Included minutes add an allowance line.
 */
export const priceCall: Pricer<CallCharge> = ({ charge, records, timeZone, line }) => {
  const rates = new Map(charge.destinations.map((d) => [d.prefix, d]));
  const longest = Math.max(...charge.destinations.map((d) => d.prefix.length));
  const bandAt = charge.bands === undefined ? undefined : compileSchedule(charge.bands, timeZone);
  const included = new Decimal(charge.includedMinutes ?? 0).times(60);
  let coveredSeconds = new Decimal(0);
  const groups = new Map<string, Group>();
  for (const r of records) {
    const number = (r.dimensions?.destination ?? '').replace(/^\+/, '');
    let rate: z.infer<typeof DestinationRateSchema> | undefined;
    for (let n = Math.min(longest, number.length); n > 0 && rate === undefined; n--)
      rate = rates.get(number.slice(0, n));
    if (rate === undefined) {
      throw new RatingError(
        `charge ${charge.id}: call ${r.id} to "${number}" matches no destination prefix; add a rate (e.g. a catch-all prefix)`,
        { chargeId: charge.id, meterId: charge.meterId },
      );
    }
    const band = bandAt === undefined ? 'all' : bandAt(Date.parse(r.time)).band;
    const perMinute = new Decimal(
      typeof rate.perMinute === 'string' ? rate.perMinute : (rate.perMinute[band] as string),
    );
    const billed = billedSeconds(
      new Decimal(r.value),
      rate.initialIncrement ?? charge.initialIncrement,
      rate.subsequentIncrement ?? charge.subsequentIncrement,
    );
    const covered = Decimal.min(billed, included.minus(coveredSeconds));
    coveredSeconds = coveredSeconds.plus(covered);
    const rated = billed.minus(covered);
    const key = `${rate.prefix}:${band}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        prefix: rate.prefix,
        name: rate.name,
        band,
        perMinute,
        calls: 0,
        minutes: new Decimal(0),
        flat: new Decimal(0),
        precise: new Decimal(0),
      };
      groups.set(key, g);
    }
    g.calls += 1;
    if (rated.isZero()) continue;
    const minutes = rated.div(60);
    const usage = minutes.times(perMinute);
    let amount = usage.plus(rate.connectFee ?? charge.connectFee);
    const minimum = rate.minimumCharge ?? charge.minimumCharge;
    if (minimum !== undefined && amount.lt(minimum)) amount = new Decimal(minimum);
    g.minutes = g.minutes.plus(minutes);
    g.flat = g.flat.plus(amount.minus(usage));
    g.precise = g.precise.plus(amount);
  }
  const name = label(charge);
  const lines: RatedLine[] = [];
  if (charge.includedMinutes !== undefined) {
    lines.push(
      line({
        suffix: 'included',
        kind: 'allowance',
        description: `${name}, included ${coveredSeconds.div(60).toFixed()} of ${charge.includedMinutes} minutes`,
        quantity: coveredSeconds.div(60),
        unit: 'min',
        unitPrice: new Decimal(0),
        precise: new Decimal(0),
      }),
    );
  }
  const sorted = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, g] of sorted) {
    lines.push(
      line({
        suffix: key,
        description: `${name}, ${g.name}${g.band === 'all' ? '' : ` (${g.band})`}, ${g.calls} call${g.calls === 1 ? '' : 's'}`,
        quantity: g.minutes,
        unit: 'min',
        unitPrice: g.perMinute,
        flatAmount: g.flat,
        dimensions: { destination: g.name, prefix: g.prefix, band: g.band },
        precise: g.precise,
      }),
    );
  }
  if (groups.size === 0) {
    lines.push(
      line({
        description: `${name}, no calls`,
        quantity: new Decimal(0),
        unit: 'min',
        precise: new Decimal(0),
      }),
    );
  }
  return lines;
};
