import { Decimal, DecimalStringSchema, NonNegativeDecimalStringSchema } from '@tally/money';
import { z } from 'zod';

export { DecimalStringSchema, NonNegativeDecimalStringSchema };

/** A decimal string greater than zero. */
export const PositiveDecimalStringSchema = DecimalStringSchema.refine(
  (s) => !s.startsWith('-') && /[1-9]/.test(s),
  {
    message: 'must be greater than zero',
  },
);

export const IdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_.-]*$/,
    'must be lower-case letters, digits, "_", "." or "-", e.g. "voice-national"',
  );

/** Fields every charge has. */
export const ChargeBaseShape = {
  /** Unique within the plan; prefixes every line key of the charge. */
  id: IdSchema,
  name: z.string().optional(),
  description: z.string().optional(),
  /** The charge's lines are topped up to at least this amount per period (a line of kind "minimum"). */
  minimum: DecimalStringSchema.optional(),
  /** The charge's lines are capped at this amount per period (a negative line of kind "minimum"). */
  maximum: DecimalStringSchema.optional(),
} as const;

/** A record dimension, as the meter names it in `groupBy` or `dimensions` (e.g. "region"). */
export const DimensionNameSchema = z.string().min(1);

/** Charge fields a group's prices may not replace: they say which charge and usage the group belongs to. */
export const GROUP_FIXED_FIELDS = ['type', 'id', 'meterId', 'groupBy', 'groups'] as const;

/**
 * Prices of some groups of a grouped charge: the groups whose dimension values include all of `match` are
 * priced with these fields in place of the charge's own (the fields of the charge's model: `unitPrice`,
 * `tiers`, `included`, `minimum`, ...), and shown under `name` when given. The first matching entry wins.
 */
export const GroupPriceSchema = z
  .looseObject({
    match: z
      .record(DimensionNameSchema, z.string())
      .refine((m) => Object.keys(m).length > 0, { message: 'must name at least one dimension value' })
      .describe('dimension values a group must have, e.g. { "region": "eu" }'),
    name: z.string().optional().describe('the name lines of matching groups show'),
  })
  .describe("a group's prices: fields of the charge's model that replace its own for matching groups");
export type GroupPrice = z.infer<typeof GroupPriceSchema>;

/** Fields of charges priced from a meter. */
export const UsageChargeShape = {
  ...ChargeBaseShape,
  /** The meter whose usage this charge prices. */
  meterId: IdSchema,
  /** Unit shown on lines; defaults to the meter's unit. */
  unit: z.string().optional(),
  /**
   * Prices each group of these record dimensions separately, as if each were the charge alone: tiers,
   * packages, free and included units, minimum and maximum apply per group; each group's lines carry its
   * values in `dimensions` and in their keys (`<chargeId>:<name>=<value>[,…][:<detail>]`).
   */
  groupBy: z
    .array(DimensionNameSchema)
    .min(1)
    .optional()
    .describe('price each group of these record dimensions separately (tiers, allowances, limits per group)'),
  /** Prices for some groups (see {@link GroupPriceSchema}); other groups use the charge's own. */
  groups: z
    .array(GroupPriceSchema)
    .optional()
    .describe('prices for groups matching some dimension values; other groups use the charge’s own fields'),
} as const;

/** Units included in the fee, drawn down before overage is priced. */
export const IncludedSchema = NonNegativeDecimalStringSchema.optional();

/** A tier: `upTo` is the inclusive upper bound, `null` for the last, open-ended tier. */
export const TierSchema = z.object({
  upTo: NonNegativeDecimalStringSchema.nullable(),
  unitPrice: DecimalStringSchema.default('0'),
  flatAmount: DecimalStringSchema.optional(),
});
export type Tier = z.infer<typeof TierSchema>;

/** Checks that tier bounds strictly increase and only the last tier is open-ended. */
export function checkTiers(
  tiers: readonly { upTo: string | null }[],
  ctx: z.RefinementCtx,
  at = 'tiers',
): void {
  let prev = new Decimal(0);
  tiers.forEach((t, i) => {
    const last = i === tiers.length - 1;
    const path = [at, i, 'upTo'];
    if (t.upTo === null) {
      if (!last)
        ctx.addIssue({ code: 'custom', path, message: 'only the last tier may be open-ended (null)' });
      return;
    }
    if (last) ctx.addIssue({ code: 'custom', path, message: 'the last tier must be open-ended (null)' });
    const bound = new Decimal(t.upTo);
    if (bound.lte(prev)) {
      const message =
        i === 0
          ? 'must be greater than 0'
          : `must be greater than the previous bound (${prev.toFixed()}), got ${t.upTo}`;
      ctx.addIssue({ code: 'custom', path, message });
    }
    prev = bound;
  });
}
