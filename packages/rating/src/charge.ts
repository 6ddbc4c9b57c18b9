import { z } from 'zod';
import { fixedFieldsSet, mergeGroupPrice } from './groups.js';
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
import type { GroupPrice } from './schema-parts.js';

const ChargeUnion = z.discriminatedUnion('type', [
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

/** A plan charge: one pricing model and its configuration, discriminated on `type`. */
export const ChargeSchema = ChargeUnion.superRefine(checkGroups);
export type Charge = z.infer<typeof ChargeSchema>;
export type ChargeType = Charge['type'];
export type ChargeOf<T extends ChargeType> = Extract<Charge, { type: T }>;

/**
 * The charge a group is priced with: the group's prices over the charge's own fields, parsed by the
 * charge's model. The plan schema has checked that it parses.
 */
export function parseGroupCharge(charge: Charge, price: GroupPrice | undefined): Charge {
  return ChargeUnion.parse(mergeGroupPrice(charge, price));
}

/** `groups` needs `groupBy`, matches only its dimensions, keeps the charge's identity, and parses merged. */
function checkGroups(charge: z.infer<typeof ChargeUnion>, ctx: z.RefinementCtx): void {
  const groupBy = 'groupBy' in charge ? charge.groupBy : undefined;
  const groups = 'groups' in charge ? charge.groups : undefined;
  if (groupBy !== undefined && new Set(groupBy).size !== groupBy.length) {
    ctx.addIssue({ code: 'custom', path: ['groupBy'], message: 'names a dimension twice' });
  }
  if (groups === undefined) return;
  if (groupBy === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['groups'],
      message: 'prices groups, so the charge needs groupBy: the dimensions its groups are made of',
    });
    return;
  }
  groups.forEach((g, i) => {
    for (const name of Object.keys(g.match)) {
      if (!groupBy.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'match', name],
          message: `"${name}" is not one of the charge's groupBy dimensions (${groupBy.join(', ')})`,
        });
      }
    }
    for (const field of fixedFieldsSet(g)) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups', i, field],
        message: `a group's prices cannot change the charge's ${field}`,
      });
    }
    const merged = ChargeUnion.safeParse(mergeGroupPrice(charge, g));
    if (!merged.success) {
      for (const issue of merged.error.issues) {
        ctx.addIssue({ ...issue, path: ['groups', i, ...issue.path] } as z.core.$ZodRawIssue);
      }
    }
  });
}
