import { currencyExponent, Decimal, lineAmount, sum } from '@tally/money';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { assembleInvoice } from './assemble.js';
import type { Coupon } from './discounts.js';
import { InvoiceSchema } from './invoice.js';
import { periodContaining } from './periods.js';
import { prorateAmount, prorationFactor } from './proration.js';
import { customer, issuer, subscription, type ToyRecord, toyPlan, toyRate } from './testing.js';
import { ms } from './time.js';

const APRIL = { start: '2026-04-01T00:00:00Z', end: '2026-05-01T00:00:00Z' };
const APRIL_MS = ms(APRIL.start);
const APRIL_LEN = ms(APRIL.end) - APRIL_MS;

const money = (max: number, places = 2) =>
  fc.integer({ min: 0, max: max * 10 ** places }).map((n) => new Decimal(n).div(10 ** places).toFixed());
const instantInApril = fc
  .integer({ min: 1, max: APRIL_LEN - 1 })
  .map((o) => new Date(APRIL_MS + o).toISOString());

const scenario = fc.record({
  fee: money(500),
  price: money(2, 4),
  included: fc.integer({ min: 0, max: 50 }).map(String),
  records: fc.array(fc.tuple(instantInApril, money(20, 3)), { maxLength: 40 }),
  timing: fc.constantFrom('advance' as const, 'arrears' as const),
  proration: fc.constantFrom('by-day' as const, 'by-second' as const, 'none' as const),
  commitment: fc.option(money(300), { nil: undefined }),
  changes: fc.uniqueArray(fc.tuple(instantInApril, fc.integer({ min: 1, max: 5 })), {
    maxLength: 3,
    selector: ([t]) => t,
  }),
  end: fc.option(instantInApril, { nil: undefined }),
  taxMode: fc.constantFrom('exclusive' as const, 'inclusive' as const),
  taxRounding: fc.constantFrom('per-line' as const, 'per-invoice' as const),
  rates: fc.uniqueArray(money(0.3, 4), { maxLength: 2 }),
  percentOff: fc.option(fc.integer({ min: 1, max: 100 }).map(String), { nil: undefined }),
  amountOff: fc.option(money(100), { nil: undefined }),
  credit: fc.option(money(200), { nil: undefined }),
  currency: fc.constantFrom('EUR', 'JPY', 'KWD'),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function build(s: Scenario, shuffle = false) {
  const start = APRIL.start;
  const sortedChanges = [...s.changes].sort((a, b) => ms(a[0]) - ms(b[0]));
  const phases = [
    { from: start, planId: 'basic', planVersion: 1, quantity: '1' },
    ...sortedChanges
      .filter(([t]) => s.end === undefined || ms(t) < ms(s.end))
      .map(([t, q], i) => ({
        from: t,
        planId: 'basic',
        planVersion: 1 + ((i + 1) % 2),
        quantity: String(q),
      })),
  ];
  const plans = [1, 2].map((version) =>
    toyPlan({
      version,
      currency: s.currency,
      fee: version === 1 ? s.fee : new Decimal(s.fee).times(2).toFixed(),
      perUnit: { meterId: 'calls', price: s.price, included: s.included },
      terms: { fixedFeeTiming: s.timing, proration: s.proration, minimumCommitment: s.commitment },
    }),
  );
  const sub = subscription({ phases, ...(s.end === undefined ? {} : { end: s.end }) });
  const cust = customer({
    currency: s.currency,
    tax: {
      mode: s.taxMode,
      rounding: s.taxRounding,
      rates: s.rates.map((rate, i) => ({ id: `r${i}`, name: `Rate ${i}`, rate })),
    },
  });
  const coupons: Coupon[] = [];
  if (s.percentOff !== undefined)
    coupons.push({ id: 'pct', type: 'percent', percentOff: s.percentOff, periods: 1, redeemedAt: start });
  if (s.amountOff !== undefined)
    coupons.push({
      id: 'amt',
      type: 'amount',
      amountOff: s.amountOff,
      currency: s.currency,
      periods: 1,
      redeemedAt: start,
    });
  let recs: ToyRecord[] = s.records.map(([time, value], i) => ({ id: `e${i}`, time, value }));
  if (shuffle) recs = [...recs].reverse();
  const period = periodContaining(sub, cust, start)!;
  return {
    customer: cust,
    issuer,
    subscription: sub,
    planVersions: plans,
    meters: {},
    period: { start: period.start, end: period.end },
    usage: { calls: recs },
    coupons,
    credits: s.credit === undefined ? [] : [{ id: 'c', currency: s.currency, remaining: s.credit }],
    now: '2026-05-01T06:00:00Z',
    rate: toyRate,
  };
}

describe('invoice invariants (property)', () => {
  it('lines sum to the subtotal, subtotal + tax − credits = total, and re-assembly gives the same invoice', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const inv = assembleInvoice(build(s));
        const t = inv.totals;
        const d = (x: string) => new Decimal(x);
        expect(sum(inv.lines.map((l) => l.amount)).eq(t.subtotal)).toBe(true);
        expect(d(t.charges).plus(t.discounts).eq(t.subtotal)).toBe(true);
        expect(sum(inv.tax.lines.map((l) => l.amount)).eq(t.tax)).toBe(true);
        const taxAdded = inv.tax.mode === 'exclusive' ? d(t.tax) : d('0');
        expect(d(t.subtotal).plus(taxAdded).minus(t.credits).eq(t.total)).toBe(true);
        expect(d(t.amountDue).eq(Decimal.max(t.total, 0))).toBe(true);
        expect(d(t.credits).gte(0) && d(t.discounts).lte(0)).toBe(true);
        for (const l of inv.lines) {
          expect(d(l.amount).decimalPlaces()).toBeLessThanOrEqual(currencyExponent(s.currency));
          expect(l.planId).toBe('basic');
        }
        expect(new Set(inv.lines.map((l) => l.key)).size).toBe(inv.lines.length);
        // replay: the same input, usage in another order, and a JSON round trip all give the same invoice
        expect(assembleInvoice(build(s, true))).toEqual(inv);
        expect(InvoiceSchema.parse(JSON.parse(JSON.stringify(inv)))).toEqual(inv);
      }),
      { numRuns: 200 },
    );
  });
});

describe('proration conservation (property)', () => {
  it('parts of a split period add up to the full fee within one minor unit per split', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }).map((n) => new Decimal(n.toString()).div(10_000).toFixed()),
        fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney'),
        fc.integer({ min: 2020, max: 2030 }),
        fc.integer({ min: 1, max: 12 }),
        fc.uniqueArray(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('by-day' as const, 'by-second' as const),
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        (fee, zone, year, month, cuts, basis, currency) => {
          const startDt = DateTime.fromObject({ year, month, day: 1 }, { zone });
          const nominal = {
            start: startDt.toUTC().toISO()!,
            end: startDt.plus({ months: 1 }).toUTC().toISO()!,
          };
          const len = ms(nominal.end) - ms(nominal.start);
          const points = [...new Set(cuts.map((c) => Math.floor(c * len)))].sort((a, b) => a - b);
          const bounds = [ms(nominal.start), ...points.map((p) => ms(nominal.start) + p), ms(nominal.end)];
          const parts = bounds.slice(1).map((end, i) => ({
            start: new Date(bounds[i]!).toISOString(),
            end: new Date(end).toISOString(),
          }));
          const amounts = parts.map((p) =>
            prorateAmount(fee, prorationFactor(basis, p, nominal, zone), currency, 'half-up'),
          );
          const full = lineAmount(fee, currency);
          const minor = new Decimal(10).pow(-currencyExponent(currency));
          const splits = parts.length - 1;
          const error = sum(amounts.map((a) => a.amount))
            .minus(full.amount)
            .abs();
          expect(error.lte(minor.times(splits))).toBe(true);
          // the unrounded parts conserve the fee exactly (to decimal.js's 40 digits)
          expect(
            sum(amounts.map((a) => a.precise))
              .minus(fee)
              .abs()
              .lt('1e-30'),
          ).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('fees in advance, trued up at the close (property)', () => {
  it('advance line plus true-up lines come to the prorated fees of the segments actually used', () => {
    fc.assert(
      fc.property(
        money(500),
        fc.constantFrom('by-day' as const, 'by-second' as const),
        fc.uniqueArray(
          fc.tuple(instantInApril, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 2 })),
          {
            maxLength: 3,
            selector: ([t]) => t,
          },
        ),
        fc.option(instantInApril, { nil: undefined }),
        (fee, proration, changes, end) => {
          const plans = [1, 2].map((version) =>
            toyPlan({
              version,
              fee: new Decimal(fee).times(version).toFixed(),
              terms: { fixedFeeTiming: 'advance', proration },
            }),
          );
          const known = subscription();
          const phases = [
            { from: APRIL.start, planId: 'basic', planVersion: 1, quantity: '1' },
            ...[...changes]
              .sort((a, b) => ms(a[0]) - ms(b[0]))
              .filter(([t]) => end === undefined || ms(t) < ms(end))
              .map(([t, q, v]) => ({ from: t, planId: 'basic', planVersion: v, quantity: String(q) })),
          ];
          const actual = subscription({ phases, ...(end === undefined ? {} : { end }) });
          const common = {
            customer: customer(),
            issuer,
            planVersions: plans,
            meters: {},
            now: APRIL.end,
            rate: toyRate,
          };
          const opening = assembleInvoice({ ...common, kind: 'opening', subscription: known, period: APRIL });
          const period = periodContaining(actual, customer(), APRIL.start)!;
          const closing = assembleInvoice({
            ...common,
            subscription: actual,
            period: { start: period.start, end: period.end },
            advanceBilled: opening.lines,
          });
          const forApril = closing.lines.filter(
            (l) => l.kind === 'fixed' && ms(l.period.start) < ms(APRIL.end),
          );
          const billed = sum([...opening.lines, ...forApril].map((l) => l.amount));
          // the segments actually used, each prorated from the unrounded fee
          const bounds = [...phases.map((p) => p.from), end ?? APRIL.end];
          const expected = sum(
            phases.map((p, i) => {
              const f = prorationFactor(proration, { start: bounds[i]!, end: bounds[i + 1]! }, APRIL, 'UTC');
              return new Decimal(fee)
                .times(p.planVersion)
                .times(p.quantity)
                .times(f.numerator)
                .div(f.denominator);
            }),
          );
          const lines = opening.lines.length + forApril.length;
          expect(billed.minus(expected).abs().lte(new Decimal('0.01').times(lines))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
