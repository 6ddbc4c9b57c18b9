import { UsageEventSchema } from '@tally/metering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastUsageEvent } from './fast-event.js';

const valid = {
  specversion: '1.0',
  id: 'cdr-1',
  source: 'urn:tally:switch:fra1',
  type: 'tally.call.completed',
  subject: 'cust_42',
  time: '2026-01-05T09:00:00+01:00',
  data: { durationSeconds: 61, tags: ['a'] },
};

// Times around what the ISO pattern accepts: canonical, offsets, no fraction, long fractions, impossible days,
// leap days, out-of-range fields, missing seconds, lower-case z, years beyond 9999.
const time = fc.oneof(
  fc
    .date({
      min: new Date('0000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  fc
    .tuple(
      fc.integer({ min: 0, max: 10_999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.option(fc.integer({ min: 0, max: 60 })),
      fc.constantFrom('', '.5', '.123', '.123456789'),
      fc.constantFrom('Z', 'z', '+01:00', '-13:30', '+24:00', '+0100', ''),
    )
    .map(([y, mo, d, h, mi, s, frac, zone]) => {
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}${s === null ? '' : `:${p(s)}${frac}`}${zone}`;
    }),
  fc.constantFrom(
    '2024-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2000-02-29T12:00:00.000Z',
    '+020000-01-01T00:00:00.000Z',
  ),
  fc.string(),
);

const text = fc.oneof(fc.constantFrom('', 'x', 'cust_42'), fc.string());
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  text,
  fc.array(fc.integer()),
);

/** Per attribute: its valid values, absence, and other things. */
const attributes = {
  specversion: fc.oneof(fc.constant('1.0'), fc.constantFrom('1', '1.0 ', 1), anyValue),
  id: fc.oneof(text, anyValue),
  source: fc.oneof(text, anyValue),
  type: fc.oneof(text, anyValue),
  subject: fc.oneof(text, anyValue),
  time: fc.oneof(time, anyValue),
  datacontenttype: fc.oneof(fc.constant('application/json'), fc.constant('text/plain'), anyValue),
  dataschema: fc.oneof(text, anyValue),
  data: fc.oneof(
    fc.dictionary(fc.string(), fc.jsonValue()),
    fc
      .constantFrom('{"__proto__":{"a":1},"b":2}', '{"1":1,"a":2}', '[]', 'null', '"x"', '{}')
      .map((j) => JSON.parse(j) as unknown),
    anyValue,
  ),
  extra: fc.jsonValue(),
};

/**
 * Inputs as JSON gives them: every attribute drawn at random, or a valid event with one or two attributes
 * replaced (or removed, when the value drawn is undefined), so that many are accepted and many are near misses.
 */
const candidate = fc
  .oneof(
    fc.record(attributes, { requiredKeys: [] }),
    fc
      .tuple(
        fc.constantFrom(...(Object.keys(attributes) as (keyof typeof attributes)[])),
        fc.constantFrom(...(Object.keys(attributes) as (keyof typeof attributes)[])),
      )
      .chain(([a, b]) =>
        fc.tuple(attributes[a], attributes[b]).map(([va, vb]) => ({ ...valid, [a]: va, [b]: vb })),
      ),
  )
  .map((o) => JSON.parse(JSON.stringify(o)) as unknown);

describe('fastUsageEvent', () => {
  it('accepts a valid event and returns what the schema returns', () => {
    expect(fastUsageEvent(valid)).toStrictEqual(UsageEventSchema.parse(valid));
    // 09:00 at +01:00 is 08:00 UTC.
    expect(fastUsageEvent(valid)?.time).toBe('2026-01-05T08:00:00.000Z');
  });

  it.each([
    ['a missing id', { ...valid, id: undefined }],
    ['an empty subject', { ...valid, subject: '' }],
    ['specversion 1.1', { ...valid, specversion: '1.1' }],
    ['a time without offset', { ...valid, time: '2026-01-05T09:00:00' }],
    ['February 30th', { ...valid, time: '2026-02-30T00:00:00Z' }],
    ['data as an array', { ...valid, data: [1] }],
    ['another content type', { ...valid, datacontenttype: 'text/plain' }],
    ['an array', [valid]],
  ])('leaves %s to the schema', (_, json) => {
    expect(fastUsageEvent(json)).toBeUndefined();
  });

  it('never accepts what the schema refuses, and returns what the schema returns', () => {
    let accepted = 0;
    fc.assert(
      fc.property(candidate, (json) => {
        const fast = fastUsageEvent(json);
        if (fast === undefined) return;
        accepted++;
        const zod = UsageEventSchema.safeParse(json);
        expect(zod.success).toBe(true);
        expect(fast).toStrictEqual(zod.data);
      }),
      { numRuns: 3000 },
    );
    // The property saw accepted events, not only refusals.
    expect(accepted).toBeGreaterThan(30);
  });

  it('accepts every event the schema accepts from JSON with only the known attributes, data a plain object', () => {
    const accepted = fc
      .record(
        {
          specversion: fc.constant('1.0'),
          id: fc.string({ minLength: 1 }),
          source: fc.string({ minLength: 1 }),
          type: fc.string({ minLength: 1 }),
          subject: fc.string({ minLength: 1 }),
          time,
          datacontenttype: fc.constant('application/json'),
          dataschema: fc.string(),
          data: fc.dictionary(
            fc.string().filter((k) => k !== '__proto__'),
            fc.jsonValue(),
          ),
        },
        { requiredKeys: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data'] },
      )
      .map((o) => JSON.parse(JSON.stringify(o)) as unknown);
    fc.assert(
      fc.property(accepted, (json) => {
        const zod = UsageEventSchema.safeParse(json);
        expect(fastUsageEvent(json) !== undefined).toBe(zod.success);
      }),
      { numRuns: 3000 },
    );
  });
});
