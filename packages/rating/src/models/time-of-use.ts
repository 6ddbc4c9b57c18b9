import { type Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { decimalOf } from '../decimal-cache.js';
import { RatingError } from '../errors.js';
import { instantMs } from '../instant.js';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { type BandAt, compileSchedule, TouScheduleSchema } from '../schedule.js';
import { DecimalStringSchema, IdSchema, IncludedSchema, UsageChargeShape } from '../schema-parts.js';

/**
 * Time-of-use: each record is priced by the band its time falls in, evaluated in the customer's time zone
 * (weekday/weekend schedules, seasons, holidays). `prices` gives a unit price per band, optionally per
 * season; a price without season applies in every season that has none of its own. Records are interval
 * readings stamped with the interval start.
 */
export const TimeOfUseChargeSchema = z
  .object({
    type: z.literal('time-of-use'),
    ...UsageChargeShape,
    schedule: TouScheduleSchema,
    prices: z
      .array(z.object({ band: IdSchema, season: IdSchema.optional(), unitPrice: DecimalStringSchema }))
      .min(1),
    included: IncludedSchema,
  })
  .superRefine((c, ctx) => {
    const priced = new Set(c.prices.map((p) => `${p.season ?? ''}/${p.band}`));
    const has = (season: string | undefined, band: string) =>
      priced.has(`${season ?? ''}/${band}`) || priced.has(`/${band}`);
    const check = (
      days: { band: string }[] | undefined,
      season: string | undefined,
      where: (string | number)[],
    ) =>
      days?.forEach((d, i) => {
        if (!has(season, d.band)) {
          ctx.addIssue({
            code: 'custom',
            path: [...where, i, 'band'],
            message: `band "${d.band}" has no price${season ? ` in season "${season}"` : ''}: add it to prices`,
          });
        }
      });
    check(c.schedule.weekday, undefined, ['schedule', 'weekday']);
    check(c.schedule.weekend, undefined, ['schedule', 'weekend']);
    c.schedule.seasons?.forEach((s, i) => {
      check(s.weekday ?? c.schedule.weekday, s.name, ['schedule', 'seasons', i, 'weekday']);
      check(s.weekend ?? s.weekday ?? c.schedule.weekend ?? c.schedule.weekday, s.name, [
        'schedule',
        'seasons',
        i,
        'weekend',
      ]);
    });
  })
  .describe(
    'time-of-use: records priced by the band of their local time (weekday/weekend, seasons, holidays)',
  );
export type TimeOfUseCharge = z.infer<typeof TimeOfUseChargeSchema>;

interface PreparedPrice {
  readonly unitPrice: Decimal;
  readonly suffix: string;
  readonly description: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

interface PreparedTimeOfUse {
  /** Index into `prices` by "<season>/<band>" ("" for a price without season). */
  readonly index: ReadonlyMap<string, number>;
  readonly prices: readonly PreparedPrice[];
}

const prepare = perCharge(
  (charge: TimeOfUseCharge): PreparedTimeOfUse => ({
    index: new Map(charge.prices.map((p, i) => [`${p.season ?? ''}/${p.band}`, i])),
    prices: charge.prices.map((p) => ({
      unitPrice: constant(p.unitPrice),
      suffix: `band:${p.season === undefined ? '' : `${p.season}:`}${p.band}`,
      description: `${label(charge)}, ${p.season === undefined ? '' : `${p.season} `}${p.band}`,
      dimensions: Object.freeze({ band: p.band, ...(p.season !== undefined && { season: p.season }) }),
    })),
  }),
);

/** One line per entry of `prices`, in their order (zero lines included, so every band is shown). */
export const priceTimeOfUse: Pricer<TimeOfUseCharge> = ({ charge, records, timeZone, line }) => {
  const { index, prices } = prepare(charge);
  const bandAt = compileSchedule(charge.schedule, timeZone);
  const quantities = prices.map(() => ZERO);
  // The compiled schedule returns one shared BandAt per band, season and day kind, so each resolves its
  // price index once.
  const indexOf = new Map<BandAt, number | undefined>();
  for (const r of records) {
    const at = bandAt(instantMs(r.time));
    let i = indexOf.get(at);
    if (i === undefined && !indexOf.has(at)) {
      i = index.get(`${at.season ?? ''}/${at.band}`) ?? index.get(`/${at.band}`);
      indexOf.set(at, i);
    }
    if (i === undefined) {
      throw new RatingError(
        `charge ${charge.id}: record ${r.id} falls in band "${at.band}", which has no price`,
        {
          chargeId: charge.id,
          meterId: charge.meterId,
        },
      );
    }
    quantities[i] = quantities[i]!.plus(decimalOf(r.value));
  }
  return prices.map((p, i) => {
    const quantity = quantities[i]!;
    return line({
      suffix: p.suffix,
      description: p.description,
      quantity,
      unitPrice: p.unitPrice,
      dimensions: p.dimensions,
      precise: quantity.times(p.unitPrice),
    });
  });
};
