import { MeterSchema, type UsageEvent } from '@tally/metering';
import { describe, expect, it } from 'vitest';
import { readOpenings } from './opening.js';
import type { UsageSource } from './usage.js';

const register = MeterSchema.parse({
  id: 'energy',
  eventType: 'meter.read',
  valuePath: 'register',
  aggregation: 'register-delta',
  register: { max: '100000' },
});

/** A usage source holding the given reads; records the look-back each search asked for. */
function source(reads: readonly { time: string; register: string }[]) {
  const asked: (number | undefined)[] = [];
  const s: Pick<UsageSource, 'lastEventBefore'> = {
    async lastEventBefore(q) {
      asked.push(q.lookbackDays);
      const earliest = Date.parse(q.before) - (q.lookbackDays ?? 93) * 86_400_000;
      const found = reads
        .filter((r) => Date.parse(r.time) < Date.parse(q.before) && Date.parse(r.time) >= earliest)
        .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))[0];
      if (found === undefined) return null;
      const event = {
        specversion: '1.0',
        id: `read-${found.time}`,
        source: 'urn:test',
        type: 'meter.read',
        subject: 'c1',
        time: found.time,
        data: { register: found.register },
      } as UsageEvent;
      return { event, receivedAt: found.time };
    },
  };
  return { s: s as UsageSource, asked };
}

describe('readOpenings', () => {
  it('opens a period from the last read before it', async () => {
    const { s } = source([
      { time: '2026-01-20T00:00:00Z', register: '1000' },
      { time: '2026-01-31T23:00:00Z', register: '1040' },
    ]);
    const o = await readOpenings({
      source: s,
      customerId: 'c1',
      meters: [register],
      before: '2026-02-01T00:00:00Z',
      notBefore: '2026-01-01T00:00:00Z',
    });
    expect(o.energy?.read?.value).toBe('1040');
  });

  it('reads nothing for a first period (the subscription starts with it)', async () => {
    const { s, asked } = source([{ time: '2025-12-31T23:00:00Z', register: '900' }]);
    const o = await readOpenings({
      source: s,
      customerId: 'c1',
      meters: [register],
      before: '2026-01-15T00:00:00Z',
      notBefore: '2026-01-15T00:00:00Z',
    });
    expect(o).toEqual({});
    expect(asked).toEqual([]);
  });

  it("never opens from a read before the subscription started (the previous occupant's)", async () => {
    // subscription from 15 January 12:00; the only earlier read is from the morning of the same day
    const { s, asked } = source([{ time: '2026-01-15T08:00:00Z', register: '900' }]);
    const o = await readOpenings({
      source: s,
      customerId: 'c1',
      meters: [register],
      before: '2026-02-01T00:00:00Z',
      notBefore: '2026-01-15T12:00:00Z',
    });
    expect(o).toEqual({});
    // UTC days 15 January … 31 January, both included: 17
    expect(asked).toEqual([17]);
  });
});
