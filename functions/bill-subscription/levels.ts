import type { Meter, UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import { type Plan, PRICERS } from '@tally/rating';

/**
 * What a meter carries from one period into the next:
 * - `read`: a register's last read (`register-delta`);
 * - `level`: the level an absolute time-weighted meter was last set to;
 * - `change`: the level of a time-weighted meter fed by level changes (`timeWeighted.input: 'delta'`), the
 *   sum of every change since the subscription started;
 * - null: nothing (the other aggregations read only their period).
 */
export type OpeningKind = 'read' | 'level' | 'change';

export function openingKind(meter: Meter): OpeningKind | null {
  if (meter.aggregation === 'register-delta') return 'read';
  if (meter.aggregation === 'time-weighted-sum' || meter.aggregation === 'time-weighted-average') {
    return meter.timeWeighted?.input === 'delta' ? 'change' : 'level';
  }
  return null;
}

/** Levels per meter id and group key (see {@link groupKeyOf}), decimal strings: an invoice's `closingLevels`. */
export type Levels = Record<string, Record<string, string>>;

/**
 * The key of a record's group under one grouping (a charge's `groupBy`): "" for a charge priced whole, else the
 * JSON of the `[name, value]` pairs in `groupBy` order (unambiguous whatever the values hold). A record
 * without a dimension is in the group whose value is "", as rating groups it.
 *
 * @example groupKeyOf(['region'], { region: 'eu' }) // '[["region","eu"]]'
 */
export function groupKeyOf(names: readonly string[], dimensions?: Readonly<Record<string, string>>): string {
  return names.length === 0 ? '' : JSON.stringify(names.map((n) => [n, dimensions?.[n] ?? '']));
}

/** The grouping and dimension values a group key names (the inverse of {@link groupKeyOf}). */
export function parseGroupKey(key: string): { names: string[]; dimensions: Record<string, string> } {
  if (key === '') return { names: [], dimensions: {} };
  const pairs = JSON.parse(key) as [string, string][];
  return { names: pairs.map(([n]) => n), dimensions: Object.fromEntries(pairs) };
}

/**
 * The groupings the plans price a meter by: each distinct `groupBy` of the charges that read its aggregate
 * (`[]` for a charge priced whole). Charges that price each record carry no state and are left out.
 */
export function groupingsOf(meterId: string, plans: readonly Plan[]): string[][] {
  const out = new Map<string, string[]>();
  for (const plan of plans) {
    for (const c of plan.charges) {
      if (!('meterId' in c) || c.meterId !== meterId) continue;
      const groupBy = 'groupBy' in c && c.groupBy !== undefined ? [...c.groupBy] : [];
      if (PRICERS[c.type].input !== 'aggregate') continue;
      out.set(JSON.stringify(groupBy), groupBy);
    }
  }
  return [...out.values()];
}

/** Whether `a` comes after `b` in the order aggregations read records: by time, then by id. */
export function isLaterRecord(a: UsageRecord, b: UsageRecord): boolean {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  return ta > tb || (ta === tb && a.id > b.id);
}

/** Σ of the records' values per group key of each grouping. */
export function sumByGroup(
  records: readonly UsageRecord[],
  groupings: readonly (readonly string[])[],
): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const r of records) {
    for (const names of groupings) {
      const key = groupKeyOf(names, r.dimensions);
      out.set(key, (out.get(key) ?? new Decimal(0)).plus(r.value));
    }
  }
  return out;
}

/**
 * Adds (or with `sign` -1 subtracts) `shift` per meter and group to `levels`; a meter or group without a
 * level yet starts from `base(meterId)` (its `initial`: a group no record had reached yet).
 */
export function shiftLevels(
  levels: Readonly<Levels>,
  shift: ReadonlyMap<string, ReadonlyMap<string, Decimal>>,
  base: (meterId: string) => string,
  sign: 1 | -1 = 1,
): Levels {
  const out: Levels = Object.fromEntries(Object.entries(levels).map(([m, g]) => [m, { ...g }]));
  for (const [meterId, groups] of shift) {
    for (const [key, d] of groups) {
      if (d.isZero()) continue;
      const mine = out[meterId] ?? {};
      out[meterId] = mine;
      mine[key] = new Decimal(mine[key] ?? base(meterId)).plus(sign === 1 ? d : d.negated()).toFixed();
    }
  }
  return out;
}

/**
 * The level of a time-weighted meter at the end of `records` (a period's, in any order) per group key of
 * each grouping, from the level at their start:
 * - `change` meters: the opening level (else the meter's `initial`, else 0) plus the sum of the changes;
 * - `level` meters: the value of the last record, else the opening level (groups with neither are absent).
 *
 * @param opening the level per group key at the start (undefined: unknown)
 */
export function closingLevelsOf(
  meter: Meter,
  kind: 'level' | 'change',
  groupings: readonly (readonly string[])[],
  records: readonly UsageRecord[],
  opening: (key: string) => string | undefined,
  openingKeys: Iterable<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const keys = new Set(openingKeys);
  for (const names of groupings) for (const r of records) keys.add(groupKeyOf(names, r.dimensions));
  const groupingOf = (key: string) => JSON.stringify(parseGroupKey(key).names);
  const wanted = new Set(groupings.map((g) => JSON.stringify(g)));
  if (kind === 'change') {
    const sums = sumByGroup(records, groupings);
    for (const key of keys) {
      if (!wanted.has(groupingOf(key))) continue;
      const start = opening(key) ?? meter.timeWeighted?.initial ?? '0';
      out[key] = new Decimal(start).plus(sums.get(key) ?? 0).toFixed();
    }
    return out;
  }
  const last = new Map<string, UsageRecord>();
  for (const names of groupings) {
    for (const r of records) {
      const key = groupKeyOf(names, r.dimensions);
      const was = last.get(key);
      if (was === undefined || isLaterRecord(r, was)) last.set(key, r);
    }
  }
  for (const key of keys) {
    if (!wanted.has(groupingOf(key))) continue;
    const level = last.get(key)?.value ?? opening(key);
    if (level !== undefined) out[key] = new Decimal(level).toFixed();
  }
  return out;
}
