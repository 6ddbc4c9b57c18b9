export {
  AGGREGATIONS,
  aggregate,
  aggregateGrouped,
  type GroupedAggregate,
  groupRecords,
  type RecordGroup,
} from './aggregate.js';
export type { AggregationFn, AggregationInput, OpeningState } from './aggregations/support.js';
export { InvalidUsageError } from './errors.js';
export { type UsageEvent, UsageEventSchema, usageEventJsonSchema } from './event.js';
export {
  type Aggregation,
  AggregationSchema,
  type Meter,
  type MeterInput,
  MeterSchema,
  meterJsonSchema,
  PositiveDecimalStringSchema,
} from './meter.js';
export {
  InstantSchema,
  type Period,
  type PeriodMs,
  PeriodSchema,
  periodMs,
  periodSeconds,
} from './period.js';
export { dimensionPaths, toUsageRecord, type UsageRecord, UsageRecordSchema } from './record.js';
