import { describe, expect, it } from 'vitest';
import { InvalidUsageError } from './errors.js';
import { UsageEventSchema, usageEventJsonSchema } from './event.js';
import { MeterSchema } from './meter.js';
import { toUsageRecord } from './record.js';

const event = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  UsageEventSchema.parse({
    specversion: '1.0',
    id: 'e-1',
    source: 'urn:tally:test',
    type: 'tally.storage.reported',
    subject: 'cust_1',
    time: '2026-01-05T10:00:00+01:00',
    data,
    ...extra,
  });

describe('UsageEventSchema', () => {
  it('normalises the time to UTC', () => {
    expect(event({}).time).toBe('2026-01-05T09:00:00.000Z');
  });

  it.each([
    [{ specversion: '0.3' }, 'specversion'],
    [{ id: '' }, 'id'],
    [{ time: '2026-01-05 10:00' }, 'time'],
    [{ time: '2026-01-05T10:00:00' }, 'time'], // no offset: ambiguous
    [{ data: 'x' }, 'data'],
  ])('rejects %j at %s', (patch, path) => {
    const result = UsageEventSchema.safeParse({ ...event({}), ...patch });
    expect(result.error?.issues[0]?.path).toEqual([path]);
  });

  it('exports a JSON Schema for producers', () => {
    const schema = usageEventJsonSchema();
    expect(schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['specversion', 'id', 'time', 'data']),
    });
  });
});

describe('toUsageRecord', () => {
  const meter = MeterSchema.parse({
    id: 'storage',
    eventType: 'tally.storage.reported',
    valuePath: 'usage.bytes',
    conversion: '0.000000001',
    aggregation: 'sum',
    groupBy: ['region'],
    dimensions: { tier: 'storage.class' },
  });

  it('picks, converts and labels the value', () => {
    const rec = toUsageRecord(
      meter,
      event({ usage: { bytes: '2500000000' }, region: 'eu', storage: { class: 'hot' } }),
    );
    expect(rec).toEqual({
      id: 'urn:tally:test#e-1',
      time: '2026-01-05T09:00:00.000Z',
      value: '2.5', // 2.5e9 bytes × 1e-9 = 2.5 GB
      dimensions: { tier: 'hot', region: 'eu' },
    });
  });

  it('accepts a JSON number value', () => {
    expect(
      toUsageRecord(meter, event({ usage: { bytes: 1000000000 }, region: 'eu', storage: { class: 'x' } }))
        .value,
    ).toBe('1');
  });

  it.each([
    [{ region: 'eu', storage: { class: 'x' } }, /data.usage.bytes is missing/],
    [
      { usage: { bytes: '1e9' }, region: 'eu', storage: { class: 'x' } },
      /data.usage.bytes must be a decimal string or a number, got "1e9"/,
    ],
    [{ usage: { bytes: '1' }, storage: { class: 'x' } }, /data.region is missing/],
  ])('fails precisely for %j', (data, message) => {
    expect(() => toUsageRecord(meter, event(data))).toThrow(InvalidUsageError);
    expect(() => toUsageRecord(meter, event(data))).toThrow(message);
  });

  it('fails for an event type the meter does not read', () => {
    expect(() => toUsageRecord(meter, event({}, { type: 'other' }))).toThrow(
      /type "other" is not read by meter storage/,
    );
  });

  it('reads 1 for a count meter and the raw key for a unique meter', () => {
    const count = MeterSchema.parse({ id: 'c', eventType: 'tally.storage.reported', aggregation: 'count' });
    const unique = MeterSchema.parse({
      id: 'u',
      eventType: 'tally.storage.reported',
      aggregation: 'unique',
      valuePath: 'device',
    });
    expect(toUsageRecord(count, event({})).value).toBe('1');
    expect(toUsageRecord(unique, event({ device: 'dev-42' })).value).toBe('dev-42');
  });

  it('keeps register reads raw and carries the estimated and reset flags', () => {
    const reg = MeterSchema.parse({
      id: 'r',
      eventType: 'tally.storage.reported',
      aggregation: 'register-delta',
      valuePath: 'read',
      conversion: '0.001',
      register: { max: '100000' },
    });
    expect(toUsageRecord(reg, event({ read: '4500', estimated: true }))).toMatchObject({
      value: '4500',
      flags: { estimated: true },
    });
  });

  it('carries the price for dynamic pricing', () => {
    const dyn = MeterSchema.parse({
      id: 'd',
      eventType: 'tally.storage.reported',
      aggregation: 'sum',
      valuePath: 'kwh',
      pricePath: 'price',
    });
    expect(toUsageRecord(dyn, event({ kwh: '2', price: 0.21 })).price).toBe('0.21');
  });
});

describe('MeterSchema', () => {
  it('requires a value path except for count', () => {
    const result = MeterSchema.safeParse({ id: 'm', eventType: 't', aggregation: 'sum' });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['valuePath', 'is required for aggregation "sum" (only "count" reads no value)'],
    ]);
  });
});
