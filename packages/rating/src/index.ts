export { type Charge, type ChargeOf, ChargeSchema, type ChargeType } from './charge.js';
export { RatingError } from './errors.js';
export type { RatedLine } from './line.js';
export { billedSeconds, type CallCharge, CallChargeSchema, DestinationRateSchema } from './models/call.js';
export { type DailyCharge, DailyChargeSchema } from './models/daily.js';
export { type DemandCharge, DemandChargeSchema } from './models/demand.js';
export { type DynamicCharge, DynamicChargeSchema } from './models/dynamic.js';
export { type FlatCharge, FlatChargeSchema } from './models/flat.js';
export {
  type GraduatedCharge,
  GraduatedChargeSchema,
  type TierSlice,
  tierSlices,
} from './models/graduated.js';
export {
  type GraduatedPercentageCharge,
  GraduatedPercentageChargeSchema,
} from './models/graduated-percentage.js';
export { type PackageCharge, PackageChargeSchema } from './models/package.js';
export { type PerUnitCharge, PerUnitChargeSchema } from './models/per-unit.js';
export { type PercentageCharge, PercentageChargeSchema } from './models/percentage.js';
export { type TimeOfUseCharge, TimeOfUseChargeSchema } from './models/time-of-use.js';
export { type VolumeCharge, VolumeChargeSchema } from './models/volume.js';
export {
  type AppendixSpec,
  AppendixSpecSchema,
  chargedMeterIds,
  metersOf,
  type Plan,
  type PlanInput,
  PlanSchema,
  type PlanTerms,
  PlanTermsSchema,
  planJsonSchema,
  planMeters,
} from './plan.js';
export type { LineDraft, LineFactory, Pricer, PricingInput } from './pricer.js';
export { chargeInput, PRICERS, type PricerEntry, type PricerInputKind } from './pricers.js';
export {
  localDays,
  type PeriodShare,
  type ProrationBasis,
  periodShare,
  prorateAllowance,
} from './proration.js';
export { type RateInput, rate } from './rate.js';
export { type BandAt, compileSchedule, type TouSchedule, TouScheduleSchema } from './schedule.js';
export { type GroupPrice, GroupPriceSchema, type Tier, TierSchema } from './schema-parts.js';
export { type LineTotals, totals } from './totals.js';
