import type { UsageEvent } from '@tally/metering';
import { regexes } from 'zod/v4/core';

/** The pattern `z.iso.datetime({ offset: true })` (InstantSchema) checks, from zod itself. */
const DATETIME = regexes.datetime({ offset: true });

/** What `InstantSchema` makes of a string it accepts, or undefined when this cannot tell. */
function instant(s: string): string | undefined {
  // The usual spelling (`toISOString`'s own) maps to itself: one parse, no pattern.
  if (s.length === 24 && s.charCodeAt(23) === 90 /* Z */) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) {
      const iso = new Date(ms).toISOString();
      if (iso === s) return iso;
    }
  }
  if (!DATETIME.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function isPlain(o: unknown): o is Record<string, unknown> {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return false;
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * `UsageEventSchema.parse(json)` for the common valid shape, without zod's per-field machinery: a plain
 * object with the five non-empty strings, `specversion` "1.0", a time zod's ISO pattern accepts, the optional
 * attributes absent or valid, and `data` a plain object without a `__proto__` key. Returns undefined for
 * anything else (the caller asks the schema, whose issues name what is wrong): it never rejects what the
 * schema accepts, and what it returns equals the schema's output (property test in fast-event.test.ts).
 * Unknown attributes are left out, as the schema strips them; `data` is the input's object, not a copy.
 */
export function fastUsageEvent(json: unknown): UsageEvent | undefined {
  if (!isPlain(json)) return undefined;
  const { specversion, id, source, type, subject, time, datacontenttype, dataschema, data } = json;
  if (specversion !== '1.0' || !nonEmpty(id) || !nonEmpty(source) || !nonEmpty(type) || !nonEmpty(subject)) {
    return undefined;
  }
  if (typeof time !== 'string' || !isPlain(data) || Object.hasOwn(data, '__proto__')) return undefined;
  const hasType = 'datacontenttype' in json;
  const hasSchema = 'dataschema' in json;
  if (hasType && datacontenttype !== 'application/json') return undefined;
  if (hasSchema && typeof dataschema !== 'string') return undefined;
  const at = instant(time);
  if (at === undefined) return undefined;
  if (!hasType && !hasSchema) return { specversion, id, source, type, subject, time: at, data };
  return {
    specversion,
    id,
    source,
    type,
    subject,
    time: at,
    ...(hasType ? { datacontenttype: 'application/json' as const } : {}),
    ...(hasSchema ? { dataschema: dataschema as string } : {}),
    data,
  };
}
