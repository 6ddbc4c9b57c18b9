import type { Charge } from './charge.js';
import { label } from './pricer.js';
import { GROUP_FIXED_FIELDS, type GroupPrice } from './schema-parts.js';

/** The group-by dimensions of a charge, or undefined for a charge priced as a whole. */
export function groupByOf(charge: Charge): readonly string[] | undefined {
  return 'groupBy' in charge ? charge.groupBy : undefined;
}

/** The first entry of `groups` whose `match` the group's values satisfy. */
export function groupPriceFor(
  charge: Charge,
  dimensions: Readonly<Record<string, string>>,
): GroupPrice | undefined {
  const groups = 'groups' in charge ? charge.groups : undefined;
  return groups?.find((g) => Object.entries(g.match).every(([name, value]) => dimensions[name] === value));
}

/**
 * The charge as a group prices it, before validation: the group's fields over the charge's own, without
 * `groupBy` and `groups` (a group is priced whole). The plan schema checks every merge parses.
 */
export function mergeGroupPrice(charge: Charge, price: GroupPrice | undefined): Record<string, unknown> {
  const {
    groupBy: _groupBy,
    groups: _groups,
    ...own
  } = charge as Charge & {
    groupBy?: unknown;
    groups?: unknown;
  };
  if (price === undefined) return own;
  const { match: _match, ...fields } = price;
  return { ...own, ...fields };
}

/** The fields of a group price that it may not set, for the plan schema to reject. */
export function fixedFieldsSet(price: GroupPrice): string[] {
  return GROUP_FIXED_FIELDS.filter((f) => f in price);
}

/** "region=eu,tier=gold": the part of a grouped line's key naming its group, in `groupBy` order. */
export function groupKey(names: readonly string[], dimensions: Readonly<Record<string, string>>): string {
  return names.map((n) => `${n}=${dimensions[n] ?? ''}`).join(',');
}

/** "Data (region eu, tier gold)": how a group's lines name it when its prices give no name. */
export function groupLabel(
  charge: { id: string; name?: string | undefined },
  names: readonly string[],
  dimensions: Readonly<Record<string, string>>,
): string {
  return `${label(charge)} (${names.map((n) => `${n} ${dimensions[n] ?? ''}`).join(', ')})`;
}
