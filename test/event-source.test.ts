import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { SqsEventSource } from '../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './support/aws.js';

const { sqs } = localClients();
const sources: SqsEventSource[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

async function queuePair(maxReceiveCount: number) {
  const prefix = uniquePrefix('esm');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}dlq` }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}q`,
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  const arn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes!.QueueArn!;
  return { url: q.QueueUrl!, arn, dlqUrl: dlq.QueueUrl! };
}

async function send(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
      }),
    );
  }
}

function source(
  q: { url: string; arn: string },
  handler: (e: SQSEvent) => Promise<unknown>,
  opts: { batchSize: number; window?: number },
) {
  const s = new SqsEventSource(sqs, {
    functionName: 'test',
    queueUrl: q.url,
    queueArn: q.arn,
    handler: handler as never,
    batchSize: opts.batchSize,
    maxBatchingWindowSeconds: opts.window ?? 0,
    retryVisibilitySeconds: 0,
  });
  sources.push(s);
  return s;
}

describe('local SQS event source mapping', () => {
  it('delivers every message once, in batches no larger than batchSize, as SQSEvent records', async () => {
    const q = await queuePair(3);
    const bodies = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await send(q.url, bodies);
    const batches: SQSEvent[] = [];
    const s = source(
      q,
      async (e) => {
        batches.push(e);
      },
      { batchSize: 10 },
    );
    s.start();
    await s.drained({ timeoutMs: 20_000 });
    const seen = batches.flatMap((b) => b.Records.map((r) => r.body));
    expect(seen.sort()).toEqual([...bodies].sort());
    expect(Math.max(...batches.map((b) => b.Records.length))).toBeLessThanOrEqual(10);
    const r = batches[0]!.Records[0]!;
    expect(r.eventSource).toBe('aws:sqs');
    expect(r.eventSourceARN).toBe(q.arn);
    expect(r.attributes.ApproximateReceiveCount).toBe('1');
    expect(r.receiptHandle).toBeTruthy();
  });

  it('fills one batch across several receives within the batching window', async () => {
    const q = await queuePair(3);
    await send(
      q.url,
      Array.from({ length: 30 }, (_, i) => `w${i}`),
    );
    const sizes: number[] = [];
    const s = source(
      q,
      async (e) => {
        sizes.push(e.Records.length);
      },
      { batchSize: 100, window: 2 },
    );
    s.start();
    await s.drained({ timeoutMs: 20_000 });
    expect(sizes).toEqual([30]);
  });

  it('without a batching window, takes into one batch what the queue holds, up to batchSize', async () => {
    const q = await queuePair(3);
    await send(
      q.url,
      Array.from({ length: 35 }, (_, i) => `n${i}`),
    );
    const sizes: number[] = [];
    const s = source(
      q,
      async (e) => {
        sizes.push(e.Records.length);
      },
      { batchSize: 30 },
    );
    s.start();
    await s.drained({ timeoutMs: 20_000 });
    // 30 (the batch size, over three receives of 10), then the 5 left
    expect(sizes).toEqual([30, 5]);
  });

  it('retries only the records reported in batchItemFailures', async () => {
    const q = await queuePair(5);
    await send(q.url, ['ok-1', 'flaky', 'ok-2']);
    const deliveries: Record<string, number> = {};
    const s = source(
      q,
      async (e) => {
        const failures = [];
        for (const r of e.Records) {
          deliveries[r.body] = (deliveries[r.body] ?? 0) + 1;
          if (r.body === 'flaky' && deliveries[r.body] === 1) failures.push({ itemIdentifier: r.messageId });
        }
        return { batchItemFailures: failures };
      },
      { batchSize: 10 },
    );
    s.start();
    await s.drained({ timeoutMs: 20_000 });
    expect(deliveries).toEqual({ 'ok-1': 1, flaky: 2, 'ok-2': 1 });
  });

  it('retries the whole batch when the handler throws', async () => {
    const q = await queuePair(5);
    await send(q.url, ['a', 'b']);
    let calls = 0;
    const received: string[] = [];
    const s = source(
      q,
      async (e) => {
        calls++;
        received.push(...e.Records.map((r) => r.body));
        if (calls === 1) throw new Error('crash after writing, before the delete');
      },
      { batchSize: 10, window: 1 },
    );
    s.start();
    await s.drained({ timeoutMs: 20_000 });
    expect(received.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(s.stats.failedInvocations).toBe(1);
  });

  it('moves a poison message to the DLQ after maxReceiveCount receives', async () => {
    const q = await queuePair(3);
    await send(q.url, ['good', 'poison']);
    const counts: Record<string, number> = {};
    const s = source(
      q,
      async (e) => ({
        batchItemFailures: e.Records.filter((r) => {
          counts[r.body] = (counts[r.body] ?? 0) + 1;
          return r.body === 'poison';
        }).map((r) => ({ itemIdentifier: r.messageId })),
      }),
      { batchSize: 10 },
    );
    s.start();
    await s.drained({ timeoutMs: 30_000 });
    expect(counts).toEqual({ good: 1, poison: 3 });
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['poison']);
  });
});
