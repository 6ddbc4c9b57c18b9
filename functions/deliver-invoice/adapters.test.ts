import type { AppendixQuery, AppendixSource } from '@tally/documents';
import { describe, expect, it } from 'vitest';
import { sampleInvoice } from '../../packages/documents/src/testing.js';
import { appendixLoaderFromEnv, PlanAppendixLoader, UsageAppendixSource } from './adapters.js';

function source() {
  const queries: AppendixQuery[] = [];
  const s: AppendixSource = {
    async callRecords(q) {
      queries.push(q);
      return {
        records: [{ at: '2026-03-02T08:00:00Z', destination: '4930', durationSeconds: 61 }],
        total: 1,
      };
    },
    async intervals(q) {
      queries.push(q);
      return { records: [], total: 0 };
    },
  };
  return { s, queries };
}

/**
 * The sample invoice rated with two versions of plan "business": v1 for a late-usage line, v2 for the rest;
 * its usage lines read meter "calls".
 */
const invoice = (() => {
  const inv = sampleInvoice();
  const lines = inv.lines.map((l, i) => ({
    ...l,
    ...(l.meterId ? { meterId: 'calls' } : {}),
    ...(i === 3 ? { planVersion: 1 } : {}),
  }));
  return { ...inv, lines };
})();

function plans(byVersion: Record<number, unknown>) {
  const asked: string[] = [];
  return {
    asked,
    store: {
      async get(planId: string, version: number) {
        asked.push(`${planId} v${version}`);
        return byVersion[version] ?? null;
      },
    },
  };
}

describe('PlanAppendixLoader', () => {
  it('takes the appendix of the newest plan version the invoice was rated with', async () => {
    const p = plans({
      1: { terms: { appendix: { type: 'intervals', meterId: 'old' } } },
      2: { terms: { appendix: { type: 'calls', meterId: 'calls' } } },
    });
    const { s, queries } = source();
    const a = await new PlanAppendixLoader({ plans: p.store, source: s, limit: 10 }).forDocument(
      invoice,
      'invoice',
    );
    expect(p.asked).toEqual(['business v2']);
    expect(a).toMatchObject({ type: 'calls', total: 1 });
    expect(queries).toEqual([{ customerId: 'cus-7', meterId: 'calls', period: invoice.period, limit: 10 }]);
  });

  it('falls back to an older version when the newest asks for none', async () => {
    const p = plans({ 1: { terms: { appendix: { type: 'calls', meterId: 'calls' } } }, 2: { terms: {} } });
    const a = await new PlanAppendixLoader({ plans: p.store, source: source().s }).forDocument(
      invoice,
      'reminder',
    );
    expect(p.asked).toEqual(['business v2', 'business v1']);
    expect(a?.type).toBe('calls');
  });

  it("gives an invoice that bills none of the meter's usage no appendix (an opening invoice)", async () => {
    const p = plans({ 2: { terms: { appendix: { type: 'calls', meterId: 'calls' } } } });
    const { s, queries } = source();
    const feesOnly = { ...invoice, lines: invoice.lines.map((l) => ({ ...l, meterId: undefined })) };
    expect(
      await new PlanAppendixLoader({ plans: p.store, source: s }).forDocument(feesOnly, 'invoice'),
    ).toBeUndefined();
    expect(queries).toEqual([]);
  });

  it.each(['receipt', 'credit-note', 'suspended', 'restored'] as const)(
    'loads nothing for a %s, whose mail carries no invoice PDF',
    async (kind) => {
      const p = plans({ 2: { terms: { appendix: { type: 'calls', meterId: 'calls' } } } });
      expect(
        await new PlanAppendixLoader({ plans: p.store, source: source().s }).forDocument(invoice, kind),
      ).toBeUndefined();
      expect(p.asked).toEqual([]);
    },
  );

  it('warns about an invalid request and sends the invoice without an appendix', async () => {
    const warnings: string[] = [];
    const p = plans({ 2: { terms: { appendix: { type: 'calls' } } } });
    const loader = new PlanAppendixLoader({
      plans: p.store,
      source: source().s,
      warn: (m) => void warnings.push(m),
    });
    expect(await loader.forDocument(invoice, 'invoice')).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/^plan business v2 asks for an invalid appendix: meterId/),
    ]);
  });
});

describe('UsageAppendixSource', () => {
  const meter = { id: 'calls', eventType: 'tally.call.completed', aggregation: 'sum', unit: 's' } as never;
  const usage = {
    async *queryRecords() {
      yield {
        id: 'b',
        time: '2026-03-02T08:00:00Z',
        value: '60.2',
        dimensions: { destination: '4930' },
        receivedAt: 'x',
      };
      yield { id: 'a', time: '2026-03-01T08:00:00Z', value: '5', receivedAt: 'x' };
    },
  };
  const src = new UsageAppendixSource({ usage, meters: { getMeter: async () => meter } });
  const q = {
    customerId: 'c',
    meterId: 'calls',
    period: { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z' },
    limit: 5,
  };

  it('maps records to calls oldest first: seconds rounded up, destination from the dimension', async () => {
    expect(await src.callRecords(q)).toEqual({
      total: 2,
      records: [
        { at: '2026-03-01T08:00:00Z', destination: '', durationSeconds: 5 },
        // 60.2 s → 61 whole seconds
        { at: '2026-03-02T08:00:00Z', destination: '4930', durationSeconds: 61 },
      ],
    });
  });

  it('maps records to intervals of the given length with the meter unit', async () => {
    const rows = await src.intervals({ ...q, intervalMinutes: 15 });
    expect(rows.unit).toBe('s');
    expect(rows.records[0]).toEqual({
      start: '2026-03-01T08:00:00Z',
      end: '2026-03-01T08:15:00.000Z',
      quantity: '5',
    });
  });

  it('fails for a meter that is not in the catalog', async () => {
    const none = new UsageAppendixSource({ usage, meters: { getMeter: async () => undefined } });
    await expect(none.callRecords(q)).rejects.toThrow(/meter/);
  });
});

describe('appendixLoaderFromEnv', () => {
  it('gives no loader without the usage table, so invoices still go out', () => {
    expect(appendixLoaderFromEnv({} as never, { TALLY_BILLING_TABLE: 'b' })).toBeUndefined();
    expect(
      appendixLoaderFromEnv({} as never, { TALLY_BILLING_TABLE: 'b', TALLY_USAGE_TABLE: 'u' }),
    ).toBeInstanceOf(PlanAppendixLoader);
  });
});
