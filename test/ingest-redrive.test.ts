import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { UsageWriter } from '@tally/ingest';
import { SqsSender } from '@tally/queue';
import { afterAll, describe, expect, it } from 'vitest';
import { makeHandler } from '../functions/ingest/handler.js';
import { lambdaContext, SqsEventSource } from '../packages/local-stack/src/index.js';
import { call, ingestWorld, sqsEvent } from './ingest-fixtures.js';

// A message whose batch writes part of its events and then crashes, five times over, lands in the usage queue's
// dead-letter queue (maxReceiveCount 5). Redriven (as StartMessageMoveTask does: same body and attributes, a
// new message id), it must find the events it wrote itself and count them as stored, not as duplicates.

const sources: SqsEventSource[] = [];
afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
});

type World = Awaited<ReturnType<typeof ingestWorld>>;

/** The usage store, except that while `crashing` it writes only the first event of each call and then throws. */
function partialThenCrash(usage: UsageWriter): UsageWriter & { crashing: boolean; crashes: number } {
  const writer = {
    crashing: true,
    crashes: 0,
    putEvents: async (items: Parameters<UsageWriter['putEvents']>[0]) => {
      if (!writer.crashing) return usage.putEvents(items);
      await usage.putEvents(items.slice(0, 1));
      writer.crashes++;
      throw new Error('simulated crash after a partial write');
    },
  };
  return writer;
}

function connect(w: World, handler: ReturnType<typeof makeHandler>): SqsEventSource {
  const s = new SqsEventSource(w.clients.sqs, {
    functionName: 'ingest',
    queueUrl: w.queue.url,
    queueArn: w.queue.arn,
    handler: handler as never,
    batchSize: 100,
    maxBatchingWindowSeconds: 0,
    retryVisibilitySeconds: 0,
  });
  sources.push(s);
  s.start();
  return s;
}

/** Moves every message of the dead-letter queue back to the usage queue, as StartMessageMoveTask does. */
async function redrive(w: World): Promise<Message[]> {
  const dlq = w.resources.queues.UsageQueue!.dlqUrl;
  const moved: Message[] = [];
  for (;;) {
    const got = await w.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
    );
    const messages = got.Messages ?? [];
    if (messages.length === 0) return moved;
    await w.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: w.queue.url,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body!,
          ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
        })),
      }),
    );
    await w.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: dlq,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    moved.push(...messages);
  }
}

async function usageItems(w: World): Promise<number> {
  const res = await w.doc.send(new ScanCommand({ TableName: w.resources.tables.Usage! }));
  return (res.Items ?? []).filter((i) => String(i.pk).startsWith('U#')).length;
}

/** One message of three events through five partial crashes, the dead-letter queue and a redrive. */
async function crashDeadLetterRedrive(label: string, send: (w: World, body: string) => Promise<void>) {
  const w = await ingestWorld(label);
  const usage = partialThenCrash(w.deps.ports.usage);
  const s = connect(w, makeHandler({ ...w.deps, ports: { ...w.deps.ports, usage } }));
  await send(w, JSON.stringify([call(`${label}-1`), call(`${label}-2`), call(`${label}-3`)]));
  await s.drained({ timeoutMs: 20_000 });
  const crashes = usage.crashes;
  usage.crashing = false;
  const moved = await redrive(w);
  await s.drained({ timeoutMs: 20_000 });
  const settled = w.results.at(-1)!;
  return { w, crashes, moved, settled };
}

describe('ingest after a dead-letter redrive', () => {
  it('counts the events a message wrote before it was dead-lettered as stored after its redrive', async () => {
    const { w, crashes, moved, settled } = await crashDeadLetterRedrive('ing-redrive', async (w, body) => {
      // A producer of tally's: SqsSender stamps the send id.
      await new SqsSender({ queueUrl: w.queue.url, client: w.clients.sqs }).send([body]);
    });
    expect(crashes).toBe(5); // maxReceiveCount 5, then the dead-letter queue
    expect(moved).toHaveLength(1);
    // The redriven message has a new id; its events are still its own: 3 inputs, 3 stored, 3 items.
    expect(settled.units.map((u) => u.messageId)).not.toContain(moved[0]!.MessageId);
    expect(settled.units.map((u) => u.outcome)).toEqual(['stored', 'stored', 'stored']);
    expect(w.total).toEqual({ units: 3, stored: 3, duplicate: 0, quarantined: {} });
    expect(await usageItems(w)).toBe(3);
  });

  it('falls back to the message id for a message without a send id (its own earlier write counts as a duplicate)', async () => {
    const { w, moved } = await crashDeadLetterRedrive('ing-redrive-bare', async (w, body) => {
      await w.send([body]); // a producer that does not stamp (the IoT rule)
    });
    expect(moved).toHaveLength(1);
    // 3 inputs = 2 stored + 1 duplicate (the first event, written before the crash under the old message id)
    expect(w.total).toEqual({ units: 3, stored: 2, duplicate: 1, quarantined: {} });
    expect(await usageItems(w)).toBe(3);
  });

  it('ingests a message with a malformed send id under its message id, and says so in the log', async () => {
    const w = await ingestWorld('ing-sendid-bad');
    const warnings: { message: string; extra: Record<string, unknown> }[] = [];
    const logger = {
      warn: (message: string, extra: Record<string, unknown>) => warnings.push({ message, extra }),
    } as unknown as Logger;
    const handler = makeHandler({ ...w.deps, logger });
    const event = sqsEvent([JSON.stringify(call('bad-id-1'))], 'bad');
    const record = event.Records[0]!;
    record.messageAttributes = { 'tally-send-id': { dataType: 'Number', stringValue: '42' } };
    const res = await handler(event, lambdaContext('ingest'));
    expect(res).toEqual({ batchItemFailures: [] });
    expect(w.total).toEqual({ units: 1, stored: 1, duplicate: 0, quarantined: {} });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe('malformed send id: the message id is its origin');
    expect(warnings[0]!.extra.messageId).toBe(record.messageId);
    expect(String(warnings[0]!.extra.problem)).toMatch(/tally-send-id/);
  });
});
