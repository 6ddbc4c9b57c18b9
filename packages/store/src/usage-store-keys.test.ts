import type { EventToStore } from '@tally/ingest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromItem, maxShardCount, monthsOf, toItem } from './usage-store.js';

// The event key layout: a partition per customer·type·UTC month·shard, the UTC day first in the sort key.

function stored(time: string, source = 'urn:meter', id = 'r-1'): EventToStore {
  return {
    customerId: 'cust-7',
    event: {
      specversion: '1.0',
      id,
      source,
      type: 'tally.meter.read',
      subject: 'cust-7',
      time,
      data: { kwh: 12.5 },
    },
    hash: 'h',
    receivedAt: '2026-02-01T00:00:05.000Z',
    origin: 'msg-1.0',
  } as EventToStore;
}

describe('usage event keys', () => {
  it.each([
    // the last millisecond of January is January's; the first of February is February's
    ['2026-01-31T23:59:59.999Z', 'U#cust-7#tally.meter.read#2026-01#3', '2026-01-31#["urn:meter","r-1"]'],
    ['2026-02-01T00:00:00.000Z', 'U#cust-7#tally.meter.read#2026-02#3', '2026-02-01#["urn:meter","r-1"]'],
    ['2025-12-31T12:00:00.000Z', 'U#cust-7#tally.meter.read#2025-12#3', '2025-12-31#["urn:meter","r-1"]'],
  ])('keys an event at %s by UTC month (pk) and UTC day then identity (sk)', (time, pk, sk) => {
    const item = toItem(stored(time), 3, 400);
    expect([item.pk, item.sk]).toEqual([pk, sk]);
  });

  it('reads the identity back from the sk, whatever the source and id hold', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (source, id) => {
        const back = fromItem({ ...toItem(stored('2026-01-09T10:00:00.000Z', source, id), 0, 400) });
        expect([back.customerId, back.event.source, back.event.id, back.event.type]).toEqual([
          'cust-7',
          source,
          id,
          'tally.meter.read',
        ]);
      }),
    );
  });

  it('orders one day’s items after the bare day and before the day with "~" appended (the query bounds)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (source, id) => {
        const sk = toItem(stored('2026-01-09T10:00:00.000Z', source, id), 0, 400).sk;
        expect('2026-01-09' < sk && sk < '2026-01-09~').toBe(true);
        // and the neighbouring days' bounds exclude it
        expect(sk > '2026-01-08~' && sk < '2026-01-10').toBe(true);
      }),
    );
  });
});

describe('monthsOf', () => {
  it.each([
    ['2026-01-05', '2026-01-20', [['2026-01', '2026-01-05', '2026-01-20']]],
    // a zoned January: Dec 31 23:00Z to Jan 31 23:00Z
    [
      '2025-12-31',
      '2026-01-31',
      [
        ['2025-12', '2025-12-31', '2025-12-31'],
        ['2026-01', '2026-01-01', '2026-01-31'],
      ],
    ],
    // 93 days back from Jan 31: Oct 31 .. Jan 31, four months; a leap February
    [
      '2025-10-31',
      '2026-01-31',
      [
        ['2025-10', '2025-10-31', '2025-10-31'],
        ['2025-11', '2025-11-01', '2025-11-30'],
        ['2025-12', '2025-12-01', '2025-12-31'],
        ['2026-01', '2026-01-01', '2026-01-31'],
      ],
    ],
    [
      '2028-02-28',
      '2028-03-01',
      [
        ['2028-02', '2028-02-28', '2028-02-29'],
        ['2028-03', '2028-03-01', '2028-03-01'],
      ],
    ],
  ])('%s to %s', (first, last, expected) => {
    expect(monthsOf(first, last).map((m) => [m.month, m.firstDay, m.lastDay])).toEqual(expected);
  });
});

describe('maxShardCount', () => {
  const steps = [
    { fromDay: '2026-01-10', count: 4 },
    { fromDay: '2026-01-20', count: 2 },
  ];
  it.each([
    ['2026-01-01', '2026-01-09', 1],
    ['2026-01-01', '2026-01-31', 4],
    ['2026-01-10', '2026-01-10', 4],
    ['2026-01-20', '2026-01-31', 2],
    ['2026-01-15', '2026-01-25', 4],
  ])('days %s to %s: %i shards', (first, last, count) => {
    expect(maxShardCount(steps, first, last)).toBe(count);
  });
});
