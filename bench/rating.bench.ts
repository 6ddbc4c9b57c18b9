import type { UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import { type Charge, ChargeSchema, type LineFactory, PRICERS, type PricerEntry } from '@tally/rating';
import { lineFactory } from '../packages/rating/src/pricer.js';
import { type BenchRow, benchScale } from './types.js';

// Lines rated per second for each pricing model over the same synthetic quantities, beside the bare
// decimal.js multiply-and-add over those quantities measured in the same run. Goal: within 3× of it.
const FULL = 1_000_000;
const GOAL = 3;
const BATCH = 1_000; // records per pricer call for the models that price each record (one customer-month)
const START = Date.parse('2026-01-01T00:00:00Z');
const MONTH_MS = 31 * 86_400_000;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = [
  { from: '00:00', to: '16:00', band: 'off' },
  { from: '16:00', to: '21:00', band: 'peak' },
  { from: '21:00', to: '24:00', band: 'off' },
];
const schedule = { weekday: day, weekend: [{ from: '00:00', to: '24:00', band: 'off' }], holidays: ['2026-01-01'] };
const tiers = [
  { upTo: '1000', unitPrice: '0.10' },
  { upTo: '100000', unitPrice: '0.05', flatAmount: '2' },
  { upTo: null, unitPrice: '0.01' },
];

const CHARGES: { readonly [K in Charge['type']]: Record<string, unknown> } = {
  flat: { amount: '49.00' },
  daily: { amountPerDay: '0.35' },
  'per-unit': { meterId: 'm', unitPrice: '0.0013' },
  graduated: { meterId: 'm', tiers },
  volume: { meterId: 'm', tiers },
  package: { meterId: 'm', packageSize: '1000', packagePrice: '0.25', freeUnits: '100' },
  percentage: { meterId: 'm', rate: '0.029', fixedFee: '0.30', maxPerTransaction: '25' },
  'graduated-percentage': {
    meterId: 'm',
    tiers: [
      { upTo: '1000', rate: '0.01', flatAmount: '2' },
      { upTo: null, rate: '0.02' },
    ],
  },
  dynamic: { meterId: 'm' },
  'time-of-use': { meterId: 'm', schedule, prices: [{ band: 'peak', unitPrice: '0.42' }, { band: 'off', unitPrice: '0.31' }] },
  demand: { meterId: 'm', intervalMinutes: 15, unitPrice: '18.5', window: { schedule, bands: ['peak'] } },
  call: {
    meterId: 'm',
    connectFee: '0.05',
    bands: schedule,
    destinations: [
      { prefix: '49', name: 'DE', perMinute: { peak: '0.09', off: '0.05' } },
      { prefix: '4915', name: 'DE mobile', perMinute: { peak: '0.19', off: '0.12' } },
      { prefix: '1', name: 'NA', perMinute: '0.15', initialIncrement: 1, subsequentIncrement: 1 },
      { prefix: '44', name: 'UK', perMinute: '0.25', initialIncrement: 30, subsequentIncrement: 6, minimumCharge: '0.3' },
    ],
  },
};

function time(fn: () => number): { seconds: number; lines: number } {
  const t0 = performance.now();
  const lines = fn();
  return { seconds: (performance.now() - t0) / 1000, lines };
}

export async function run(): Promise<BenchRow[]> {
  const n = Math.max(BATCH, Math.round(FULL * benchScale()));
  const rnd = prng(42);
  const strings = Array.from({ length: n }, () => (Math.floor(rnd() * 1e9) / 1000).toFixed(3));
  const quantities = strings.map((s) => new Decimal(s));
  const destinations = ['4930123456', '4915112345678', '12125550100', '442071234567'];
  const records: UsageRecord[] = strings.map((s, i) => ({
    id: `r${i}`,
    time: new Date(START + Math.floor(rnd() * MONTH_MS)).toISOString(),
    value: (Number(s) % 3600).toFixed(0),
    price: '0.2131',
    dimensions: { destination: destinations[i % destinations.length]! },
  }));
  const batches: UsageRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH) {
    batches.push(records.slice(i, i + BATCH).sort((a, b) => (a.time < b.time ? -1 : 1)));
  }
  const period = { startMs: START, endMs: START + MONTH_MS };

  const price = new Decimal('0.0013');
  const baseline = () => {
    let acc = new Decimal(0);
    for (const q of quantities) acc = acc.plus(q.times(price));
    return acc.isZero() ? 0 : quantities.length;
  };
  baseline();
  const base = time(baseline);
  const baselineRate = n / base.seconds;
  const rows: BenchRow[] = [
    { area: 'rating', name: 'baseline: decimal.js q × price + acc', value: baselineRate, unit: 'quantities/s' },
  ];

  for (const type of Object.keys(CHARGES) as Charge['type'][]) {
    const charge = ChargeSchema.parse({ type, id: type, ...CHARGES[type] });
    const entry = PRICERS[type] as PricerEntry<Charge>;
    const line: LineFactory = lineFactory({
      chargeId: charge.id,
      meterId: 'm',
      planId: 'bench',
      planVersion: 1,
      period: { start: '2026-01-01T00:00:00.000Z', end: '2026-02-01T00:00:00.000Z' },
      currency: 'EUR',
      rounding: 'half-up',
      unit: 'unit',
    });
    const input = { charge, period, timeZone: 'Europe/Berlin', unit: 'unit', line };
    const once =
      entry.input === 'records'
        ? (limit: number) => {
            let lines = 0;
            for (let b = 0; b < Math.min(batches.length, limit / BATCH); b++) {
              lines += entry.price({ ...input, quantity: new Decimal(0), records: batches[b]! }).length;
            }
            return lines;
          }
        : (limit: number) => {
            let lines = 0;
            for (let i = 0; i < Math.min(n, limit); i++) {
              lines += entry.price({ ...input, quantity: quantities[i]!, records: [] }).length;
            }
            return lines;
          };
    once(Math.max(BATCH, n / 20)); // warm up the JIT
    const t = time(() => once(n));
    const value = n / t.seconds;
    const ratio = baselineRate / value;
    rows.push({
      area: 'rating',
      name: `${type} (${(t.lines / (entry.input === 'records' ? n / BATCH : n)).toFixed(1)} lines per ${entry.input === 'records' ? `${BATCH} records` : 'quantity'})`,
      value,
      unit: 'quantities/s',
      baseline: baselineRate,
      ratio,
      goal: GOAL,
      pass: ratio <= GOAL,
    });
  }
  return rows;
}
