import { Decimal, DecimalStringSchema } from '@tally/money';
import { z } from 'zod';
import { InvalidUsageError } from './errors.js';
import type { UsageEvent } from './event.js';
import type { Meter } from './meter.js';
import { InstantSchema } from './period.js';

/**
 * One measured value of one meter: what aggregations and the record-based pricing models read.
 * `value` is a decimal string (for `unique`, the raw key); `time` is a UTC ISO instant.
 */
export const UsageRecordSchema = z.object({
  /** Event identity: `source#id`. */
  id: z.string().min(1),
  time: InstantSchema,
  value: z.string(),
  dimensions: z.record(z.string(), z.string()).optional(),
  /** Price per unit carried on the event (dynamic pricing), decimal string. */
  price: DecimalStringSchema.optional(),
  flags: z.object({ estimated: z.boolean().optional(), reset: z.boolean().optional() }).optional(),
});

export interface UsageRecord {
  readonly id: string;
  readonly time: string;
  readonly value: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly price?: string;
  readonly flags?: { readonly estimated?: boolean; readonly reset?: boolean };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

function at(data: unknown, path: string): unknown {
  let cur = data;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Reads a decimal from JSON: a decimal string, or a finite JSON number (producers often send numbers). */
function readDecimal(raw: unknown, where: string, meterId: string, recordId: string): Decimal {
  if (typeof raw === 'string' && DECIMAL.test(raw)) return new Decimal(raw);
  if (typeof raw === 'number' && Number.isFinite(raw)) return new Decimal(raw);
  const why =
    raw === undefined ? 'is missing' : `must be a decimal string or a number, got ${JSON.stringify(raw)}`;
  throw new InvalidUsageError(`event ${recordId}: ${where} ${why} (meter ${meterId})`, {
    meterId,
    recordId,
    path: where,
  });
}

function readLabel(raw: unknown, where: string, meterId: string, recordId: string): string {
  if (typeof raw === 'string' && raw !== '') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  const why = raw === undefined ? 'is missing' : `must be a string or a number, got ${JSON.stringify(raw)}`;
  throw new InvalidUsageError(`event ${recordId}: ${where} ${why} (meter ${meterId})`, {
    meterId,
    recordId,
    path: where,
  });
}

const DIMENSION_PATHS = new WeakMap<Meter, [string, string][]>();

/** The dimension name → data path pairs a meter copies onto its records (computed once per meter object). */
export function dimensionPaths(meter: Meter): [string, string][] {
  let paths = DIMENSION_PATHS.get(meter);
  if (paths === undefined) {
    const pairs = new Map<string, string>(Object.entries(meter.dimensions ?? {}));
    for (const g of meter.groupBy ?? []) if (!pairs.has(g)) pairs.set(g, g);
    paths = [...pairs];
    DIMENSION_PATHS.set(meter, paths);
  }
  return paths;
}

/** An instant already in the canonical form `toISOString` gives (UTC, milliseconds): most stored times. */
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Turns a validated usage event into the record a meter reads: picks and converts the value, copies the
 * dimensions and the carried price, and for register reads the estimated/reset flags.
 *
 * @throws InvalidUsageError naming the event, the field and the reason, for an event of another type, a
 *   missing or malformed value, dimension or price.
 * @example
 * toUsageRecord(meter, event) // → { id: 'urn:switch#cdr-1', time: '2026-01-05T08:00:00.000Z', value: '61', ... }
 */
export function toUsageRecord(meter: Meter, event: UsageEvent): UsageRecord {
  const id = `${event.source}#${event.id}`;
  if (event.type !== meter.eventType) {
    throw new InvalidUsageError(
      `event ${id}: type "${event.type}" is not read by meter ${meter.id} (expects "${meter.eventType}")`,
      { meterId: meter.id, recordId: id, path: 'type' },
    );
  }
  let value: string;
  if (meter.aggregation === 'count') {
    value = '1';
  } else {
    const path = meter.valuePath as string;
    const raw = at(event.data, path);
    if (meter.aggregation === 'unique') {
      value = readLabel(raw, `data.${path}`, meter.id, id);
    } else {
      let v = readDecimal(raw, `data.${path}`, meter.id, id);
      // Register reads stay raw: rollover happens in register units, conversion applies to the difference.
      if (meter.conversion !== undefined && meter.aggregation !== 'register-delta') {
        v = v.times(meter.conversion.factor);
      }
      value = v.toFixed();
    }
  }
  const record: {
    id: string;
    time: string;
    value: string;
    dimensions?: Record<string, string>;
    price?: string;
    flags?: { estimated?: boolean; reset?: boolean };
  } = {
    id,
    time: CANONICAL_INSTANT.test(event.time) ? event.time : new Date(event.time).toISOString(),
    value,
  };
  const dims = dimensionPaths(meter);
  if (dims.length > 0) {
    record.dimensions = {};
    for (const [name, path] of dims)
      record.dimensions[name] = readLabel(at(event.data, path), `data.${path}`, meter.id, id);
  }
  if (meter.pricePath !== undefined) {
    record.price = readDecimal(
      at(event.data, meter.pricePath),
      `data.${meter.pricePath}`,
      meter.id,
      id,
    ).toFixed();
  }
  if (meter.aggregation === 'register-delta') {
    const estimated = at(event.data, meter.register?.estimatedPath ?? 'estimated') === true;
    const reset = at(event.data, meter.register?.resetPath ?? 'reset') === true;
    if (estimated || reset) record.flags = { ...(estimated && { estimated }), ...(reset && { reset }) };
  }
  return record;
}
