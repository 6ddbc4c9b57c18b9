import type { UsageRecord } from '@tally/metering';
import { Decimal, ZERO } from '@tally/money';
import { type Charge, ChargeSchema, type LineFactory, PRICERS, type PricerEntry } from '@tally/rating';
import { lineFactory } from '../packages/rating/src/pricer.js';
import { type BenchRow, benchScale } from './types.js';

// Lines rated per second for each pricing model over the same synthetic quantities, beside the bare
// decimal.js multiply-and-add over those quantities (per quantity) measured in the same run. Goal: within
// 3× of it. Models that price each record get the quantities as records, in batches of one customer-month;
// their figure includes reading each record's decimal string, which the baseline does not do. Record values
// are whole seconds below 3,600 (as call durations are), so rating's record-value cache parses each distinct
// value once: a stream of values that never repeat costs about one parse (the "for context" row) more per record.
const FULL = 1_000_000;
const GOAL = 3;
const BATCH = 1_000; // records per pricer call for the models that price each record (one customer-month)
const START = Date.parse('2026-01-01T00:00:00Z');
const ZONE = 'Europe/Berlin';
const NONE: readonly UsageRecord[] = [];
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
const schedule = {
  weekday: day,
  weekend: [{ from: '00:00', to: '24:00', band: 'off' }],
  holidays: ['2026-01-01'],
};
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
  'time-of-use': {
    meterId: 'm',
    schedule,
    prices: [
      { band: 'peak', unitPrice: '0.42' },
      { band: 'off', unitPrice: '0.31' },
    ],
  },
  demand: { meterId: 'm', intervalMinutes: 15, unitPrice: '18.5', window: { schedule, bands: ['peak'] } },
  call: {
    meterId: 'm',
    connectFee: '0.05',
    bands: schedule,
    destinations: [
      { prefix: '49', name: 'DE', perMinute: { peak: '0.09', off: '0.05' } },
      { prefix: '4915', name: 'DE mobile', perMinute: { peak: '0.19', off: '0.12' } },
      { prefix: '1', name: 'NA', perMinute: '0.15', initialIncrement: 1, subsequentIncrement: 1 },
      {
        prefix: '44',
        name: 'UK',
        perMinute: '0.25',
        initialIncrement: 30,
        subsequentIncrement: 6,
        minimumCharge: '0.3',
      },
    ],
  },
};

/**
 * CPU seconds (user + system) of this process while `fn` runs: on a machine shared with other jobs, wall
 * time measures the neighbours as much as the code.
 */
function time(fn: () => number): { seconds: number; lines: number } {
  const t0 = process.cpuUsage();
  const lines = fn();
  const t = process.cpuUsage(t0);
  return { seconds: (t.user + t.system) / 1e6, lines };
}

const ROUNDS = 3;

/**
 * Runs the baseline and the model alternately, ROUNDS times, and keeps the best of each: on a shared
 * machine the load changes from second to second, and the best run is the one least disturbed by it.
 */
function paired(baseline: () => number, model: () => number): { base: number; model: number; lines: number } {
  let base = Number.POSITIVE_INFINITY;
  let best = Number.POSITIVE_INFINITY;
  let lines = 0;
  for (let i = 0; i < ROUNDS; i++) {
    base = Math.min(base, time(baseline).seconds);
    const t = time(model);
    best = Math.min(best, t.seconds);
    lines = t.lines;
  }
  return { base, model: best, lines };
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
  // For context beside the record models, which receive decimal strings: the same loop parsing each string.
  const parsing = () => {
    let acc = new Decimal(0);
    for (const q of strings) acc = acc.plus(new Decimal(q).times(price));
    return acc.isZero() ? 0 : strings.length;
  };
  parsing();
  const parsed = paired(parsing, parsing);
  const rows: BenchRow[] = [];
  let bestBaseline = 0;

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
    const once =
      entry.input === 'records'
        ? (limit: number) => {
            let lines = 0;
            for (let b = 0; b < Math.min(batches.length, limit / BATCH); b++) {
              lines += entry.price({
                charge,
                quantity: ZERO,
                records: batches[b]!,
                period,
                timeZone: ZONE,
                unit: 'unit',
                line,
              }).length;
            }
            return lines;
          }
        : (limit: number) => {
            let lines = 0;
            for (let i = 0; i < Math.min(n, limit); i++) {
              lines += entry.price({
                charge,
                quantity: quantities[i]!,
                records: NONE,
                period,
                timeZone: ZONE,
                unit: 'unit',
                line,
              }).length;
            }
            return lines;
          };
    once(Math.max(BATCH, n / 20)); // warm up the JIT
    const t = paired(baseline, () => once(n));
    const baselineRate = n / t.base;
    bestBaseline = Math.max(bestBaseline, baselineRate);
    // Models that read the aggregate are measured in lines per second; models that price each record, in
    // records per second (they give a handful of lines per thousand records).
    const records = entry.input === 'records';
    const value = records ? n / t.model : t.lines / t.model;
    const ratio = baselineRate / value;
    const per = records ? `${BATCH} records` : 'quantity';
    const linesPer = t.lines / (records ? n / BATCH : n);
    rows.push({
      area: 'rating',
      name: `${type} (${linesPer.toFixed(1)} lines per ${per})`,
      value,
      unit: records ? 'records/cpu-s' : 'lines/cpu-s',
      baseline: baselineRate,
      ratio,
      goal: GOAL,
      pass: ratio <= GOAL,
    });
  }
  return [
    {
      area: 'rating',
      name: 'baseline: decimal.js q × price + acc (best)',
      value: bestBaseline,
      unit: 'quantities/cpu-s',
    },
    {
      area: 'rating',
      name: 'for context: parse the string, then q × price + acc',
      value: n / Math.min(parsed.base, parsed.model),
      unit: 'quantities/cpu-s',
    },
    ...rows,
  ];
}
