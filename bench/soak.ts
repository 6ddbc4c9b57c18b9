import { pathToFileURL } from 'node:url';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { assembleInvoice, invoiceIdFor, periodContaining } from '@tally/billing';
import {
  type DemoCustomer,
  deliveryOf,
  demoStores,
  generateCustomers,
  generateUsage,
  injectFaults,
  loadOffer,
  Random,
  scheduleByTime,
  seedCatalog,
} from '@tally/demo';
import { type Meter, toUsageRecord, type UsageEvent, type UsageRecord } from '@tally/metering';
import { Decimal } from '@tally/money';
import { type LocalPipeline, startLocalPipeline } from '@tally/pipeline';
import { metersOf } from '@tally/rating';
import { billingTable } from '@tally/resources';
import { createDocumentClient, tableName } from '@tally/store';

// The chaos soak: a month of electricity usage (the utility plan: fixed fees in arrears, so one invoice per
// customer and period, no opening invoice) for enough customers to make `events` clean events, sent through
// SQS with producer faults (duplicates, conflicting duplicates, reordering, malformed bodies, late events)
// while the pipeline crashes ingest invocations after their writes, throttles DynamoDB and fails SES sends.
// Then the period closes, invoices are finalized and emailed. Every check compares with figures derived here
// from the generated traffic, never with the pipeline's own counters alone.

export const SOAK_FAULTS = { duplicate: 0.05, conflict: 0.02, reorder: 0.1, malformed: 0.01, late: 0.005 };
// Ingest is called ~10x less often since its batches grew (up to 1,000 records): 5 % of calls crashed only ~4 times
// a run, 20 % 17 times (seed 11), in 81 s instead of 65 (crashes after writes are what the accounting must survive).
export const SOAK_CHAOS = { crashAfterWriteRate: 0.2, throttleRate: 0.002, sesFailureRate: 0.1 };
const MONTH = '2026-01';
/** Clean events one utility customer makes in January (31 days × (24 interval + 12 power + 1 read)). */
const EVENTS_PER_CUSTOMER = 31 * 37;

export interface SoakOptions {
  /** Clean events to generate (rounded to whole customers). Default 200,000. */
  readonly events?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
  /** Overrides of {@link SOAK_CHAOS}. */
  readonly chaos?: Partial<typeof SOAK_CHAOS>;
}

export interface SoakCheck {
  readonly name: string;
  readonly pass: boolean;
  readonly detail: string;
}

export interface SoakResult {
  readonly customers: number;
  readonly cleanEvents: number;
  readonly messages: number;
  readonly expected: Accounting;
  readonly ingest: Accounting;
  readonly faults: { crashes: number; throttles: number; sesFailures: number };
  /** Messages moved back from each queue's dead-letter queue after the run (then processed). */
  readonly redriven: Record<string, number>;
  /** Each dead-lettered message and the failures its function logged for it, oldest first (diagnosis). */
  readonly deadLetters: readonly DeadLetter[];
  /** Warnings and errors the functions logged, counted per `<function>: <error name>`. */
  readonly functionFailures: Record<string, number>;
  readonly invoices: number;
  readonly mails: number;
  readonly checks: readonly SoakCheck[];
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface DeadLetter {
  readonly queue: string;
  readonly body: string;
  /** `<test clock> (<wall clock>) <error name>: <message>` per logged failure of the message. */
  readonly failures: readonly string[];
}

interface Accounting {
  inputs: number;
  stored: number;
  duplicate: number;
  quarantined: number;
}

/** What the accounting should say, and the two quarantine reasons the bodies alone determine. */
export interface ExpectedAccounting extends Accounting {
  /** Re-sends of an identity with another payload. */
  conflicts: number;
  /** Bodies that are not JSON. */
  malformedJson: number;
}

/** Inputs, identities, duplicates and quarantines of the traffic, counted from the bodies themselves. */
export function expectedAccounting(bodies: readonly string[]): ExpectedAccounting {
  let inputs = 0;
  let malformedJson = 0;
  let copies = 0;
  const payloads = new Map<string, Set<string>>();
  for (const body of bodies) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      inputs++;
      malformedJson++;
      continue;
    }
    for (const e of parsed as { source?: string; id?: string; subject?: string; time?: string }[]) {
      inputs++;
      if (!e.subject || !e.time) continue; // schema violation: quarantined, not an identity
      copies++;
      const key = `${e.source}\u0000${e.id}`;
      const set = payloads.get(key) ?? new Set<string>();
      set.add(JSON.stringify(e));
      payloads.set(key, set);
    }
  }
  const conflicts = [...payloads.values()].reduce((n, s) => n + s.size - 1, 0);
  return {
    inputs,
    stored: payloads.size,
    duplicate: copies - payloads.size - conflicts,
    quarantined: inputs - copies + conflicts,
    conflicts,
    malformedJson,
  };
}

/** Issuer sequences without gaps: per prefix, the numbers' trailing sequences are exactly 1..n. */
export function numberGaps(numbers: readonly string[]): string[] {
  const byPrefix = new Map<string, number[]>();
  for (const n of numbers) {
    const m = /^(.*?)(\d+)$/.exec(n);
    if (!m) return [`unparseable invoice number ${n}`];
    byPrefix.set(m[1]!, [...(byPrefix.get(m[1]!) ?? []), Number(m[2])]);
  }
  const problems: string[] = [];
  for (const [prefix, seqs] of byPrefix) {
    const sorted = [...seqs].sort((a, b) => a - b);
    sorted.forEach((s, i) => {
      if (s !== i + 1) problems.push(`${prefix}: position ${i + 1} holds ${s}`);
    });
  }
  return problems;
}

export async function runSoak(options: SoakOptions = {}): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const random = new Random(options.seed ?? 11);
  const chaos = new Random((options.seed ?? 11) + 1);
  const sesChaos = new Random((options.seed ?? 11) + 2);
  // Each fault draws from a stream of its own, so which calls fail does not depend on how the calls of the
  // other faults interleave with them (a small run injects the same faults on every machine).
  const crashChaos = new Random((options.seed ?? 11) + 3);
  const throttleChaos = new Random((options.seed ?? 11) + 4);
  const offer = loadOffer('utility');
  const wanted = Math.max(1, Math.ceil((options.events ?? 200_000) / EVENTS_PER_CUSTOMER));
  // generateCustomers cycles telecom, utility, iot: take every utility one.
  const customers = generateCustomers(
    { telecom: offer, utility: offer, iot: offer },
    {
      count: wanted * 3,
      month: MONTH,
      random,
    },
  ).filter((c) => c.business === 'utility');
  const clean = customers
    .flatMap((c) => generateUsage(c, { month: MONTH, random }))
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const traffic = injectFaults(clean, { random, rates: SOAK_FAULTS });
  const expected = expectedAccounting([...traffic.onTime, ...traffic.late]);
  const lateIds = new Set(
    traffic.late.flatMap((b) => (JSON.parse(b) as UsageEvent[]).map((e) => `${e.source}#${e.id}`)),
  );
  log(
    `soak: ${customers.length} customers, ${clean.length} clean events, ${traffic.onTime.length + traffic.late.length} messages, ${expected.inputs} inputs`,
  );

  const monthStart = new Date(`${MONTH}-01T00:00:00Z`);
  const monthEnd = new Date('2026-02-01T00:00:00Z');
  const pipeline = await startLocalPipeline({
    clockStart: new Date(monthStart.getTime() - 36 * 3_600_000).toISOString(),
    faults: {
      ...SOAK_CHAOS,
      ...options.chaos,
      random: () => chaos.next(),
      sesRandom: () => sesChaos.next(),
      crashRandom: () => crashChaos.next(),
      throttleRandom: () => throttleChaos.next(),
    },
    logLevel: 'SILENT',
  });
  try {
    await seedCatalog({ [offer.business]: offer }, customers);

    // Each message goes out once the clock has passed its newest event (as a live producer sends it).
    const schedule = scheduleByTime(traffic.onTime);
    let next = 0;
    const lastEvent = schedule.at(-1)?.at ?? monthEnd.getTime();
    const sendStart = Date.now();
    for (let t = monthStart.getTime(); next < schedule.length; t += 86_400_000) {
      await pipeline.advanceTo(new Date(Math.min(t, lastEvent + 60_000)).toISOString(), 86_400_000);
      const now = pipeline.clock.now().getTime();
      const due: string[] = [];
      while (next < schedule.length && schedule[next]!.at <= now) due.push(schedule[next++]!.body);
      await pipeline.sendUsage(due);
      await pipeline.settle();
      if (new Date(now).getUTCDate() % 10 === 1) {
        log(`  ${new Date(now).toISOString().slice(0, 10)}: ${pipeline.ingest.inputs} inputs ingested`);
      }
    }
    const sendSeconds = (Date.now() - sendStart) / 1000;
    log('closing January: hour by hour past the month end and the draft grace…');
    // Six-hour steps: close-periods fires on each, past the period end and the plan's draft grace (6 h).
    await pipeline.advanceTo(new Date(monthEnd.getTime() + 2 * 86_400_000).toISOString(), 6 * 3_600_000);
    log(`late usage: ${traffic.late.length} messages after the invoices…`);
    const beforeLate = pipeline.ingest.inputs;
    await pipeline.sendUsage(traffic.late);
    await pipeline.settle();
    log(`  late: ${pipeline.ingest.inputs - beforeLate} inputs ingested`);
    // What a Lambda failed five times sits in a dead-letter queue: redrive it as an operator would.
    const letters = await redriveDeadLetters(pipeline);
    const redriven: Record<string, number> = {};
    for (const l of letters) redriven[l.queue] = (redriven[l.queue] ?? 0) + 1;
    const deadLetters = letters.map((l) => ({ ...l, failures: failuresOf(pipeline, l.body) }));
    if (letters.length > 0) {
      log(`  redrove dead letters: ${JSON.stringify(redriven)}`);
      for (const l of deadLetters) log(`    ${l.queue} ${l.body}\n      ${l.failures.join('\n      ')}`);
      await pipeline.settle();
    }

    const checks: SoakCheck[] = [];
    const got = pipeline.ingest;
    const ingest: Accounting = {
      inputs: got.inputs,
      stored: got.stored,
      duplicate: got.duplicate,
      quarantined: Object.values(got.quarantined).reduce((a, b) => a + b, 0),
    };
    for (const k of ['inputs', 'stored', 'duplicate', 'quarantined'] as const) {
      checks.push({
        name: `ingest ${k}`,
        pass: ingest[k] === expected[k],
        detail: `${ingest[k]} (expected ${expected[k]})`,
      });
    }
    checks.push({
      name: 'stored + duplicate + quarantined = inputs',
      pass: ingest.stored + ingest.duplicate + ingest.quarantined === expected.inputs,
      detail: `${ingest.stored} + ${ingest.duplicate} + ${ingest.quarantined} = ${ingest.stored + ingest.duplicate + ingest.quarantined} (inputs ${expected.inputs}; quarantined by reason ${JSON.stringify(got.quarantined)})`,
    });

    // January invoices against a reference assembled here from the clean events that were sent on time.
    const meters: Record<string, Meter> = {
      ...Object.fromEntries(offer.meters.map((m) => [m.id, m])),
      ...metersOf(offer.plan),
    };
    const bySubject = new Map<string, UsageEvent[]>();
    for (const e of clean) {
      if (lateIds.has(`${e.source}#${e.id}`)) continue;
      const list = bySubject.get(e.subject!) ?? [];
      list.push(e);
      bySubject.set(e.subject!, list);
    }
    let mismatches = 0;
    let missing = 0;
    const numbers: string[] = [];
    const invoiceIds = new Set<string>();
    let sum = new Decimal(0);
    const firstMismatches: string[] = [];
    const { invoices } = demoStores();
    for (const c of customers) {
      const period = periodContaining(c.subscription, c.customer, c.subscription.start)!;
      const id = invoiceIdFor(c.subscription.id, period.start, 'period');
      const stored = (await invoices.get(id))?.invoice;
      if (!stored || stored.status === 'draft') {
        missing++;
        continue;
      }
      invoiceIds.add(id);
      if (stored.number) numbers.push(stored.number);
      const reference = referenceTotal(c, offer, meters, period, bySubject.get(c.customer.id) ?? []);
      sum = sum.plus(stored.totals.total);
      if (!new Decimal(stored.totals.total).eq(reference)) {
        mismatches++;
        if (firstMismatches.length < 3)
          firstMismatches.push(`${c.customer.id}: ${stored.totals.total} ≠ ${reference.toFixed()}`);
      }
    }
    checks.push({
      name: 'every January invoice finalized',
      pass: missing === 0,
      detail: `${customers.length - missing} of ${customers.length}`,
    });
    checks.push({
      name: 'invoice totals = independent reference (to the cent)',
      pass: mismatches === 0 && missing === 0,
      detail: `${mismatches} mismatches; Σ ${sum.toFixed(2)} ${offer.plan.currency}${firstMismatches.length ? `; ${firstMismatches.join('; ')}` : ''}`,
    });
    const gaps = numberGaps(numbers);
    checks.push({
      name: 'invoice numbers gap-free per issuer',
      pass: gaps.length === 0 && numbers.length === invoiceIds.size,
      detail: gaps.length ? gaps.slice(0, 3).join('; ') : `${numbers.length} numbers, 1..${numbers.length}`,
    });

    const store = (await (await fetch(`${pipeline.stack.endpoints.ses}/store`)).json()) as {
      emails: unknown[];
    };
    const mailsPerInvoice = new Map<string, number>();
    let otherMails = 0;
    for (const mail of store.emails) {
      const key = deliveryOf(JSON.stringify(mail));
      if (key?.kind === 'invoice')
        mailsPerInvoice.set(key.invoiceId, (mailsPerInvoice.get(key.invoiceId) ?? 0) + 1);
      else otherMails++;
    }
    const notOnce = [...invoiceIds].filter((id) => mailsPerInvoice.get(id) !== 1);
    // For a miss, what the delivery store says about the invoice's send requests (diagnosis).
    const deliveryStates: string[] = [];
    for (const id of notOnce.slice(0, 3)) {
      const got = await createDocumentClient().send(
        new QueryCommand({
          TableName: tableName(billingTable),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `DLV#${id}` },
        }),
      );
      deliveryStates.push(`${id}: ${mailsPerInvoice.get(id) ?? 0} mails, ${JSON.stringify(got.Items ?? [])}`);
    }
    const stray = [...mailsPerInvoice.keys()].filter((id) => !invoiceIds.has(id));
    checks.push({
      name: 'every invoice emailed exactly once',
      pass: notOnce.length === 0 && stray.length === 0,
      detail: `${[...mailsPerInvoice.values()].reduce((a, b) => a + b, 0)} invoice mails for ${invoiceIds.size} invoices; ${notOnce.length} not exactly once, ${stray.length} for unknown invoices, ${otherMails} other mails${deliveryStates.length ? `; ${deliveryStates.join('; ')}` : ''}`,
    });

    const seconds = (Date.now() - started) / 1000;
    return {
      customers: customers.length,
      cleanEvents: clean.length,
      messages: traffic.onTime.length + traffic.late.length,
      expected,
      ingest,
      faults: { ...pipeline.faults },
      redriven,
      deadLetters,
      functionFailures: countFailures(pipeline),
      invoices: invoiceIds.size,
      mails: store.emails.length,
      checks,
      seconds,
      eventsPerSecond: expected.inputs / sendSeconds,
    };
  } finally {
    await pipeline.stop();
  }
}

function referenceTotal(
  c: DemoCustomer,
  offer: ReturnType<typeof loadOffer>,
  meters: Record<string, Meter>,
  period: { start: string; end: string },
  events: readonly UsageEvent[],
): Decimal {
  const from = Date.parse(period.start);
  const to = Date.parse(period.end);
  const usage: Record<string, UsageRecord[]> = {};
  for (const meter of Object.values(meters)) {
    usage[meter.id] = events
      .filter((e) => e.type === meter.eventType && Date.parse(e.time!) >= from && Date.parse(e.time!) < to)
      .map((e) => toUsageRecord(meter, e));
  }
  const invoice = assembleInvoice({
    customer: c.customer,
    issuer: offer.issuer,
    subscription: c.subscription,
    planVersions: [offer.plan],
    meters,
    period,
    usage,
    now: period.end,
  });
  return new Decimal(invoice.totals.total);
}

/** The delivery a sent mail carries (its id is in the body): the invoice and the request's kind. */

async function redriveDeadLetters(pipeline: LocalPipeline): Promise<{ queue: string; body: string }[]> {
  const sqs = pipeline.stack.clients.sqs;
  const moved: { queue: string; body: string }[] = [];
  for (const [id, q] of Object.entries(pipeline.stack.resources.queues)) {
    const dlq = q.url.replace(/([^/]+)$/, '$1-dlq');
    for (;;) {
      const got = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      );
      const messages = got.Messages ?? [];
      if (messages.length === 0) break;
      // As StartMessageMoveTask does: same body and message attributes (the producer's send id), new message id.
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: q.url,
          Entries: messages.map((m, i) => ({
            Id: String(i),
            MessageBody: m.Body ?? '',
            ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
          })),
        }),
      );
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlq,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      moved.push(...messages.map((m) => ({ queue: id, body: m.Body ?? '' })));
    }
  }
  return moved;
}

/** The failures the pipeline's functions logged for a dead-lettered message (matched on the job's fields). */
function failuresOf(pipeline: LocalPipeline, body: string): string[] {
  let job: Record<string, unknown>;
  try {
    job = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return ['(body is not JSON)'];
  }
  const keys = ['subscriptionId', 'periodStart', 'invoiceId', 'requestId'].filter((k) => k in job);
  if (keys.length === 0) return ['(no job fields to match logs on)'];
  const found = pipeline.logs
    .filter((l) => keys.every((k) => l.detail[k] === job[k]))
    .map((l) => `${l.at} (${l.wallAt}) ${l.functionName}: ${l.message}: ${describeError(l.detail.error)}`);
  return found.length > 0 ? found : ['(no failure logged for it)'];
}

function countFailures(pipeline: LocalPipeline): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of pipeline.logs) {
    const e = l.detail.error;
    const key = `${l.functionName}: ${e instanceof Error ? e.name : l.message}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return JSON.stringify(error);
  const cause = error.cause === undefined ? '' : ` (cause: ${describeError(error.cause)})`;
  return `${error.name}: ${error.message}${cause}`;
}

export function printSoak(r: SoakResult, out: (line: string) => void): void {
  out(
    `soak: ${r.customers} customers · ${r.cleanEvents} clean events · ${r.messages} messages · ${r.expected.inputs} inputs · ${r.seconds.toFixed(0)} s (${r.eventsPerSecond.toFixed(0)} inputs/s through the month)`,
  );
  out(
    `faults injected: ${r.faults.crashes} ingest crashes after writes · ${r.faults.throttles} DynamoDB throttles · ${r.faults.sesFailures} SES failures`,
  );
  out(
    `invoices: ${r.invoices} · mails in SES: ${r.mails} · redriven from dead-letter queues: ${JSON.stringify(r.redriven)}`,
  );
  out(`failures the functions logged: ${JSON.stringify(r.functionFailures)}`);
  for (const d of r.deadLetters) out(`dead letter ${d.queue} ${d.body}: ${d.failures.join(' | ')}`);
  for (const c of r.checks) out(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const ses = arg('ses-failure-rate');
  const crash = arg('crash-rate');
  const throttle = arg('throttle-rate');
  const result = await runSoak({
    events: arg('events') ?? 200_000,
    seed: arg('seed') ?? 11,
    chaos: {
      ...(ses === undefined ? {} : { sesFailureRate: ses }),
      ...(crash === undefined ? {} : { crashAfterWriteRate: crash }),
      ...(throttle === undefined ? {} : { throttleRate: throttle }),
    },
    log: (l) => process.stderr.write(`${l}\n`),
  });
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printSoak(result, (l) => process.stdout.write(`${l}\n`));
  process.exit(result.checks.every((c) => c.pass) ? 0 : 1);
}
