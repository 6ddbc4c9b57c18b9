import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ReportData } from '@tally/reports';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import type { Io } from '../io.js';
import { type ReportDeps, type ReportQuery, register } from './report.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SAMPLE = 'events/reports/sample-input.json';

/** Runs `tally report …` in-process (the command is registered on its own program, as main.ts would do). */
async function run(argv: string[], deps: Partial<ReportDeps> = {}, files: Record<string, string> = {}) {
  let out = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: () => {},
    readFile: async (path) => files[path] ?? readFile(new URL(path, `file://${ROOT}`), 'utf8'),
  };
  const program = new Command('tally').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  // env {}: the stack a test run may have in process.env (the integration setup) is not this test's source
  register(program, { io }, { now: () => new Date('2026-05-01T00:00:00Z'), env: {}, ...deps });
  try {
    await program.parseAsync(['report', ...argv], { from: 'user' });
    return { error: undefined, out };
  } catch (error) {
    return { error: error as Error, out };
  }
}

const asOf = ['--as-of', '2026-05-01T00:00:00Z'];

describe('tally report', () => {
  it('prints the aging of the sample as a table', async () => {
    const { error, out } = await run(['aging', '--input', SAMPLE, ...asOf]);
    expect(error).toBeUndefined();
    expect(out).toContain('Receivables aging');
    // EUR row: current 0.00, 1–30 1300.00, 31–60 238.00, 61–90 1190.00, over 90 238.00, total 2966.00
    expect(out).toMatch(/EUR\s+0\.00\s+1300\.00\s+238\.00\s+1190\.00\s+238\.00\s+2966\.00\s+0\.00/);
  });

  it('writes one CSV section exactly', async () => {
    const { out } = await run(['dso', '--input', SAMPLE, ...asOf, '--format', 'csv', '--section', 'dso']);
    // EUR 2966 / 1785 × 30 = 49.8; USD 1220 / 1220 × 30 = 30.0 (April has 30 days)
    expect(out).toBe(
      [
        'Currency,Ending receivables,Credit sales,Days,DSO (days)',
        'EUR,2966.00,1785.00,30.00,49.8',
        'USD,1220.00,1220.00,30.00,30.0',
        '',
      ].join('\r\n'),
    );
  });

  it('renders a self-contained HTML page with charts', async () => {
    const { out } = await run(['revenue', '--input', SAMPLE, ...asOf, '--format', 'html']);
    expect(out.startsWith('<!doctype html>')).toBe(true);
    expect(out.match(/<svg /g)?.length).toBe(4); // by plan and by meter, EUR and USD
  });

  it('measures the last full month before --as-of by default, or the --month given', async () => {
    const byDefault = JSON.parse(
      (await run(['accuracy', '--input', SAMPLE, ...asOf, '--format', 'json'])).out,
    );
    expect(byDefault.window).toEqual({ from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' });
    const march = JSON.parse(
      (await run(['accuracy', '--input', SAMPLE, ...asOf, '--month', '2026-03', '--format', 'json'])).out,
    );
    // finalized in March: acme Feb, globex Feb, initech Feb = 3, none corrected
    expect(march.sections[0].rows[0].cells).toEqual({ finalized: '3', corrected: '0', share: '100.0' });
  });

  it('reads from an injected source when no --input is given, and takes asOf from the clock at the edge', async () => {
    const queries: ReportQuery[] = [];
    const source = {
      load: async (q: ReportQuery): Promise<ReportData> => {
        queries.push(q);
        return { invoices: [], payments: [], creditNotes: [], usage: [] };
      },
    };
    const { error, out } = await run(['timeliness'], { source, now: () => new Date('2026-03-15T12:34:56Z') });
    expect(error).toBeUndefined();
    expect(queries).toEqual([
      { asOf: '2026-03-15T12:34:56Z', window: { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' } },
    ]);
    expect(out).toContain('(no data)');
  });

  it('asks the stack source for the --customer ids given', async () => {
    const queries: ReportQuery[] = [];
    const source = {
      load: async (q: ReportQuery): Promise<ReportData> => {
        queries.push(q);
        return { invoices: [], payments: [], creditNotes: [], usage: [] };
      },
    };
    const { error } = await run(['aging', ...asOf, '--customer', 'c1', 'c2', '--customer', 'c3'], { source });
    expect(error).toBeUndefined();
    expect(queries.map((q) => q.customerIds)).toEqual([['c1', 'c2', 'c3']]);
  });

  it.each([
    [['nope', '--input', SAMPLE], /unknown report "nope": expected one of aging, dso/],
    [
      ['aging', '--input', SAMPLE, '--customer', 'c1'],
      /--customer selects from a stack: it does not apply to --input/,
    ],
    [
      ['aging'],
      /no report source: pass --input .* or point tally at a stack: TALLY_BILLING_TABLE .* or --stack <prefix>/,
    ],
    [['aging', '--input', SAMPLE, '--as-of', 'yesterday'], /--as-of yesterday: expected an ISO 8601 instant/],
    [['aging', '--input', SAMPLE, '--format', 'pdf'], /--format pdf: expected one of table, csv, html, json/],
    [['aging', '--input', SAMPLE, '--section', 'aging-summary'], /--section applies to --format csv/],
    [['aging', '--input', SAMPLE, '--from', '2026-04-01T00:00:00Z'], /--from and --to go together/],
    [['aging', '--input', SAMPLE, '--hours', '0'], /--hours 0: expected a positive number/],
    [['aging', '--input', SAMPLE, '--format', 'csv', '--section', 'x'], /has no section "x"/],
    [['aging', '--input', 'mem:bad.json'], /mem:bad.json(:\d+:\d+)?: invalid JSON/],
    [['aging', '--input', 'mem:wrong.json'], /mem:wrong.json.invoices: /],
    [['aging', '--input', 'mem:mismatch.json', ...asOf], /is in USD but invoice inv_acme_jan is in EUR/],
  ])('refuses %j as bad input', async (argv, message) => {
    const sample = JSON.parse(await readFile(new URL(SAMPLE, `file://${ROOT}`), 'utf8'));
    const mismatch = {
      ...sample,
      payments: [
        {
          id: 'p',
          customerId: 'c',
          invoiceId: 'inv_acme_jan',
          amount: '1.00',
          currency: 'USD',
          receivedAt: '2026-04-01T00:00:00Z',
          kind: 'payment',
        },
      ],
    };
    const { error } = await run(
      argv,
      {},
      {
        'mem:bad.json': '{"invoices": x}',
        'mem:wrong.json': '{"invoices": 3}',
        'mem:mismatch.json': JSON.stringify(mismatch),
      },
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error?.message).toMatch(message);
  });
});
