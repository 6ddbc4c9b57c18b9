import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CustomerSchema, type Subscription, SubscriptionSchema } from '@tally/billing';
import { payloadHash } from '@tally/ingest';
import { MeterSchema, type UsageEvent } from '@tally/metering';
import { type Plan, PlanSchema } from '@tally/rating';
import { billingTable, usageTable } from '@tally/resources';
import { createDocumentClient, PlanStore, SubscriptionStore, UsageStore } from '@tally/store';
import { billingInvoiceStore } from '@tally/workflow';
import {
  type BillingCatalog,
  type BillingDeps,
  billSubscription,
  noDunning,
} from '../functions/bill-subscription/bill.js';
import { toItem } from '../packages/store/src/usage-store.js';
import { createTable, startDynaliteChild } from './dynalite-child.js';
import { type BenchRow, benchScale } from './types.js';

// Billing one subscription whose period holds N events, against reading those same events from the same
// table in the same run (dynalite in a child process, so this process's time and memory are the billing
// run's). The plan's four meters (count, sum, max, latest) all read the one event type: the period is read
// once and every record folds into small accumulators, so the peak heap should not grow with N.
const FULL = 100_000;
const GOAL_RATIO = 1.5;
const PERIOD = { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' };

const meters = [
  { id: 'calls', eventType: 'api.call', aggregation: 'count' },
  { id: 'bytes', eventType: 'api.call', valuePath: 'bytes', aggregation: 'sum', conversion: '0.000001' },
  { id: 'peak', eventType: 'api.call', valuePath: 'concurrency', aggregation: 'max' },
  { id: 'level', eventType: 'api.call', valuePath: 'concurrency', aggregation: 'latest' },
].map((m) => MeterSchema.parse(m));

const plan = PlanSchema.parse({
  id: 'bench',
  version: 1,
  name: 'Bench',
  currency: 'EUR',
  effectiveFrom: '2025-01-01T00:00:00Z',
  terms: { fixedFeeTiming: 'arrears', draftGraceHours: 0 },
  meters,
  charges: [
    { type: 'flat', id: 'base', amount: '10.00' },
    { type: 'per-unit', id: 'calls', meterId: 'calls', unitPrice: '0.001', included: '1000' },
    {
      type: 'graduated',
      id: 'mb',
      meterId: 'bytes',
      tiers: [
        { upTo: '100', unitPrice: '0' },
        { upTo: null, unitPrice: '0.02' },
      ],
    },
    { type: 'per-unit', id: 'peak', meterId: 'peak', unitPrice: '1.00' },
    { type: 'per-unit', id: 'level', meterId: 'level', unitPrice: '0.10' },
  ],
});

function event(i: number, n: number): UsageEvent {
  const span = Date.parse(PERIOD.end) - Date.parse(PERIOD.start);
  return {
    specversion: '1.0',
    id: `e${i}`,
    source: 'urn:bench',
    type: 'api.call',
    subject: 'cust-bench',
    time: new Date(Date.parse(PERIOD.start) + Math.floor(((i + 0.5) * span) / n)).toISOString(),
    data: { bytes: 1000 + (i % 5000), concurrency: i % 97, path: '/v1/things', status: 200 },
  };
}

/** Peak heap above the starting point while `fn` runs (sampled every 5 ms, after a forced GC when exposed). */
async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; peakMb: number; result: T }> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 5);
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { ms, peakMb: (peak - base) / 1_048_576, result };
}

/** The runtime's garbage collector, exposed at run time (node's `--expose-gc`, without restarting). */
function exposedGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * The peak of the live heap while `fn` runs: every 25 ms a full GC, then heapUsed. Slower than `measure` (a
 * pass of its own, not timed), but it counts only what is reachable: what the memory goal is about.
 */
async function liveHeap<T>(fn: () => Promise<T>): Promise<number> {
  const gc = exposedGc();
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    sampling = false;
  }, 25);
  await fn();
  clearInterval(timer);
  return (peak - base) / 1_048_576;
}

async function scenario(endpoint: string, n: number, label: string) {
  const ddb = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const doc = createDocumentClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const usageName = `bench-usage-${label}`;
  const billingName = `bench-billing-${label}`;
  await createTable(ddb, usageTable, usageName);
  await createTable(ddb, billingTable, billingName);

  // Load the events directly (as ingest would have stored them), 25 per BatchWriteItem, 16 in flight.
  const items = Array.from({ length: n }, (_, i) => {
    const e = event(i, n);
    return toItem(
      { customerId: 'cust-bench', event: e, hash: payloadHash(e), receivedAt: e.time, origin: `b${i}` },
      0,
      400,
    );
  });
  for (let i = 0; i < items.length; i += 25 * 16) {
    await Promise.all(
      Array.from({ length: 16 }, (_, k) => items.slice(i + k * 25, i + (k + 1) * 25))
        .filter((c) => c.length > 0)
        .map((c) =>
          doc.send(
            new BatchWriteCommand({
              RequestItems: { [usageName]: c.map((Item) => ({ PutRequest: { Item } })) },
            }),
          ),
        ),
    );
  }
  items.length = 0;

  const customer = CustomerSchema.parse({
    id: 'cust-bench',
    legalName: 'Bench Ltd',
    billingEmails: ['b@bench.example'],
    locale: 'en-GB',
    timeZone: 'UTC',
    currency: 'EUR',
    tax: { mode: 'exclusive', rates: [], rounding: 'per-invoice' },
    issuerId: 'bench',
  });
  const invoices = billingInvoiceStore(doc, billingName);
  const subscriptions = new SubscriptionStore<Subscription>({
    client: doc,
    tableName: billingName,
    parse: (d) => SubscriptionSchema.parse(d),
  });
  const plans = new PlanStore<Plan>({ client: doc, tableName: billingName });
  await plans.put(plan);
  const sub = SubscriptionSchema.parse({
    id: `sub-${label}`,
    customerId: customer.id,
    start: PERIOD.start,
    interval: 'month',
    alignment: 'calendar',
    phases: [{ from: PERIOD.start, planId: plan.id, planVersion: plan.version }],
  });
  const catalog: BillingCatalog = {
    customer: async () => customer,
    issuer: async () => ({ id: 'bench', legalName: 'Bench Issuer', numberPrefix: 'BENCH', timeZone: 'UTC' }),
    planVersion: async () => plan,
    meter: async (id) => meters.find((m) => m.id === id)!,
  };
  const usage = new UsageStore({ doc, tableName: usageName });
  const deps: BillingDeps = {
    subscriptions,
    invoices,
    catalog,
    usage,
    delivery: { enqueueInvoice: async () => undefined },
    dunning: noDunning,
    clock: { now: () => new Date('2026-02-01T06:00:00Z') },
  };

  const readOnly = () =>
    measure(async () => {
      let count = 0;
      for await (const _ of usage.queryEvents({
        customerId: customer.id,
        eventType: 'api.call',
        ...{ from: PERIOD.start, to: PERIOD.end },
      }))
        count++;
      return count;
    });
  const bill = async (round: number) => {
    const s = { ...sub, id: `${sub.id}-${round}` };
    await subscriptions.put(s, {
      periodStart: PERIOD.start,
      periodEnd: PERIOD.end,
      stage: 'open',
      dueAt: PERIOD.end,
    });
    return measure(() =>
      billSubscription({ subscriptionId: s.id, periodStart: PERIOD.start, periodEnd: PERIOD.end }, deps),
    );
  };
  // Warm up both paths once, then alternate so neither profits from a warmer cache.
  await readOnly();
  await bill(0);
  const reads: number[] = [];
  const bills: number[] = [];
  let readPeak = 0;
  let billPeak = 0;
  for (let round = 1; round <= 3; round++) {
    const r = await readOnly();
    if (r.result !== n) throw new Error(`read ${r.result} events, stored ${n}`);
    reads.push(r.ms);
    readPeak = Math.max(readPeak, r.peakMb);
    const b = await bill(round);
    if (b.result.outcome !== 'finalized') throw new Error(`billing outcome ${b.result.outcome}`);
    bills.push(b.ms);
    billPeak = Math.max(billPeak, b.peakMb);
  }
  // Live heap: one more bill and one more read, each sampled after forced GCs.
  const billLive = await liveHeap(async () => {
    const s = { ...sub, id: `${sub.id}-live` };
    await subscriptions.put(s, {
      periodStart: PERIOD.start,
      periodEnd: PERIOD.end,
      stage: 'open',
      dueAt: PERIOD.end,
    });
    await billSubscription({ subscriptionId: s.id, periodStart: PERIOD.start, periodEnd: PERIOD.end }, deps);
  });
  const readLive = await liveHeap(() => readOnly());
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const inv = (await invoices.get(`inv_${sub.id}-1_20260101T000000Z`))!.invoice;
  ddb.destroy();
  doc.destroy();
  return {
    readMs: median(reads),
    billMs: median(bills),
    readPeak,
    billPeak,
    billLive,
    readLive,
    total: inv.totals.total,
  };
}

export async function run(): Promise<BenchRow[]> {
  const n = Math.max(1000, Math.round(FULL * benchScale()));
  const { endpoint, child } = await startDynaliteChild();
  try {
    // Half the events: each day of the month's partition then already fills several 500-item pages (the read
    // splits a busy month into parts of about a page each), so a fan-in that holds a bounded number of pages
    // shows a flat live heap between the two (at n/10 the pages are still partial).
    const small = await scenario(endpoint, Math.max(1000, Math.round(n / 2)), 'small');
    const full = await scenario(endpoint, n, 'full');
    const ratio = full.billMs / full.readMs;
    return [
      {
        area: 'billing',
        name: `read the period's ${n.toLocaleString('en-US')} events (baseline)`,
        value: full.readMs,
        unit: 'ms',
      },
      {
        area: 'billing',
        name: `bill one subscription, ${n.toLocaleString('en-US')} events (count, sum, max, latest meters)`,
        value: full.billMs,
        unit: 'ms',
        baseline: full.readMs,
        ratio,
        goal: GOAL_RATIO,
        pass: ratio <= GOAL_RATIO,
      },
      {
        area: 'billing',
        name: `peak heap while billing ${n / 2} events`,
        value: small.billPeak,
        unit: 'MB',
      },
      { area: 'billing', name: `peak heap while billing ${n} events`, value: full.billPeak, unit: 'MB' },
      { area: 'billing', name: `peak heap while only reading ${n} events`, value: full.readPeak, unit: 'MB' },
      {
        area: 'billing',
        name: `live heap peak (forced GC every 25 ms) while billing ${n / 2} events`,
        value: small.billLive,
        unit: 'MB',
      },
      {
        area: 'billing',
        name: `live heap peak (forced GC every 25 ms) while billing ${n} events`,
        value: full.billLive,
        unit: 'MB',
        baseline: small.billLive,
        ratio: full.billLive / small.billLive,
      },
      {
        area: 'billing',
        name: `live heap peak (forced GC every 25 ms) while only reading ${n / 2} events`,
        value: small.readLive,
        unit: 'MB',
      },
      {
        area: 'billing',
        name: `live heap peak (forced GC every 25 ms) while only reading ${n} events`,
        value: full.readLive,
        unit: 'MB',
      },
    ];
  } finally {
    child.kill();
  }
}

// `npx tsx bench/billing.bench.ts` runs this bench alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await run()) console.log(row);
}
