import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expectedAccounting, numberGaps, type SoakResult } from '../bench/soak.js';

// The chaos soak (npm run soak) reduced to about 5,000 events, in its own process (it starts its own local
// stack): producer faults plus ingest crashes after writes, DynamoDB throttling and SES failures.
const EVENTS = 5_000;
/** The seed whose fault streams each fail their first call (see the first test). */
const SEED = 1175;

describe('soak helpers', () => {
  it('counts inputs, identities, duplicates and quarantines from the bodies alone', () => {
    const e = (id: string, n: number) => ({ source: 's', id, subject: 'c', time: 't', data: { n } });
    const bodies = [
      JSON.stringify([e('a', 1), e('b', 1), e('a', 1)]), // a twice, same payload: 1 duplicate
      JSON.stringify([e('b', 2), { source: 's', id: 'x' }]), // b with another payload: conflict; x no subject
      'not json',
    ];
    // inputs 3 + 2 + 1 = 6; identities a, b = 2 stored; copies with subject 4: 4 - 2 - 1 conflict = 1 duplicate;
    // quarantined: 6 - 4 + 1 = 3 (conflict, schema, not JSON), of which 1 conflict and 1 not JSON.
    expect(expectedAccounting(bodies)).toEqual({
      inputs: 6,
      stored: 2,
      duplicate: 1,
      quarantined: 3,
      conflicts: 1,
      malformedJson: 1,
    });
  });

  it.each([
    [['A-2026-0001', 'A-2026-0002', 'B-2026-0001'], 0],
    [['A-2026-0001', 'A-2026-0003'], 1],
    [['A-2026-0002'], 1],
  ])('finds gaps in invoice numbers per issuer (%j → %i)', (numbers, gaps) => {
    expect(numberGaps(numbers)).toHaveLength(gaps);
  });
});

describe(`chaos soak (${EVENTS} events)`, () => {
  const run = spawnSync(
    'npx',
    [
      'tsx',
      'bench/soak.ts',
      '--events',
      String(EVENTS),
      '--seed',
      String(SEED),
      '--ses-failure-rate',
      '0.3',
      '--crash-rate',
      '0.1',
      '--throttle-rate',
      '0.02',
      '--json',
    ],
    {
      encoding: 'utf8',
      timeout: 300_000,
      // The soak starts its own stack: none of this run's endpoints or resource names may leak into it.
      env: Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => !k.startsWith('AWS_ENDPOINT_URL') && !k.startsWith('TALLY_'),
        ),
      ),
    },
  );
  const result =
    run.status === null || !run.stdout.includes('{')
      ? undefined
      : (JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as SoakResult);

  it('ran to the end and injected every kind of fault', () => {
    expect(result, run.stderr.slice(-3000)).toBeDefined();
    expect(result!.faults.crashes).toBeGreaterThan(0);
    expect(result!.faults.throttles).toBeGreaterThan(0);
    // Each fault draws from a stream of its own (bench/soak.ts), whose first draw is below its rate here, so
    // the first call of each kind fails whatever order the calls run in: SES (seed + 2) 0.111 < 0.3, ingest
    // crashes (seed + 3) 0.046 < 0.1, throttles (seed + 4) 0.017 < 0.02.
    expect(result!.faults.sesFailures).toBeGreaterThan(0);
  });

  it('accounts for every input, bills every invoice to the cent, mails each once, numbers without gaps', () => {
    const failed = result?.checks.filter((c) => !c.pass) ?? [{ name: 'no result', detail: '' }];
    expect(failed).toEqual([]);
    expect(result!.checks.map((c) => c.name)).toHaveLength(9);
    // 5,000 clean events at 31 × 37 = 1,147 per customer → ⌈4.36⌉ = 5 customers, one January invoice each.
    expect(result!.customers).toBe(5);
    expect(result!.invoices).toBe(5);
    expect(run.status).toBe(0);
  });
});
