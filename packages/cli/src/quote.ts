import {
  InvalidUsageError,
  type Meter,
  MeterSchema,
  PeriodSchema,
  toUsageRecord,
  UsageEventSchema,
  type UsageRecord,
} from '@tally/metering';
import { Decimal, DecimalStringSchema } from '@tally/money';
import {
  chargedMeterIds,
  type LineTotals,
  metersOf,
  type Plan,
  PlanSchema,
  type RatedLine,
  RatingError,
  rate,
  totals,
} from '@tally/rating';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { InputError } from './errors.js';
import { formatIssues, parseJson, parseWith } from './input.js';

export interface QuoteOptions {
  /** A local calendar month "YYYY-MM" in the time zone. */
  readonly period?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly timeZone?: string | undefined;
  /** Only events of this subject (customer or device). */
  readonly subject?: string | undefined;
}

export interface Quote {
  readonly plan: { readonly id: string; readonly version: number; readonly name: string };
  readonly currency: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly timeZone: string;
  readonly usage: 'events' | 'quantities';
  readonly lines: readonly RatedLine[];
  readonly totals: LineTotals;
  /** The plan's minimum commitment and the invoice-level true-up it would add to this total. */
  readonly commitment?: { readonly minimum: string; readonly trueUp: string };
}

const QuantitiesFileSchema = z
  .object({
    period: PeriodSchema.optional(),
    timeZone: z.string().optional(),
    quantities: z.record(z.string(), DecimalStringSchema),
  })
  .strict();

const EventsFileSchema = z
  .object({ period: PeriodSchema.optional(), timeZone: z.string().optional(), events: z.array(z.unknown()) })
  .strict();

type UsageFile =
  | { kind: 'events'; events: { value: unknown; where: string }[]; period?: Period; timeZone?: string }
  | { kind: 'quantities'; quantities: Record<string, string>; period?: Period; timeZone?: string };
type Period = { start: string; end: string };

/**
 * Reads a usage file: a JSON array of CloudEvents, NDJSON (one event per line), an object
 * `{ events: [...] }`, or an object `{ quantities: { <meterId>: "<decimal>" } }`; objects may carry
 * `period` and `timeZone`.
 */
export function parseUsageFile(text: string, name: string): UsageFile {
  const trimmed = text.trim();
  if (trimmed === '') throw new InputError(`usage file ${name} is empty`);
  if (trimmed.startsWith('{') && isNdjson(trimmed)) {
    const events = trimmed.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      return [{ value: parseJson(line, `${name}:${i + 1}`), where: `usage line ${i + 1}` }];
    });
    return { kind: 'events', events };
  }
  const json = parseJson(text, name);
  if (Array.isArray(json))
    return { kind: 'events', events: json.map((value, i) => ({ value, where: `usage[${i}]` })) };
  if (json !== null && typeof json === 'object') {
    if ('quantities' in json) {
      const q = parseWith(QuantitiesFileSchema, json, 'usage');
      return { kind: 'quantities', quantities: q.quantities, ...optional(q) };
    }
    if ('events' in json) {
      const e = parseWith(EventsFileSchema, json, 'usage');
      return {
        kind: 'events',
        events: e.events.map((value, i) => ({ value, where: `usage.events[${i}]` })),
        ...optional(e),
      };
    }
    if ('specversion' in json) return { kind: 'events', events: [{ value: json, where: 'usage' }] };
  }
  throw new InputError(
    `usage file ${name}: expected a JSON array of events, NDJSON, { "events": [...] } or { "quantities": { "<meterId>": "<decimal>" } }`,
  );
}

function optional(f: { period?: Period | undefined; timeZone?: string | undefined }) {
  return { ...(f.period && { period: f.period }), ...(f.timeZone && { timeZone: f.timeZone }) };
}

/** NDJSON: several lines, and the first line is a complete JSON value by itself. */
function isNdjson(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  if (first.length === text.length) return false;
  try {
    JSON.parse(first);
    return true;
  } catch {
    return false;
  }
}

export function parsePlan(text: string, name: string): Plan {
  return parseWith(PlanSchema, parseJson(text, name), 'plan');
}

function monthPeriod(month: string, timeZone: string, what: string): Period {
  const start = DateTime.fromFormat(month, 'yyyy-MM', { zone: timeZone });
  if (!start.isValid) throw new InputError(`${what}: "${month}" is not a month "YYYY-MM"`);
  return { start: start.toUTC().toISO() as string, end: start.plus({ months: 1 }).toUTC().toISO() as string };
}

/** Rates a usage file with a plan, offline. Pure: the caller reads the files. */
export function quote(plan: Plan, usage: UsageFile, options: QuoteOptions = {}): Quote {
  const timeZone = options.timeZone ?? usage.timeZone ?? 'UTC';
  if (!DateTime.fromMillis(0, { zone: timeZone }).isValid) {
    throw new InputError(`time zone "${timeZone}" is unknown: use an IANA name such as Europe/Berlin`);
  }
  const chargeMeters = chargedMeterIds(plan);
  let meters: Record<string, Meter> = metersOf(plan);
  const records: Record<string, UsageRecord[]> = {};
  let quantities: Record<string, string> | undefined;
  const months = new Map<string, number>();

  if (usage.kind === 'quantities') {
    if (plan.meters === undefined) {
      // Aggregated quantities need no meter definitions: stand-ins let rate() find each charge's meter.
      meters = Object.fromEntries(
        chargeMeters.map((id) => [
          id,
          MeterSchema.parse({ id, eventType: id, aggregation: 'sum', valuePath: 'value' }),
        ]),
      );
    }
    for (const id of Object.keys(usage.quantities)) {
      if (meters[id] === undefined) {
        throw new InputError(
          `usage.quantities.${id}: plan ${plan.id} has no meter "${id}" (its meters: ${Object.keys(meters).join(', ') || 'none'})`,
        );
      }
    }
    quantities = usage.quantities;
  } else {
    if (plan.meters === undefined) {
      throw new InputError(
        `plan ${plan.id} has no "meters": raw events need the meter definitions to be metered`,
      );
    }
    const byType = new Map<string, Meter[]>();
    for (const m of Object.values(meters)) byType.set(m.eventType, [...(byType.get(m.eventType) ?? []), m]);
    for (const { value, where } of usage.events) {
      const parsed = UsageEventSchema.safeParse(value);
      if (!parsed.success) throw new InputError(formatIssues(where, parsed.error));
      const event = parsed.data;
      if (options.subject !== undefined && event.subject !== options.subject) continue;
      const readers = byType.get(event.type);
      if (readers === undefined) {
        throw new InputError(
          `${where}.type: no meter of plan ${plan.id} reads events of type "${event.type}" (known types: ${[...byType.keys()].join(', ')})`,
        );
      }
      for (const m of readers) {
        try {
          const list = records[m.id] ?? [];
          list.push(toUsageRecord(m, event));
          records[m.id] = list;
        } catch (cause) {
          if (cause instanceof InvalidUsageError)
            throw new InputError(`${where}: ${cause.message}`, { cause });
          throw cause;
        }
      }
      const month = DateTime.fromISO(event.time, { zone: timeZone }).toFormat('yyyy-MM');
      months.set(month, (months.get(month) ?? 0) + 1);
    }
  }

  let period: Period;
  if (options.from !== undefined || options.to !== undefined) {
    period = parseWith(PeriodSchema, { start: options.from, end: options.to }, 'options(--from/--to)');
  } else if (options.period !== undefined) {
    period = monthPeriod(options.period, timeZone, '--period');
  } else if (usage.period !== undefined) {
    period = usage.period;
  } else {
    // Without an explicit period: the local month holding most events (opening reads and levels may sit
    // in the month before), else the month the plan takes effect.
    const busiest = [...months].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]?.[0];
    const month = busiest ?? DateTime.fromISO(plan.effectiveFrom, { zone: timeZone }).toFormat('yyyy-MM');
    period = monthPeriod(month, timeZone, 'period');
  }

  let lines: RatedLine[];
  try {
    lines = rate({ plan, meters, period, timeZone, usage: records, ...(quantities && { quantities }) });
  } catch (cause) {
    if (cause instanceof RatingError || cause instanceof InvalidUsageError) {
      throw new InputError(cause.message, { cause });
    }
    throw cause;
  }
  const t = totals(lines, plan.currency);
  const minimum = plan.terms.minimumCommitment;
  const trueUp = minimum === undefined ? undefined : Decimal.max(new Decimal(minimum).minus(t.total), 0);
  return {
    plan: { id: plan.id, version: plan.version, name: plan.name },
    currency: plan.currency,
    period,
    timeZone,
    usage: usage.kind,
    lines,
    totals: t,
    ...(minimum !== undefined &&
      trueUp !== undefined && { commitment: { minimum, trueUp: trueUp.toFixed() } }),
  };
}
