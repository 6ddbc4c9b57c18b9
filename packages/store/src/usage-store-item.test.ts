import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { EventToStore } from '@tally/ingest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deflateRawFixed } from './deflate.js';
import { type EventItem, fromItem, itemSize, toItem } from './usage-store.js';

// The data attribute of an event item: JSON while the item fits one write unit (1,024 bytes), deflated
// when it would not, so an event of about 1 KB costs one write unit.

function stored(data: Record<string, unknown>, dataJson?: string): EventToStore {
  return {
    customerId: 'cust-7',
    event: {
      specversion: '1.0',
      id: 'cdr-00000001',
      source: 'urn:tally:switch:fra1',
      type: 'tally.call.completed',
      subject: 'cust-7',
      time: '2026-01-09T10:00:00.000Z',
      data,
    },
    hash: 'AAAAAAAAAAAAAAAAAAAAAA',
    receivedAt: '2026-01-10T12:00:00.000Z',
    origin: 'msg-1.0',
    ...(dataJson !== undefined ? { dataJson } : {}),
  } as EventToStore;
}

/** The item as it would be with its data as plain JSON. */
function plain(item: EventItem, json: string): EventItem {
  const { z: _z, d: _d, ...rest } = item;
  return { ...rest, d: json };
}

/** Digits from a fixed linear congruential sequence: text with few repeats, ~3.3 bits of entropy a byte. */
function digits(n: number): string {
  let x = 12345;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out += String(x % 10);
  }
  return out;
}

describe('event item data', () => {
  it('writes the data JSON it is given when the event comes without its data', () => {
    const { data: _data, ...envelope } = stored({}).event;
    const item = toItem({ ...stored({}), event: envelope, dataJson: '{"durationSeconds":61}' }, 0, 400);
    expect(item.d).toBe('{"durationSeconds":61}');
    expect(fromItem({ ...item }).event.data).toEqual({ durationSeconds: 61 });
  });

  it('refuses an event without its data or its data JSON', () => {
    const { data: _data, ...envelope } = stored({}).event;
    expect(() => toItem({ ...stored({}), event: envelope }, 0, 400)).toThrow(
      /urn:tally:switch:fra1#cdr-00000001: neither its data nor its data JSON/,
    );
  });

  it('keeps small data as its JSON', () => {
    const item = toItem(stored({ durationSeconds: 61 }), 0, 400);
    expect(item.d).toBe('{"durationSeconds":61}');
    expect(item.z).toBeUndefined();
  });

  it('deflates data of an event near 1 KB so the item is one write unit, and reads it back', () => {
    const data = {
      route: 'de-mobile-premium-route',
      tags: ['roaming:false', 'volte:true'],
      note: 'x'.repeat(900),
    };
    const item = toItem(stored(data), 0, 400);
    // The JSON alone is over 950 bytes: with ~190 bytes of keys and attributes, 2 units as JSON.
    expect(itemSize(plain(item, JSON.stringify(data)) as unknown as Record<string, unknown>)).toBeGreaterThan(
      1024,
    );
    expect(item.d).toBeUndefined();
    expect(itemSize(item as unknown as Record<string, unknown>)).toBeLessThanOrEqual(1024);
    expect(inflateRawSync(item.z!).toString()).toBe(JSON.stringify(data));
    expect(fromItem({ ...item }).event.data).toEqual(data);
  });

  it("falls back to zlib's dynamic codes when fixed codes leave the item over one unit", () => {
    const data = { reading: digits(1400) };
    const json = JSON.stringify(data);
    const item = toItem(stored(data), 0, 400);
    const rest = itemSize(plain(item, '') as unknown as Record<string, unknown>);
    // Fixed codes spend 8 bits on each of these digits (few repeats): still about 1,400 bytes.
    expect(rest + deflateRawFixed(Buffer.from(json)).length).toBeGreaterThan(1024);
    // zlib codes a digit in about 3.5 bits: about 620 bytes.
    expect(rest + deflateRawSync(json).length).toBeLessThanOrEqual(1024);
    expect(itemSize(item as unknown as Record<string, unknown>)).toBeLessThanOrEqual(1024);
    expect(fromItem({ ...item }).event.data).toEqual(data);
  });

  it('deflates exactly the items that would exceed one unit as JSON (multi-byte characters counted as bytes)', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'b', 'é', '\u{1f600}', '"', ' '),
          minLength: 200,
          maxLength: 700,
        }),
        (note) => {
          const data = { note };
          const json = JSON.stringify(data);
          const item = toItem(stored(data), 0, 400);
          const asJson = itemSize(plain(item, json) as unknown as Record<string, unknown>);
          if (asJson <= 1024 || json.length <= 400) expect(item.d).toBe(json);
          else expect(item.z !== undefined || item.d === json).toBe(true);
          if (item.z !== undefined) expect(inflateRawSync(item.z).toString()).toBe(json);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stores the JSON it is given for the data (ingestion passes its canonical JSON)', () => {
    const item = toItem(stored({ b: 1, a: 2 }, '{"a":2,"b":1}'), 0, 400);
    expect(item.d).toBe('{"a":2,"b":1}');
  });

  it('reads an item whose data zlib deflated (items written before fixed-code deflate)', () => {
    const data = { note: 'y'.repeat(2000) };
    const item = { ...toItem(stored({}), 0, 400), d: undefined, z: deflateRawSync(JSON.stringify(data)) };
    expect(fromItem(item).event.data).toEqual(data);
  });
});
