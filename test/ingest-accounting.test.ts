import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { quarantinedTotal } from '@tally/ingest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, emfTotals, ingestWorld } from './ingest-fixtures.js';

/** Bad inputs by the reason they must end under. */
const BAD: Record<string, (n: number) => unknown> = {
  'unknown-customer': (n) => call(`bad-${n}`, { subject: 'nobody' }),
  'unknown-meter': (n) => call(`bad-${n}`, { type: 'tally.sms.sent' }),
  'invalid-quantity': (n) => call(`bad-${n}`, { data: { durationSeconds: -1 } }),
  'future-time': (n) => call(`bad-${n}`, { time: '2027-01-01T00:00:00Z' }),
  'too-late': (n) => call(`bad-${n}`, { time: '2024-01-01T00:00:00Z' }),
  schema: (n) => ({ id: `bad-${n}` }),
};

type Input =
  | { kind: 'valid'; identity: number; variant: number }
  | { kind: 'bad'; reason: string }
  | { kind: 'malformed' };

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('valid' as const), identity: fc.nat(7), variant: fc.nat(3) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('bad' as const), reason: fc.constantFrom(...Object.keys(BAD)) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('malformed' as const) }) },
);

// A message is one input or an array of inputs (malformed bodies are always alone); a run is batches of them.
const runArb = fc.array(
  fc.array(fc.tuple(fc.array(inputArb, { minLength: 1, maxLength: 4 }), fc.boolean()), {
    minLength: 1,
    maxLength: 12,
  }),
  { minLength: 1, maxLength: 4 },
);

describe('ingest accounting invariant', () => {
  it('ends every input in exactly one of stored / duplicate / quarantined, under a random mix', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, fc.boolean(), async (batches, concurrent) => {
        const w = await ingestWorld('ing-acct');
        let units = 0;
        let n = 0;
        const expectedBad: Record<string, number> = {};
        const seen = new Map<number, Set<number>>();
        const bodies = batches.map((messages) =>
          messages.flatMap(([inputs, asArray]) => {
            const events: unknown[] = [];
            const out: string[] = [];
            for (const input of inputs) {
              if (input.kind === 'malformed') {
                out.push('{"broken":');
                units++;
                expectedBad['malformed-json'] = (expectedBad['malformed-json'] ?? 0) + 1;
                continue;
              }
              units++;
              if (input.kind === 'bad') {
                expectedBad[input.reason] = (expectedBad[input.reason] ?? 0) + 1;
                events.push(BAD[input.reason]!(n++));
              } else {
                seen.set(input.identity, (seen.get(input.identity) ?? new Set()).add(input.variant));
                events.push(call(`id-${input.identity}`, { data: { durationSeconds: input.variant } }));
              }
            }
            if (asArray && events.length > 0) out.push(JSON.stringify(events));
            else out.push(...events.map((e) => JSON.stringify(e)));
            return out;
          }),
        );
        const runs = bodies.map((b) => () => w.invoke(b));
        if (concurrent) await Promise.all(runs.map((r) => r()));
        else for (const r of runs) await r();

        const occurrences = batches
          .flat()
          .flatMap(([inputs]) => inputs)
          .filter((i) => i.kind === 'valid').length;
        const distinct = seen.size;
        const conflictsPossible = [...seen.values()].some((v) => v.size > 1);
        const t = w.total;
        // the invariant
        expect(t.units).toBe(units);
        expect(t.stored + t.duplicate + quarantinedTotal(t)).toBe(units);
        // valid events: one stored per identity, every other copy a duplicate or a conflict
        expect(t.stored).toBe(distinct);
        expect(t.duplicate + (t.quarantined.conflict ?? 0)).toBe(occurrences - distinct);
        if (!conflictsPossible) expect(t.quarantined.conflict ?? 0).toBe(0);
        const { conflict: _c, ...bad } = t.quarantined;
        expect(bad).toEqual(expectedBad);
        // the metrics say the same
        const e = emfTotals(w.emf);
        expect([e.inputs, e.stored, e.duplicate, e.quarantined]).toEqual([
          units,
          t.stored,
          t.duplicate,
          quarantinedTotal(t),
        ]);
        const items = await w.doc.send(
          new ScanCommand({ TableName: w.resources.tables.Usage!, Select: 'COUNT' }),
        );
        // one item per identity: nothing else is written to the usage table on this path
        expect(items.Count).toBe(distinct);
      }),
      { numRuns: 25 },
    );
  });
});
