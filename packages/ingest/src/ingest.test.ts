import type { MeterInput } from '@tally/metering';
import { MeterSchema } from '@tally/metering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMeters } from './classify.js';
import { decodeMessage } from './decode.js';
import { canonicalJson, identityKey, payloadHash, shardOf } from './identity.js';
import { ingestPolicy } from './policy.js';
import { resolveCustomer } from './resolve.js';
import { validateEvent } from './validate.js';

const policy = ingestPolicy();
const NOW = new Date('2026-01-10T12:00:00.000Z');

function event(over: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: 'e1',
    source: 'urn:s',
    type: 't.call',
    subject: 'cust-a',
    time: '2026-01-09T00:00:00Z',
    data: { v: 3 },
    ...over,
  };
}

function valid(over: Record<string, unknown> = {}) {
  const v = validateEvent(event(over), NOW, policy);
  if (!('event' in v)) throw new Error(v.rejection.message);
  return v.event;
}

describe('decodeMessage', () => {
  it('splits an array into one unit per element and keeps each element whole', () => {
    const units = decodeMessage(
      { messageId: 'm', body: JSON.stringify([event(), event({ id: 'e2' })]) },
      policy,
    );
    expect(units.map((u) => [u.index, JSON.parse(u.raw).id])).toEqual([
      [0, 'e1'],
      [1, 'e2'],
    ]);
  });

  it.each([
    ['malformed JSON', '{"a":', 'malformed-json'],
    ['an empty array', '[]', 'schema'],
    ['an array over the limit', JSON.stringify(Array.from({ length: 1001 }, () => 1)), 'oversize'],
    [
      'an event over the byte limit',
      JSON.stringify(event({ data: { pad: 'é'.repeat(16_400) } })),
      'oversize',
    ],
  ])('rejects %s whole', (_what, body, reason) => {
    const units = decodeMessage({ messageId: 'm', body }, policy);
    expect(units).toHaveLength(1);
    expect(units[0]!.rejection?.reason).toBe(reason);
    expect(units[0]!.raw).toBe(body);
  });

  it('counts bytes, not characters: 16,400 two-byte characters exceed 32,768 bytes', () => {
    // 16,400 × 2 = 32,800 bytes of padding alone > 32,768
    const units = decodeMessage(
      { messageId: 'm', body: JSON.stringify(event({ data: { p: 'é'.repeat(16_400) } })) },
      policy,
    );
    expect(units[0]!.rejection?.reason).toBe('oversize');
    const ascii = decodeMessage(
      { messageId: 'm', body: JSON.stringify(event({ data: { p: 'e'.repeat(16_400) } })) },
      policy,
    );
    expect(ascii[0]!.rejection).toBeUndefined();
  });
});

describe('validateEvent', () => {
  it.each([
    ['2020-01-01T00:00:00Z', undefined], // age is the customer's acceptance window's business: checkLateness
    ['2026-01-10T12:15:00Z', undefined], // exactly 900 s ahead
    ['2026-01-10T12:15:01Z', 'future-time'],
  ])('time %s → %s', (time, reason) => {
    const v = validateEvent(event({ time }), NOW, policy);
    expect('rejection' in v ? v.rejection.reason : undefined).toBe(reason);
  });

  it('names the field of a schema violation', () => {
    const v = validateEvent(event({ subject: '' }), NOW, policy);
    expect('rejection' in v && v.rejection).toMatchObject({ reason: 'schema', path: 'subject' });
  });
});

describe('checkMeters', () => {
  const meter = (m: Partial<MeterInput>) =>
    MeterSchema.parse({ id: 'm', eventType: 't.call', ...m } as MeterInput);
  it.each([
    ['sum of a negative value', { aggregation: 'sum', valuePath: 'v' }, { v: -1 }, 'invalid-quantity'],
    ['max of a negative level', { aggregation: 'max', valuePath: 'v' }, { v: -1 }, undefined],
    ['sum of a string', { aggregation: 'sum', valuePath: 'v' }, { v: 'abc' }, 'invalid-quantity'],
    ['sum of a missing value', { aggregation: 'sum', valuePath: 'v' }, {}, 'schema'],
    ['count of anything', { aggregation: 'count' }, {}, undefined],
    ['sum of 1e16', { aggregation: 'sum', valuePath: 'v' }, { v: 1e16 }, 'invalid-quantity'],
    // 15 nines is 10^15 - 1, under the default maximum of 10^15; 16 digits is over it.
    ['sum of 999999999999999', { aggregation: 'sum', valuePath: 'v' }, { v: '999999999999999' }, undefined],
    [
      'sum of 1000000000000001',
      { aggregation: 'sum', valuePath: 'v' },
      { v: '1000000000000001' },
      'invalid-quantity',
    ],
    ['sum of 0.5', { aggregation: 'sum', valuePath: 'v' }, { v: 0.5 }, undefined],
    [
      'register read at the register maximum',
      { aggregation: 'register-delta', valuePath: 'v', register: { max: '1000' } },
      { v: '1000' },
      'invalid-quantity',
    ],
  ] as const)('%s', (_what, m, data, reason) => {
    expect(checkMeters(valid({ data }), [meter(m as Partial<MeterInput>)], policy)?.reason).toBe(reason);
  });

  it.each([
    ['100', undefined],
    ['100.5', 'invalid-quantity'],
    ['101', 'invalid-quantity'],
  ])('holds a quantity of %s to a lower configured maximum (100): %s', (v, reason) => {
    const low = { ...policy, maxQuantity: 100 };
    const m = meter({ aggregation: 'sum', valuePath: 'v' } as Partial<MeterInput>);
    expect(checkMeters(valid({ data: { v } }), [m], low)?.reason).toBe(reason);
  });

  it('rejects an event no meter reads as unknown-meter', () => {
    expect(checkMeters(valid(), [], policy)?.reason).toBe('unknown-meter');
  });
});

describe('resolveCustomer', () => {
  const customers = new Map([['cust-a', { id: 'cust-a', timeZone: 'UTC', status: 'active' as const }]]);
  const devices = new Map([
    [
      'dev-1',
      {
        id: 'dev-1',
        assignments: [
          { customerId: 'cust-x', from: '2025-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' },
          { customerId: 'cust-a', from: '2026-01-01T00:00:00.000Z' },
        ],
      },
    ],
  ]);
  it('maps a device to the customer it was assigned to at the event time', () => {
    const r = resolveCustomer(valid({ subject: 'dev-1' }), { customers, devices });
    expect('customer' in r && r.customer.id).toBe('cust-a');
  });
  it('rejects a device assigned to a customer that does not exist', () => {
    const r = resolveCustomer(valid({ subject: 'dev-1', time: '2025-12-31T00:00:00Z' }), {
      customers,
      devices,
    });
    expect('rejection' in r && r.rejection.reason).toBe('unknown-customer');
  });
});

describe('identity', () => {
  it('hashes two spellings of one payload (key order, time offset) alike and another payload differently', () => {
    const a = valid({ time: '2026-01-09T01:00:00+01:00', data: { a: 1, b: 2 } });
    const b = valid({ time: '2026-01-09T00:00:00Z', data: { b: 2, a: 1 } });
    expect(payloadHash(a)).toBe(payloadHash(b));
    expect(payloadHash(valid({ data: { a: 1, b: 3 } }))).not.toBe(payloadHash(b));
  });

  it('canonical JSON ignores key order at every depth', () => {
    expect(canonicalJson({ b: [{ d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[{"c":2,"d":1}]}');
  });

  it('canonical JSON is sorted-key JSON for any JSON value', () => {
    // reference: the obvious recursive definition
    const ref = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
      if (Array.isArray(v)) return `[${v.map(ref).join(',')}]`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o)
        .filter((k) => o[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${ref(o[k])}`).join(',')}}`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(ref(v));
      }),
    );
  });

  it('keeps identities with separators apart', () => {
    expect(identityKey('a#b', 'c')).not.toBe(identityKey('a', 'b#c'));
  });

  it('puts an identity on a shard in [0, n) that depends on the identity only', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.integer({ min: 1, max: 64 }), (s, id, n) => {
        const k = identityKey(s, id);
        const shard = shardOf(k, n);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(n);
        expect(shardOf(k, n)).toBe(shard);
      }),
    );
  });
});

describe('ingestPolicy', () => {
  it('refuses a retention shorter than the acceptance window', () => {
    // window 31 + 35 + 1 = 67 days
    expect(() => ingestPolicy({ retentionDays: 67 })).toThrow(/retentionDays/);
    expect(ingestPolicy({ retentionDays: 68 }).retentionDays).toBe(68);
  });
});
