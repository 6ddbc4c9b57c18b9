import { z } from 'zod';
import { CallChargeSchema } from './models/call.js';
import { DailyChargeSchema } from './models/daily.js';
import { DemandChargeSchema } from './models/demand.js';
import { DynamicChargeSchema } from './models/dynamic.js';
import { FlatChargeSchema } from './models/flat.js';
import { GraduatedChargeSchema } from './models/graduated.js';
import { GraduatedPercentageChargeSchema } from './models/graduated-percentage.js';
import { PackageChargeSchema } from './models/package.js';
import { PerUnitChargeSchema } from './models/per-unit.js';
import { PercentageChargeSchema } from './models/percentage.js';
import { TimeOfUseChargeSchema } from './models/time-of-use.js';
import { VolumeChargeSchema } from './models/volume.js';

/** A plan charge: one pricing model and its configuration, discriminated on `type`. */
export const ChargeSchema = z.discriminatedUnion('type', [
  FlatChargeSchema,
  DailyChargeSchema,
  PerUnitChargeSchema,
  GraduatedChargeSchema,
  VolumeChargeSchema,
  PackageChargeSchema,
  PercentageChargeSchema,
  GraduatedPercentageChargeSchema,
  DynamicChargeSchema,
  TimeOfUseChargeSchema,
  DemandChargeSchema,
  CallChargeSchema,
]);
export type Charge = z.infer<typeof ChargeSchema>;
export type ChargeType = Charge['type'];
export type ChargeOf<T extends ChargeType> = Extract<Charge, { type: T }>;
