import type { Meter, UsageRecord } from '@tally/metering';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstRecords } from './appendix-source.js';

const meter = { id: 'calls', eventType: 'tally.call.completed', aggregation: 'sum' } as unknown as Meter;

/** A usage store whose partitions yield `records` in the given (arbitrary) order. */
function usageOf(records: readonly UsageRecord[]) {
  const seen: unknown[] = [];
  return {
    seen,
    usage: {
      async *queryRecords(input: unknown) {
        seen.push(input);
        for (const r of records) yield { ...r, receivedAt: '2026-04-01T00:00:00Z' };
      },
    },
  };
}

const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();
const rec = (minute: number, id = `e${minute}`): UsageRecord => ({ id, time: at(minute), value: '60' });

describe('firstRecords', () => {
  it('returns the earliest records by time, oldest first, and counts all of them', async () => {
    const { usage, seen } = usageOf([rec(5), rec(1), rec(9), rec(3), rec(7)]);
    const input = { customerId: 'c1', meter, from: at(0), to: at(60), limit: 2 };
    const res = await firstRecords(usage, input);
    expect(res.records.map((r) => r.time)).toEqual([at(1), at(3)]);
    expect(res.total).toBe(5);
    expect(seen).toEqual([{ customerId: 'c1', meter, from: at(0), to: at(60) }]);
  });

  it('drops receivedAt: the rows carry what the record says, not when it arrived', async () => {
    const { usage } = usageOf([rec(1)]);
    const res = await firstRecords(usage, { customerId: 'c', meter, from: at(0), to: at(9), limit: 5 });
    expect(res.records).toEqual([rec(1)]);
  });

  it('orders records of the same time by identity, so the cut is deterministic', async () => {
    const { usage } = usageOf([rec(1, 'b'), rec(1, 'a'), rec(1, 'c')]);
    const res = await firstRecords(usage, { customerId: 'c', meter, from: at(0), to: at(9), limit: 2 });
    expect(res.records.map((r) => r.id)).toEqual(['a', 'b']);
  });

  it('refuses a negative or fractional limit', async () => {
    const { usage } = usageOf([]);
    await expect(
      firstRecords(usage, { customerId: 'c', meter, from: at(0), to: at(9), limit: -1 }),
    ).rejects.toThrow(RangeError);
  });

  it('equals sorting everything and taking the first `limit`, for any order and limit (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 50 }),
        async (minutes, limit) => {
          const { usage } = usageOf(minutes.map((m) => rec(m)));
          const res = await firstRecords(usage, {
            customerId: 'c',
            meter,
            from: at(0),
            to: at(20_000),
            limit,
          });
          const expected = [...minutes]
            .sort((a, b) => a - b)
            .slice(0, limit)
            .map((m) => at(m));
          expect(res.records.map((r) => r.time)).toEqual(expected);
          expect(res.total).toBe(minutes.length);
        },
      ),
    );
  });
});
