import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { CustomerSchema } from '@tally/billing';
import { MeterSchema } from '@tally/metering';
import { startLocalPipeline } from '@tally/pipeline';
import { billingTable, usageQueue, usageTable } from '@tally/resources';
import { CatalogStore, createDocumentClient, tableName, UsageStore } from '@tally/store';
import { type BenchRow, benchScale } from './types.js';

// The whole ingest path on the local stack (startLocalPipeline: fauxqs, the SQS event source, the real ingest
// handler, dynalite): a steady 1,000 events/s for 10 s (× BENCH_SCALE), 10 events a message, 10 messages a
// SendMessageBatch every 100 ms. Measures end-to-end latency from SendMessageBatch to the event being
// queryable in the usage store (p50, p99), and SQS requests per event counted by a middleware on the SQS
// client, beside a plain SQS loop in the same run (send 10, receive 10, delete 10) as the baseline.
// Loopback only; every loop is bounded and stops by itself.
const RATE = 1_000;
const PER_MESSAGE = 10;
const TICK_MS = 100;
const CLOCK = '2026-01-20T00:00:00.000Z';
const BASE = Date.parse('2026-01-19T00:00:00.000Z');
const CUSTOMER = 'cust-bench-latency';

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function body(from: number, count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, k) => ({
      specversion: '1.0',
      id: `lat-${from + k}`,
      source: 'urn:bench:switch',
      type: 'tally.call.completed',
      subject: CUSTOMER,
      time: new Date(BASE + from + k).toISOString(),
      data: { durationSeconds: 60 + ((from + k) % 600), destination: '4930123456' },
    })),
  );
}

export async function run(): Promise<BenchRow[]> {
  const seconds = Math.max(1, Math.round(10 * benchScale()));
  const total = RATE * seconds;
  const pipeline = await startLocalPipeline({ clockStart: CLOCK });
  try {
    const sqs = pipeline.stack.clients.sqs;
    const usageUrl = pipeline.stack.resources.queues[usageQueue.id]!.url;
    const counted = { url: usageUrl, requests: 0, emptyReceives: 0 };
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { QueueUrl?: string };
        const result = await next(args);
        if (input.QueueUrl === counted.url) {
          const out = result.output as { Messages?: unknown[] };
          if (context.commandName === 'ReceiveMessageCommand' && !out.Messages?.length)
            counted.emptyReceives++;
          else counted.requests++;
        }
        return result;
      },
      { step: 'initialize', name: 'benchSqsCounter' },
    );

    const doc = createDocumentClient();
    const catalog = new CatalogStore({ doc, tableName: tableName(billingTable) });
    await catalog.putMeter(
      MeterSchema.parse({ id: 'bench-calls', eventType: 'tally.call.completed', aggregation: 'count' }),
    );
    await catalog.putCustomer({
      ...CustomerSchema.parse({
        id: CUSTOMER,
        legalName: 'Bench',
        billingEmails: ['bench@example.com'],
        locale: 'en-US',
        timeZone: 'UTC',
        currency: 'USD',
        tax: { mode: 'exclusive', rates: [], rounding: 'per-invoice' },
        issuerId: 'issuer-bench',
        paymentTermsDays: 14,
      }),
      status: 'active',
    });
    const usage = new UsageStore({ doc, tableName: tableName(usageTable) });

    // Producer: a bounded loop of `seconds × 10` ticks.
    const sentAt = new Float64Array(total);
    const seenAt = new Float64Array(total);
    let sent = 0;
    const t0 = performance.now();
    const producer = (async () => {
      for (let tick = 0; sent < total; tick++) {
        const wait = t0 + tick * TICK_MS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const n = Math.min(RATE / (1000 / TICK_MS), total - sent);
        const from = sent;
        const entries = [];
        for (let m = 0; m < n; m += PER_MESSAGE)
          entries.push({ Id: String(m), MessageBody: body(from + m, Math.min(PER_MESSAGE, n - m)) });
        const at = performance.now();
        for (let i = from; i < from + n; i++) sentAt[i] = at;
        sent += n;
        void sqs.send(new SendMessageBatchCommand({ QueueUrl: usageUrl, Entries: entries }));
      }
    })();

    // Poller: queries the time window between the oldest unseen and the newest sent event, every 20 ms,
    // until every event was seen or 60 s after the producer stopped.
    let low = 0;
    let seen = 0;
    const produced = producer.then(() => performance.now());
    let stopAt = Number.POSITIVE_INFINITY;
    void produced.then((t) => {
      stopAt = t + 60_000;
    });
    while (seen < total && performance.now() < stopAt) {
      const high = sent;
      if (high > low) {
        for await (const { event } of usage.queryEvents({
          customerId: CUSTOMER,
          eventType: 'tally.call.completed',
          from: new Date(BASE + low).toISOString(),
          to: new Date(BASE + high).toISOString(),
        })) {
          const i = Number(event.id.slice(4));
          if (seenAt[i] === 0) {
            seenAt[i] = performance.now();
            seen++;
          }
        }
        while (low < high && seenAt[low] !== 0) low++;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await produced;
    await pipeline.settle();
    const latencies = Array.from(seenAt, (t, i) => t - sentAt[i]!)
      .filter((_, i) => seenAt[i] !== 0)
      .sort((a, b) => a - b);
    const pipelineRequests = counted.requests / total;
    const lastSeen = Math.max(...seenAt);
    const throughput = seen / ((lastSeen - t0) / 1000);

    // Baseline: the plain SQS loop over the same message bodies on a queue of its own.
    const plain = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-plain' }))).QueueUrl!;
    counted.url = plain;
    counted.requests = 0;
    const bodies: string[] = [];
    for (let i = 0; i < total; i += PER_MESSAGE) bodies.push(body(i, Math.min(PER_MESSAGE, total - i)));
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: plain,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
        }),
      );
    }
    for (let received = 0, empty = 0; received < bodies.length && empty < 20; ) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: plain, MaxNumberOfMessages: 10 }));
      const messages = got.Messages ?? [];
      if (messages.length === 0) {
        empty++;
        continue;
      }
      received += messages.length;
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: plain,
          Entries: messages.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    const plainRequests = counted.requests / total;

    // What billing reads per event: the period's events through the usage store's query, read units consumed.
    const reader = new UsageStore({ doc, tableName: tableName(usageTable) });
    let read = 0;
    for await (const _ of reader.queryEvents({
      customerId: CUSTOMER,
      eventType: 'tally.call.completed',
      from: new Date(BASE).toISOString(),
      to: new Date(BASE + total).toISOString(),
    }))
      read++;
    const rruPerEvent = reader.stats.readUnits / Math.max(1, read);

    return [
      {
        area: 'pipeline',
        name: `events queryable within 60 s (${total} sent at ${RATE}/s)`,
        value: seen,
        unit: 'events',
      },
      {
        area: 'pipeline',
        name: 'throughput: events queryable per second until the last one',
        value: throughput,
        unit: 'events/s',
      },
      {
        area: 'pipeline',
        name: 'latency SendMessageBatch → queryable, p50',
        value: percentile(latencies, 50),
        unit: 'ms',
      },
      {
        area: 'pipeline',
        name: 'latency SendMessageBatch → queryable, p99',
        value: percentile(latencies, 99),
        unit: 'ms',
      },
      {
        area: 'pipeline',
        name: `SQS requests per event (${PER_MESSAGE} events a message; empty polls excluded)`,
        value: pipelineRequests,
        unit: 'requests',
        baseline: plainRequests,
        ratio: pipelineRequests / plainRequests,
      },
      {
        area: 'pipeline',
        name: 'SQS requests per event, plain send/receive/delete loop',
        value: plainRequests,
        unit: 'requests',
      },
      {
        area: 'pipeline',
        name: 'empty SQS polls of the local event source (per second)',
        value: counted.emptyReceives / seconds,
        unit: 'requests/s',
      },
      {
        area: 'billing',
        name: 'read units per event (period query, eventually consistent)',
        value: rruPerEvent,
        unit: 'RRU',
      },
    ];
  } finally {
    await pipeline.stop();
  }
}
