import { rmSync } from 'node:fs';
import type { Invoice } from '@tally/billing';
import { sesMailbox } from '@tally/local-stack';
import { deliveryKeyOf } from '@tally/mail';
import { currencyExponent, Decimal, formatMinor } from '@tally/money';
import { AccountSchema, SIGNATURE_HEADER, signWebhook } from '@tally/payments';
import { type LocalPipeline, startLocalPipeline } from '@tally/pipeline';
import { PlanSchema } from '@tally/rating';
import { billingTable } from '@tally/resources';
import {
  CatalogStore,
  ClockStore,
  createDocumentClient,
  PaymentStore,
  PlanStore,
  SubscriptionStore,
  tableName,
} from '@tally/store';
import {
  billingInvoiceStore,
  DunningExecutionInputSchema,
  SfnDunningStarter,
  WORKFLOW_ENV,
} from '@tally/workflow';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { initialCycle } from '../../../functions/bill-subscription/bill.js';
import { type Business, type DemoOffer, loadOffers } from './catalog.js';
import { type DemoCustomer, demoCustomerIds, generateCustomers } from './customers.js';
import { type ExpectedLedger, injectFaults } from './faults.js';
import { Random } from './random.js';
import { readSavedMails, type SavedRun, saveRun } from './saved-run.js';
import { generateUsage } from './usage.js';

/** Customers of `npm start` by default: about two minutes on a 2-core machine (300 take about three; README). */
export const DEFAULT_CUSTOMERS = 200;

/**
 * Worker threads the demo runs the functions in by default (see `handlerThreads` of startLocalPipeline):
 * one moves their CPU off the thread of the emulators and pollers, onto the core dynalite leaves free.
 */
export const DEFAULT_HANDLER_THREADS = 1;

export interface DemoOptions {
  /** Customers to generate (spread over telecom, utility and IoT). Default `DEFAULT_CUSTOMERS`. */
  readonly customers?: number;
  readonly seed?: number;
  /** dynalite folder; memory when absent. */
  readonly dataDir?: string;
  /** Wipe `dataDir` first. */
  readonly fresh?: boolean;
  /** The month of usage, YYYY-MM. Default 2026-01. */
  readonly month?: string;
  /** Progress lines (phases, counters). */
  readonly log?: (line: string) => void;
  /** Called with the running pipeline before it is stopped, or kept running. */
  readonly keepRunning?: boolean;
  readonly busLogFile?: string;
  /** Worker threads for the functions; 0 runs them on the main thread. Default `DEFAULT_HANDLER_THREADS`. */
  readonly handlerThreads?: number;
}

export interface DemoSummary {
  readonly customers: number;
  readonly expected: Omit<ExpectedLedger, 'billable'>;
  readonly ingest: { inputs: number; stored: number; duplicate: number; quarantined: Record<string, number> };
  readonly invoices: {
    readonly count: number;
    readonly byStatus: Record<string, number>;
    /** Σ invoice totals per currency, decimal strings. */
    readonly totalByCurrency: Record<string, string>;
    readonly adjustments: number;
    /** Every issued invoice number, sorted. */
    readonly numbers: readonly string[];
  };
  readonly emails: { readonly sent: number; readonly byKind: Record<string, number> };
  readonly payments: { readonly sent: number; readonly accepted: number };
  readonly dunning: { readonly suspended: number; readonly restored: number; readonly events: number };
  readonly sesPage: string;
  readonly seconds: number;
  /** Wall seconds of each phase of the run, in order (see {@link PHASES}). */
  readonly phases: Partial<Record<Phase, number>>;
  /** Worker threads the functions ran in (0: the main thread). */
  readonly handlerThreads: number;
}

/** The phases of a run, in order, as the progress output and `DemoSummary.phases` name them. */
export const PHASES = [
  'stack',
  'catalog',
  'generate',
  'month',
  'close',
  'late',
  'dunning',
  'summary',
] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Wall time per phase: `next(phase)` ends the running phase (returning its seconds) and starts another. A
 * phase entered twice adds up.
 */
class PhaseTimer {
  readonly #ms: Partial<Record<Phase, number>> = {};
  #phase: Phase | undefined;
  #since = performance.now();

  next(phase: Phase | undefined): number {
    const now = performance.now();
    const took = now - this.#since;
    if (this.#phase) this.#ms[this.#phase] = (this.#ms[this.#phase] ?? 0) + took;
    this.#phase = phase;
    this.#since = now;
    return took / 1000;
  }

  /** Seconds per phase, to a tenth. */
  get seconds(): Partial<Record<Phase, number>> {
    return Object.fromEntries(
      Object.entries(this.#ms).map(([p, ms]) => [p, Math.round(ms / 100) / 10]),
    ) as Partial<Record<Phase, number>>;
  }
}

const pad = (n: number, w = 6) => String(n).padStart(w);

/**
 * The whole demo: a month of usage for `customers` customers through SQS into the local stack, period
 * close, invoices emailed, payments (on time, late, partial, never) and dunning to suspension and
 * restore. Returns the figures the summary prints; the pipeline keeps running when `keepRunning`.
 */
export async function runDemo(
  options: DemoOptions = {},
): Promise<{ summary: DemoSummary; pipeline: LocalPipeline }> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const phases = new PhaseTimer();
  phases.next('stack');
  const month = options.month ?? '2026-01';
  const random = new Random(options.seed ?? 2026);
  if (options.fresh && options.dataDir) rmSync(options.dataDir, { recursive: true, force: true });

  const threads = options.handlerThreads ?? DEFAULT_HANDLER_THREADS;
  log(
    'starting the local stack (DynamoDB, SQS, SES, Step Functions, EventBridge on 127.0.0.1), the functions ' +
      (threads > 0 ? `in ${threads} worker thread${threads > 1 ? 's' : ''}…` : 'on the main thread…'),
  );
  const monthStart = new Date(`${month}-01T00:00:00Z`);
  const clockStart = new Date(monthStart.getTime() - 36 * 3_600_000).toISOString();
  const pipeline = await startLocalPipeline({
    clockStart,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.busLogFile ? { busLogFile: options.busLogFile } : {}),
    logLevel: 'ERROR',
    handlerThreads: threads,
  });
  try {
    phases.next('generate');
    const offers = loadOffers();
    const customers = generateCustomers(offers, {
      count: options.customers ?? DEFAULT_CUSTOMERS,
      month,
      random,
    });
    phases.next('catalog');
    log(`loading the catalog: 3 issuers, 3 plans, ${customers.length} customers and their subscriptions…`);
    await seedCatalog(offers, customers);
    const payers = new Payers(pipeline, customers);

    phases.next('generate');
    // Producers send in time order (the fault injection then reorders some of it).
    // (Each time parsed once: parsing in the comparator was 1.3 s of sorting 180,000 events.)
    const clean = customers
      .flatMap((c) => generateUsage(c, { month, random }))
      .map((e) => ({ e, at: Date.parse(e.time) }))
      .sort((a, b) => a.at - b.at)
      .map(({ e }) => e);
    const traffic = injectFaults(clean, { random });
    const { billable: _billable, ...expected } = traffic.expected;
    log(
      `sending ${traffic.onTime.length} SQS messages through the month (${expected.inputs} inputs: ` +
        `${clean.length} events, ${expected.duplicates} duplicates, ${expected.quarantined.conflict} conflicts, ` +
        `${expected.quarantined.malformed} malformed; ${traffic.late.length} late batches held back)…`,
    );
    // Each message goes out once the clock has passed its newest event, as a live producer would send it;
    // close-periods fires every hour on the way.
    const schedule = scheduleByTime(traffic.onTime);
    phases.next('month');
    const monthEnd = addMonth(monthStart);
    const lastEvent = schedule.at(-1)?.at ?? monthEnd.getTime();
    let next = 0;
    let sentMessages = 0;
    let lastDay = '';
    // A day at a time through the month (each step settles the whole pipeline, so fewer steps are faster:
    // 100 customers 119 → 111 s with 6-hour steps before, same summary), hourly around the month end, where
    // periods close and drafts wait their grace.
    const stepAt = (t: number) => (t >= monthEnd.getTime() - 2 * 86_400_000 ? 3_600_000 : 24 * 3_600_000);
    for (let t = monthStart.getTime(); next < schedule.length; t += stepAt(t)) {
      await pipeline.advanceTo(new Date(Math.min(t, lastEvent + 60_000)).toISOString(), stepAt(t));
      const now = pipeline.clock.now().getTime();
      const due: string[] = [];
      while (next < schedule.length && schedule[next]!.at <= now) due.push(schedule[next++]!.body);
      await pipeline.sendUsage(due);
      sentMessages += due.length;
      await pipeline.settle();
      await payers.payDue();
      const day = pipeline.clock.now().toISOString().slice(0, 10);
      if (day.endsWith('1') && day !== lastDay) {
        lastDay = day;
        log(
          `  ${day}: sent ${pad(sentMessages)} / ${traffic.onTime.length} messages · ingested ${pad(pipeline.ingest.inputs)} inputs`,
        );
      }
    }
    log(
      `  ingested ${pipeline.ingest.inputs} inputs: ${pipeline.ingest.stored} stored, ` +
        `${pipeline.ingest.duplicate} duplicates, ${sumValues(pipeline.ingest.quarantined)} quarantined`,
    );

    log(`  (${phases.next('close').toFixed(1)} s)`);
    log('closing the period: the clock moves hour by hour past the month end and the draft grace…');
    await pipeline.advanceTo(new Date(monthEnd.getTime() + 2 * 86_400_000).toISOString(), 3_600_000, () =>
      payers.payDue(),
    );
    log(`  ${await countInvoices(pipeline, customers)} invoices finalized and queued for email`);

    log(`  (${phases.next('late').toFixed(1)} s)`);
    log(`late usage: ${traffic.late.length} batches of events from ${month} arrive now…`);
    await pipeline.sendUsage(traffic.late);
    await pipeline.settle();

    log(`  (${phases.next('dunning').toFixed(1)} s)`);
    log('payments and dunning: the clock moves day by day for two months…');
    const until = addMonth(addMonth(monthEnd)).getTime();
    for (let day = pipeline.clock.now().getTime() + 86_400_000; day <= until; day += 86_400_000) {
      await pipeline.advanceTo(new Date(day).toISOString(), 86_400_000);
      await payers.payDue();
      const today = new Date(day);
      if (today.getUTCDate() === 1 || day + 86_400_000 > until) {
        log(
          `  ${today.toISOString().slice(0, 10)}: ${payers.accepted} payments recorded · ` +
            `${pipeline.dunning.bus.events.length} provisioning events`,
        );
      }
    }
    const payments = { sent: payers.sent, accepted: payers.accepted };
    log(`  (${phases.next('summary').toFixed(1)} s)`);

    const summary = await summarize(pipeline, customers, expected, payments, started);
    phases.next(undefined);
    const seconds = phases.seconds;
    log(
      `time by phase (s): ${PHASES.map((p) => `${p} ${seconds[p] ?? 0}`).join(' · ')}\n` +
        `time by function (s, summed over concurrent calls): ${Object.entries(pipeline.timings)
          .sort(([, a], [, b]) => b.ms - a.ms)
          .map(([name, t]) => `${name} ${(t.ms / 1000).toFixed(1)} (${t.calls})`)
          .join(' · ')}`,
    );
    const executions: Record<string, number> = {};
    const all = [...pipeline.dunning.sfn.executions.values()];
    for (const e of all) executions[e.status] = (executions[e.status] ?? 0) + 1;
    const failed = all.find((e) => e.status === 'FAILED');
    log(
      `dunning executions: ${Object.entries(executions)
        .map(([status, n]) => `${status.toLowerCase()} ${n}`)
        .join(
          ', ',
        )}${failed ? ` (first failure, ${failed.name}: ${failed.error}: ${failed.cause})` : ''} · ` +
        `function warnings and errors: ${pipeline.logs.length}`,
    );
    return { summary: { ...summary, phases: seconds, handlerThreads: threads }, pipeline };
  } finally {
    if (!options.keepRunning) await pipeline.stop();
  }
}

/** A finished run's data folder, reopened (see {@link reopenDemo}). */
export interface ReopenedDemo {
  readonly pipeline: LocalPipeline;
  /**
   * The saved run's summary, with the invoices and mails counted again from the reopened stack (DynamoDB's
   * files and the restored mails) and the new SES page.
   */
  readonly summary: DemoSummary;
  /** Dunning executions started again: they were waiting on the clock when the run was saved. */
  readonly dunningRestarted: number;
}

/**
 * Reopens a finished run (saved-run.ts): DynamoDB from its folder, the test clock at its saved time, the
 * saved mails back in the SES emulator, and the dunning executions that were waiting on the clock started
 * again with their names and inputs. Each starts with Decide, which reads where its account stands (the
 * reminders sent, the payments in), so it goes on where the saved one was: what was done is not done twice.
 */
export async function reopenDemo(options: {
  readonly dataDir: string;
  readonly run: SavedRun;
  readonly handlerThreads?: number;
  readonly busLogFile?: string;
}): Promise<ReopenedDemo> {
  const { run, dataDir } = options;
  const mails = readSavedMails(dataDir, run);
  const pipeline = await startLocalPipeline({
    clockStart: run.clock,
    dataDir,
    ...(options.busLogFile ? { busLogFile: options.busLogFile } : {}),
    logLevel: 'ERROR',
    handlerThreads: options.handlerThreads ?? DEFAULT_HANDLER_THREADS,
  });
  try {
    sesMailbox.restore(mails);
    const starter = new SfnDunningStarter({
      stateMachineArn: pipeline.env[WORKFLOW_ENV.dunningStateMachineArn]!,
    });
    for (const e of run.dunning) {
      const { invoiceId, ...opts } = DunningExecutionInputSchema.parse(JSON.parse(e.input));
      await starter.startDunning(invoiceId, opts);
    }
    await pipeline.settle();
    const saved = run.summary as unknown as DemoSummary;
    const summary: DemoSummary = {
      ...saved,
      ...(await storedFigures(demoCustomerIds(saved.customers))),
      sesPage: `${pipeline.stack.endpoints.ses}/`,
    };
    return { pipeline, summary, dunningRestarted: run.dunning.length };
  } catch (err) {
    await pipeline.stop();
    throw err;
  }
}

/**
 * Saves what a reopen needs besides DynamoDB's files (saved-run.ts): the mails, the dunning executions
 * waiting on the clock, the clock, and the summary.
 */
export function saveDemo(
  pipeline: LocalPipeline,
  run: { dataDir: string; seed: number; finishedAt: string; summary: DemoSummary },
): void {
  const dunning = [...pipeline.dunning.sfn.executions.values()]
    .filter((e) => e.status === 'RUNNING')
    .map((e) => ({ name: e.name, input: e.input }));
  saveRun(
    run.dataDir,
    {
      customers: run.summary.customers,
      seed: run.seed,
      finishedAt: run.finishedAt,
      savedAt: new Date().toISOString(),
      clock: pipeline.clock.now().toISOString(),
      summary: run.summary as unknown as Record<string, unknown>,
      dunning,
    },
    sesMailbox.list(),
  );
}

/**
 * Lets `tally clock advance 31d` (or `clock set`) drive a running pipeline: stores the pipeline's time in
 * the billing table (the clock the CLI moves) and, every `intervalMs`, walks the pipeline to the stored time
 * whenever it is ahead, in steps of `stepMs` (default 6 hours) settling after each (`advanceTo`), so periods
 * close, billing jobs run and dunning timers fire on the way. Returns a function that stops following.
 *
 * @example
 * const stop = await followStoredClock(pipeline); // then, in another shell: npm run tally -- clock advance 31d
 */
export async function followStoredClock(
  pipeline: Pick<LocalPipeline, 'clock' | 'env' | 'advanceTo'>,
  options: { intervalMs?: number; stepMs?: number; onStep?: (now: Date) => unknown } = {},
): Promise<() => void> {
  const store = new ClockStore({
    client: createDocumentClient({ endpoint: pipeline.env.AWS_ENDPOINT_URL_DYNAMODB }),
    tableName: tableName(billingTable, pipeline.env),
  });
  const now = pipeline.clock.now();
  // A clock stored by an earlier run of the same data folder may be behind: the CLI must start from ours.
  if ((await store.init(now)).getTime() < now.getTime()) await store.set(now);
  return store.follow(
    {
      now: () => pipeline.clock.now(),
      set: async (to) => {
        await pipeline.advanceTo(to.toISOString(), options.stepMs ?? 6 * 3_600_000, options.onStep);
        return pipeline.clock.now();
      },
    },
    options.intervalMs ?? 500,
  );
}

/** Each body with the time it may be sent: its newest event's time (a malformed body goes with the previous one). */
export function scheduleByTime(bodies: readonly string[]): { at: number; body: string }[] {
  let last = 0;
  const out = bodies.map((body) => {
    try {
      const parsed = JSON.parse(body) as unknown;
      const times = (Array.isArray(parsed) ? parsed : [parsed])
        .map((e) => Date.parse((e as { time?: string })?.time ?? ''))
        .filter((t) => !Number.isNaN(t));
      if (times.length > 0) last = Math.max(...times);
    } catch {
      // not JSON: sent beside its neighbour, to be quarantined
    }
    return { at: last, body };
  });
  return out.sort((a, b) => a.at - b.at);
}

function addMonth(d: Date): Date {
  const n = new Date(d);
  n.setUTCMonth(n.getUTCMonth() + 1);
  return n;
}

function sumValues(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

/** The billing-table stores the demo (and the soak) read and seed through. */
export function demoStores() {
  const client = createDocumentClient();
  const table = tableName(billingTable);
  return {
    catalog: new CatalogStore({ doc: client, tableName: table }),
    plans: new PlanStore({ client, tableName: table, parse: (d) => PlanSchema.parse(d) }),
    subscriptions: new SubscriptionStore({ client, tableName: table }),
    invoices: billingInvoiceStore(client, table),
  };
}

/**
 * Stores the offers (issuer, plan, meters) and the customers with their devices and subscriptions, 8 customers
 * at a time. A customer's plan is its business's offer.
 */
export async function seedCatalog(
  offers: Partial<Record<Business, DemoOffer>>,
  customers: readonly DemoCustomer[],
): Promise<void> {
  const s = demoStores();
  for (const offer of Object.values(offers)) {
    await s.invoices.putIssuer(offer.issuer);
    await s.plans.put(offer.plan);
    for (const meter of offer.meters) await s.catalog.putMeter(meter);
  }
  await mapLimit(customers, 8, async (c) => {
    await s.catalog.putCustomer({ ...c.customer, status: 'active' });
    for (const device of c.devices) {
      await s.catalog.putDevice({
        id: device,
        assignments: [{ customerId: c.customer.id, from: c.subscription.start }],
      });
    }
    const plan = offers[c.business as Business]!.plan;
    await s.subscriptions.put(c.subscription as never, initialCycle(c.subscription, c.customer, plan));
  });
}

async function countInvoices(pipeline: LocalPipeline, customers: readonly DemoCustomer[]): Promise<number> {
  void pipeline;
  const s = demoStores();
  const lists = await mapLimit(customers, 8, (c) => s.invoices.listByCustomer(c.customer.id));
  return lists.reduce((n, list) => n + list.filter((i) => i.invoice.status !== 'draft').length, 0);
}

/**
 * Pays customers' invoices as their payer type says, through the signed payment webhook: on time (3 days
 * after issue), late (12 days after the due date, after reminders), after suspension (40 days after it,
 * which lifts the suspension), partial (half, on the due date) or never. Payers pay what the receivables
 * ledger says is open, so a late fee dunning added is paid too. `payDue` runs after every clock step.
 *
 * A customer's invoices are read again only when something may be due: when billing ran since the last read
 * (only bill-subscription finalizes invoices), or when an invoice of the last read falls due today. An
 * invoice's issue and due dates never change once it is finalized, and an open one can only become paid, so
 * on any other day a fresh read would find nothing due either: the payments are the same as reading every
 * customer every day, without a query and a parse of every invoice per customer and day.
 */
class Payers {
  readonly #pipeline: LocalPipeline;
  readonly #customers: readonly DemoCustomer[];
  readonly #invoices = demoStores().invoices;
  readonly #accounts = new PaymentStore({
    client: createDocumentClient(),
    tableName: tableName(billingTable),
    parseAccount: AccountSchema.parse,
  });
  readonly #paid = new Set<string>();
  /** Each customer's open invoices as last read. */
  readonly #open = new Map<string, Invoice[]>();
  /** bill-subscription invocations when the customers were last read. */
  #billingRuns = -1;
  #lastDay = '';
  sent = 0;
  accepted = 0;

  constructor(pipeline: LocalPipeline, customers: readonly DemoCustomer[]) {
    this.#pipeline = pipeline;
    this.#customers = customers.filter((c) => c.payer !== 'never');
  }

  /** Sends the payments due by the clock's day (once a day), then lets the pipeline settle. */
  async payDue(): Promise<void> {
    const now = this.#pipeline.clock.now();
    const today = now.toISOString().slice(0, 10);
    if (today === this.#lastDay) return;
    this.#lastDay = today;
    const secret = process.env.TALLY_WEBHOOK_SECRET!;
    const billingRuns = this.#pipeline.timings['bill-subscription']?.calls ?? 0;
    const billed = billingRuns !== this.#billingRuns;
    this.#billingRuns = billingRuns;
    // Read what each customer owes in parallel (8 at a time), then pay in customer order, so payment ids and
    // the order of the webhooks stay the same from run to run.
    const owed = await this.#pipeline.timed('payers: reads', () =>
      mapLimit(this.#customers, 8, async (c) => {
        const known = this.#open.get(c.customer.id);
        if (!billed && known && !known.some((i) => this.#dueBy(c, i, today))) return [];
        return this.#owed(c, today);
      }),
    );
    const sentBefore = this.sent;
    for (const [i, c] of this.#customers.entries()) {
      for (const { invoice, amount } of owed[i]!) {
        const paymentId = `pay-${String(this.sent + 1).padStart(6, '0')}`;
        const body = JSON.stringify({
          id: paymentId,
          type: 'payment.succeeded',
          data: {
            id: paymentId,
            amount: amount.toFixed(),
            currency: invoice.currency,
            receivedAt: now.toISOString(),
            customerId: c.customer.id,
            invoiceId: invoice.id,
            reference: invoice.number ?? invoice.id,
          },
        });
        this.sent++;
        const res = await this.#pipeline.webhook(webhookEvent(body, signWebhook(body, secret, now)));
        if (res.statusCode === 200) this.accepted++;
      }
    }
    // Reads alone change nothing: only payments give the pipeline work.
    if (this.sent > sentBefore) await this.#pipeline.settle();
  }

  /** Whether the payer pays `invoice` (open and not yet paid by us) on or before `today`. */
  #dueBy(c: DemoCustomer, invoice: Invoice, today: string): boolean {
    if (this.#paid.has(invoice.id)) return false;
    const payOn = {
      'on-time': shiftDate(invoice.issueDate!, 3),
      late: shiftDate(invoice.dueDate!, 12),
      'after-suspension': shiftDate(invoice.dueDate!, 40),
      partial: invoice.dueDate!,
      never: '9999-12-31',
    }[c.payer];
    return payOn <= today;
  }

  /** The payments a customer makes today: which invoices, how much (what the ledger says is open). */
  async #owed(c: DemoCustomer, today: string): Promise<{ invoice: Invoice; amount: Decimal }[]> {
    const open = (await this.#invoices.listByCustomer(c.customer.id))
      .map((x) => x.invoice)
      .filter((i) => i.status === 'finalized' && i.issueDate && i.dueDate && !this.#paid.has(i.id));
    this.#open.set(c.customer.id, open);
    const due = open.filter((invoice) => this.#dueBy(c, invoice, today));
    const payments: { invoice: Invoice; amount: Decimal }[] = [];
    // A customer paying after suspension settles the whole account at once, so the suspension lifts.
    for (const invoice of c.payer === 'after-suspension' && due.length > 0 ? open : due) {
      const ledger = (await this.#accounts.getAccount(c.customer.id))?.invoices[invoice.id];
      if (!ledger) continue; // not registered with receivables yet: try again tomorrow
      this.#paid.add(invoice.id);
      if (ledger.status === 'paid') continue;
      const rest = new Decimal(ledger.amountDue).plus(ledger.fees).minus(ledger.paid);
      const amount =
        c.payer === 'partial'
          ? rest.div(2).toDecimalPlaces(currencyExponent(invoice.currency), Decimal.ROUND_DOWN)
          : rest;
      if (amount.gt(0)) payments.push({ invoice, amount });
    }
    return payments;
  }
}

/** `fn` over `items`, at most `limit` at a time; results in the order of `items`. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
    }),
  );
  return out;
}

/**
 * The invoice and kind (invoice, reminder, final-notice, …) of a sent mail, read from the delivery id every mail
 * carries (the emulator keeps no custom headers, so it is found in the body): its request id is
 * `<invoice>:<kind>[:n]`. Null for a mail that carries none.
 */
export function deliveryOf(mail: string): { invoiceId: string; kind: string } | null {
  for (const token of mail.match(/[A-Za-z0-9_-]{24,}/g) ?? []) {
    const key = deliveryKeyOf(token);
    if (key) {
      return {
        invoiceId: key.invoiceId,
        kind: key.requestId.slice(key.invoiceId.length + 1).split(':')[0] || 'other',
      };
    }
  }
  return null;
}

function shiftDate(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function webhookEvent(body: string, signature: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/payments/webhook',
    rawPath: '/v1/payments/webhook',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: '/v1/payments/webhook',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'demo',
      },
      requestId: body.slice(7, 40),
      routeKey: 'POST /v1/payments/webhook',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

async function summarize(
  pipeline: LocalPipeline,
  customers: readonly DemoCustomer[],
  expected: Omit<ExpectedLedger, 'billable'>,
  payments: { sent: number; accepted: number },
  started: number,
): Promise<Omit<DemoSummary, 'phases' | 'handlerThreads'>> {
  const events = pipeline.dunning.bus.events;
  return {
    customers: customers.length,
    expected,
    ingest: { ...pipeline.ingest, quarantined: { ...pipeline.ingest.quarantined } },
    ...(await storedFigures(customers.map((c) => c.customer.id))),
    payments,
    dunning: {
      events: events.length,
      suspended: events.filter((e) => e.detailType === 'tally.account.suspended').length,
      restored: events.filter((e) => e.detailType === 'tally.account.restored').length,
    },
    sesPage: `${pipeline.stack.endpoints.ses}/`,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/** The summary's figures that the stack holds: the invoices in DynamoDB and the mails in the SES emulator. */
export async function storedFigures(
  customerIds: readonly string[],
): Promise<Pick<DemoSummary, 'invoices' | 'emails'>> {
  const s = demoStores();
  const byStatus: Record<string, number> = {};
  const totals: Record<string, Decimal> = {};
  let count = 0;
  let adjustments = 0;
  const numbers: string[] = [];
  // Read 8 customers at a time; summed in customer order all the same.
  const lists = await mapLimit(customerIds, 8, (id) => s.invoices.listByCustomer(id));
  for (const list of lists) {
    for (const { invoice } of list) {
      if (invoice.status === 'draft') continue;
      count++;
      byStatus[invoice.status] = (byStatus[invoice.status] ?? 0) + 1;
      totals[invoice.currency] = (totals[invoice.currency] ?? new Decimal(0)).plus(invoice.totals.total);
      adjustments += invoice.lines.filter((l) => l.kind === 'adjustment').length;
      if (invoice.number) numbers.push(invoice.number);
    }
  }
  // The emulator's own store (this process's), as its page lists it: no 35 MB of JSON through HTTP.
  const mails = sesMailbox.list();
  const bySubjectKind: Record<string, number> = {};
  for (const e of mails) {
    const kind = deliveryOf(JSON.stringify(e))?.kind ?? 'other';
    bySubjectKind[kind] = (bySubjectKind[kind] ?? 0) + 1;
  }
  return {
    invoices: {
      count,
      byStatus,
      totalByCurrency: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, formatMinor(v, k)])),
      adjustments,
      numbers: numbers.sort(),
    },
    emails: { sent: mails.length, byKind: bySubjectKind },
  };
}
