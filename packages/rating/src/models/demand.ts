import { type Decimal, ZERO } from '@tally/money';
import { z } from 'zod';
import { decimalOf } from '../decimal-cache.js';
import { instantMs } from '../instant.js';
import { constant, perCharge } from '../prepare.js';
import { label, type Pricer } from '../pricer.js';
import { compileSchedule, offsetLookup, TouScheduleSchema } from '../schedule.js';
import { DecimalStringSchema, IdSchema, UsageChargeShape } from '../schema-parts.js';

/**
 * Demand charge: the highest average demand over any `intervalMinutes` interval of the period (aligned to
 * the customer's local clock), times `unitPrice` (per kW). With `measure: "power"` records are power
 * samples (kW) averaged per interval; with `measure: "energy"` they are energy (kWh) summed per interval
 * and divided by the interval length in hours. With `window`, only intervals whose start falls in one of
 * the listed time-of-use bands count (e.g. on-peak demand).
 */
export const DemandChargeSchema = z
  .object({
    type: z.literal('demand'),
    ...UsageChargeShape,
    intervalMinutes: z
      .int()
      .min(1)
      .max(1440)
      .refine((m) => 1440 % m === 0, { message: 'must divide a day (e.g. 5, 15, 30, 60)' }),
    unitPrice: DecimalStringSchema,
    measure: z.enum(['power', 'energy']).default('power'),
    window: z.object({ schedule: TouScheduleSchema, bands: z.array(IdSchema).min(1) }).optional(),
  })
  .describe('demand charge: maximum interval demand in the period (optionally inside a time-of-use window)');
export type DemandCharge = z.infer<typeof DemandChargeSchema>;

const prepare = perCharge((charge: DemandCharge) => constant(charge.unitPrice));

/** One line: quantity is the peak demand; `dimensions.interval` names the interval where it occurred. */
export const priceDemand: Pricer<DemandCharge> = ({ charge, records, timeZone, line }) => {
  const intervalMs = charge.intervalMinutes * 60_000;
  const inWindow =
    charge.window === undefined ? undefined : compileSchedule(charge.window.schedule, timeZone);
  const bands = new Set(charge.window?.bands ?? []);
  const offsetAt = offsetLookup(timeZone);
  const buckets = new Map<number, { sum: Decimal; n: number }>();
  for (const r of records) {
    const ms = instantMs(r.time);
    const offsetMs = offsetAt(ms);
    const start = Math.floor((ms + offsetMs) / intervalMs) * intervalMs - offsetMs;
    if (inWindow !== undefined && !bands.has(inWindow(start).band)) continue;
    const b = buckets.get(start);
    if (b === undefined) buckets.set(start, { sum: ZERO.plus(decimalOf(r.value)), n: 1 });
    else {
      b.sum = b.sum.plus(decimalOf(r.value));
      b.n += 1;
    }
  }
  let peak = ZERO;
  let peakAt: number | undefined;
  for (const [start, b] of [...buckets].sort(([a], [c]) => a - c)) {
    const demand = charge.measure === 'power' ? b.sum.div(b.n) : b.sum.times(60).div(charge.intervalMinutes);
    if (demand.gt(peak)) {
      peak = demand;
      peakAt = start;
    }
  }
  const unitPrice = prepare(charge);
  return [
    line({
      description: `${label(charge)}, peak ${charge.intervalMinutes}-minute demand`,
      quantity: peak,
      unit: charge.unit ?? 'kW',
      unitPrice,
      ...(peakAt !== undefined && { dimensions: { interval: new Date(peakAt).toISOString() } }),
      precise: peak.times(unitPrice),
    }),
  ];
};
