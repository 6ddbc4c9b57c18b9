import { createHash } from 'node:crypto';
import type { UsageEvent } from '@tally/metering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashPayload, payloadHash } from './identity.js';

/** 128 bits of sha256, base64url: the documented payload hash of a canonical string. */
const sha128 = (text: string) =>
  createHash('sha256').update(text).digest().subarray(0, 16).toString('base64url');

const event: fc.Arbitrary<UsageEvent> = fc.record(
  {
    specversion: fc.constant('1.0' as const),
    id: fc.string({ minLength: 1 }),
    source: fc.string({ minLength: 1 }),
    type: fc.string({ minLength: 1 }),
    subject: fc.string({ minLength: 1 }),
    time: fc.constant('2026-01-09T10:00:00.000Z'),
    datacontenttype: fc.constant('application/json' as const),
    dataschema: fc.string(),
    data: fc.dictionary(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data'] },
);

/** Canonical JSON as documented, written independently: keys sorted at every level, appended. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const o = value as Record<string, unknown>;
  const parts = Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${reference(o[k])}`);
  return `{${parts.join(',')}}`;
}

describe('canonicalJson', () => {
  it('is the documented canonical form for any value, including keys objects order on their own', () => {
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', '0', '9', '10', '1a', '-1', 'constructor'),
    );
    fc.assert(
      fc.property(
        fc.anything({ key, withNullPrototype: true, withDate: true, withMap: true, withBoxedValues: true }),
        (v) => {
          expect(canonicalJson(v)).toBe(reference(v));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['index keys in numeric and in string order', JSON.parse('{"b":1,"10":2,"9":3,"!":4}')],
    ['an own __proto__ key', JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}')],
    ['a Date, which JSON.stringify would turn into a string', { at: new Date(0), b: 1 }],
    ['a function value, which JSON.stringify would leave out', { f: () => 1, a: [undefined, Number.NaN] }],
    [
      'a class instance',
      {
        x: new (class K {
          b = 1;
          a = 2;
        })(),
      },
    ],
  ])('handles %s', (_, v) => expect(canonicalJson(v)).toBe(reference(v)));
});

const base: UsageEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: 'urn:s',
  type: 't',
  subject: 'c',
  time: '2026-01-09T10:00:00.000Z',
  data: {},
};

describe('hashPayload', () => {
  it('gives the payload hash of the canonical event and the canonical JSON of its data', () => {
    fc.assert(
      fc.property(event, (e) => {
        const { hash, dataJson } = hashPayload(e);
        expect(hash).toBe(sha128(canonicalJson(e)));
        expect(hash).toBe(payloadHash(e));
        expect(dataJson).toBe(canonicalJson(e.data));
        expect(JSON.parse(dataJson)).toEqual(JSON.parse(JSON.stringify(e.data)));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes an event with attributes beyond the UsageEvent ones (or of other types) canonically too', () => {
    const extra = fc.record({
      zzz: fc.oneof(fc.string(), fc.jsonValue()),
      id: fc.oneof(fc.string({ minLength: 1 }), fc.integer()),
    });
    fc.assert(
      fc.property(event, extra, fc.boolean(), (e, x, withExtra) => {
        const odd = { ...e, id: x.id, ...(withExtra ? { zzz: x.zzz } : {}) } as unknown as UsageEvent;
        const expected = sha128(reference(JSON.parse(JSON.stringify(odd))));
        expect(hashPayload(odd).hash).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('hashes text with any code units (lone surrogates, non-BMP) as the whole canonical text', () => {
    const any = fc.string({ unit: 'binary', minLength: 1 });
    fc.assert(
      fc.property(
        any,
        any,
        fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
        (id, subject, data) => {
          const e: UsageEvent = { ...base, id, subject, data };
          expect(hashPayload(e).hash).toBe(sha128(canonicalJson(e)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hashes the canonical text written out by hand', () => {
    const e: UsageEvent = {
      specversion: '1.0',
      id: 'e-1',
      source: 'urn:s',
      type: 't',
      subject: 'c',
      time: '2026-01-09T10:00:00.000Z',
      data: { z: [2, { b: 1, a: 'x' }], a: true },
    };
    // Keys sorted at every level: data, id, source, specversion, subject, time, type.
    const canonical =
      '{"data":{"a":true,"z":[2,{"a":"x","b":1}]},"id":"e-1","source":"urn:s","specversion":"1.0",' +
      '"subject":"c","time":"2026-01-09T10:00:00.000Z","type":"t"}';
    expect(hashPayload(e)).toEqual({
      hash: sha128(canonical),
      dataJson: '{"a":true,"z":[2,{"a":"x","b":1}]}',
    });
  });
});
