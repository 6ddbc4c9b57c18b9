import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCustomers, generateUsage, injectFaults, loadOffers, Random } from '@tally/demo';
import { describe, expect, it } from 'vitest';
import { expectedAccounting } from '../bench/soak.js';

// `npm start -- --once` end to end, on a reduced dataset: its summary is checked against figures the test
// computes itself from the same generated input (same seed), never against the program's own expectations.
const CUSTOMERS = 9;
const SEED = 77;

function independentFigures() {
  const random = new Random(SEED);
  const customers = generateCustomers(loadOffers(), { count: CUSTOMERS, month: '2026-01', random });
  const clean = customers
    .flatMap((c) => generateUsage(c, { month: '2026-01', random }))
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const traffic = injectFaults(clean, { random });
  // Counted from the bodies alone (the soak's counter, not the demo's own expectations).
  return { customers, ...expectedAccounting([...traffic.onTime, ...traffic.late]) };
}

describe('npm start -- --once (reduced dataset)', () => {
  const expected = independentFigures();
  const dir = mkdtempSync(join(tmpdir(), 'tally-demo-'));
  const start = (...extra: string[]) =>
    spawnSync(
      'npx',
      [
        'tsx',
        'packages/demo/src/main.ts',
        '--once',
        '--json',
        '--customers',
        String(CUSTOMERS),
        '--seed',
        String(SEED),
        '--data',
        join(dir, 'data'),
        ...extra,
      ],
      { encoding: 'utf8', timeout: 600_000 },
    );
  const json = (r: ReturnType<typeof start>) =>
    r.status === 0 ? JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) : undefined;
  const run = start();
  const summary = json(run);

  it('exits 0 and prints a JSON summary', () => {
    expect(run.stderr.slice(-2000) + run.stdout.slice(-2000)).toBeTruthy();
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    expect(summary.customers).toBe(CUSTOMERS);
  });

  it('accounts for every input: stored + duplicates + quarantined = inputs, each as computed from the input', () => {
    expect(summary.ingest.inputs).toBe(expected.inputs);
    expect(summary.ingest.stored).toBe(expected.stored);
    expect(summary.ingest.duplicate).toBe(expected.duplicate);
    const quarantined = Object.values(summary.ingest.quarantined as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(quarantined).toBe(expected.quarantined);
    expect(summary.ingest.quarantined.conflict ?? 0).toBe(expected.conflicts);
    expect(summary.ingest.quarantined['malformed-json'] ?? 0).toBe(expected.malformedJson);
  });

  it('issues gap-free invoice numbers per issuer and emails every invoice', () => {
    const numbers = summary.invoices.numbers as string[];
    expect(new Set(numbers).size).toBe(numbers.length);
    const byIssuer = new Map<string, number[]>();
    for (const n of numbers) {
      const [prefix, , seq] = n.split('-');
      byIssuer.set(prefix!, [...(byIssuer.get(prefix!) ?? []), Number(seq)]);
    }
    expect([...byIssuer.keys()].sort()).toEqual(['BEC', 'FLK', 'NWM']);
    for (const seqs of byIssuer.values()) {
      expect(seqs.sort((a, b) => a - b)).toEqual(seqs.map((_, i) => i + 1));
    }
    // Every customer gets at least its January and February invoices; telecom also an opening one (fees in
    // advance), and customers far east of UTC may already close March.
    const telecom = expected.customers.filter((c) => c.business === 'telecom').length;
    expect(summary.invoices.count).toBeGreaterThanOrEqual(CUSTOMERS * 2 + telecom);
    expect(summary.emails.byKind.invoice).toBe(summary.invoices.count);
    expect(summary.invoices.adjustments).toBeGreaterThan(0);
  });

  it('records every payment sent, suspends a customer who pays late and restores it on payment', () => {
    expect(expected.customers.map((c) => c.payer)).toContain('after-suspension');
    expect(summary.payments.accepted).toBe(summary.payments.sent);
    expect(summary.payments.sent).toBeGreaterThan(0);
    expect(summary.dunning.suspended).toBeGreaterThan(0);
    expect(summary.dunning.restored).toBeGreaterThan(0);
    // A receipt goes out when an invoice is paid in full (a partial payment leaves it open).
    expect(summary.emails.byKind.receipt).toBe(summary.invoices.byStatus.paid);
    expect(summary.emails.byKind.restored).toBe(summary.dunning.restored);
  });

  it('reopens the finished run on the next start, with its invoices and mails, and runs it anew with --fresh', () => {
    const again = start();
    expect(again.status, again.stderr.slice(-3000)).toBe(0);
    const reopened = json(again);
    expect(reopened.reopened?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Counted again from the reopened stack: DynamoDB's files and the saved mails.
    expect(reopened.invoices).toEqual(summary.invoices);
    expect(reopened.emails).toEqual(summary.emails);
    const fresh = start('--fresh');
    expect(fresh.status, fresh.stderr.slice(-3000)).toBe(0);
    const anew = json(fresh);
    expect(anew.reopened).toBeUndefined();
    expect(anew.ingest).toEqual(summary.ingest);
    expect(anew.invoices).toEqual(summary.invoices);
  });
}, 900_000);
