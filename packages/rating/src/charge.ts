import { z } from 'zod';
import { DailyChargeSchema } from './models/daily.js';
import { FlatChargeSchema } from './models/flat.js';
import { GraduatedChargeSchema } from './models/graduated.js';
import { PerUnitChargeSchema } from './models/per-unit.js';
import { VolumeChargeSchema } from './models/volume.js';

/** A plan charge: one pricing model and its configuration, discriminated on `type`. */
export const ChargeSchema = z.discriminatedUnion('type', [
  FlatChargeSchema,
  DailyChargeSchema,
  PerUnitChargeSchema,
  GraduatedChargeSchema,
  VolumeChargeSchema,
]);
export type Charge = z.infer<typeof ChargeSchema>;
export type ChargeType = Charge['type'];
export type ChargeOf<T extends ChargeType> = Extract<Charge, { type: T }>;
