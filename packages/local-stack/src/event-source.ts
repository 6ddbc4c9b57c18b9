import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsEventSourceOptions {
  readonly functionName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  /** Records per invocation, as the event source mapping's BatchSize. */
  readonly batchSize: number;
  /** Seconds to wait for a batch to fill, as MaximumBatchingWindowInSeconds. */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent pollers, as the mapping's maximum concurrency. Default 1. */
  readonly concurrency?: number;
  /**
   * Local speed-up: a failed record is made visible again after this many seconds instead of the queue's
   * full visibility timeout. It still comes back with its receive count raised, and is still redriven to the
   * DLQ after maxReceiveCount, exactly as in AWS; only the wait is shorter. Default: the queue's own timeout.
   */
  readonly retryVisibilitySeconds?: number;
  /** Called when an invocation throws (the whole batch is retried). */
  readonly onError?: (error: unknown) => void;
}

export interface EventSourceStats {
  invocations: number;
  records: number;
  failedRecords: number;
  failedInvocations: number;
}

/**
 * Lambda's SQS event source mapping, run locally: polls the queue, hands batches to the handler as a
 * real `SQSEvent`, deletes the records that succeeded, and leaves the rest to come back after their
 * visibility timeout (`ReportBatchItemFailures` semantics:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html). A handler that throws
 * fails the whole batch. Redrive to the DLQ is the queue's own (fauxqs implements RedrivePolicy).
 */
export class SqsEventSource {
  readonly stats: EventSourceStats = { invocations: 0, records: 0, failedRecords: 0, failedInvocations: 0 };
  #running = false;
  #loops: Promise<void>[] = [];
  #inFlight = 0;
  readonly #abort = new AbortController();

  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SqsEventSourceOptions,
  ) {
    if (options.batchSize < 1 || options.batchSize > 10_000) {
      throw new RangeError(`${options.functionName}: batchSize ${options.batchSize} is outside 1..10000`);
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const n = this.options.concurrency ?? 1;
    for (let i = 0; i < n; i++) this.#loops.push(this.#loop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#abort.abort();
    await Promise.allSettled(this.#loops);
    this.#loops = [];
  }

  /** Resolves when the queue holds no visible or in-flight message and no invocation runs. */
  async drained(options: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      if (this.#inFlight === 0) {
        const attrs = await this.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: this.options.queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const visible = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
        const hidden = Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
        if (visible === 0 && hidden === 0 && this.#inFlight === 0) return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.options.functionName}: queue not drained within ${options.timeoutMs ?? 60_000} ms`,
        );
      }
      await sleep(options.pollMs ?? 10);
    }
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      try {
        const batch = await this.#collect();
        if (batch.length > 0) await this.#invoke(batch);
      } catch (err) {
        if (!this.#running) return;
        this.options.onError?.(err);
        await sleep(200);
      }
    }
  }

  async #collect(): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds, queueUrl } = this.options;
    const batch: Message[] = [];
    const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && this.#running) {
      const remaining = windowEnds - Date.now();
      const first = batch.length === 0;
      if (!first && remaining <= 0 && maxBatchingWindowSeconds > 0) break;
      const res = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
          // Long-poll for the first message, then keep filling until the batching window closes, as the
          // event source mapping does (it invokes on a full batch or a closed window, whichever is first).
          // Without a window (nothing remains of it), the rest of the batch is what the queue holds now.
          WaitTimeSeconds: first ? 1 : Math.max(0, Math.min(20, Math.ceil(remaining / 1000))),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: this.#abort.signal },
      );
      const got = res.Messages ?? [];
      batch.push(...got);
      if (batch.length === 0) return batch;
      // No window: take what is there, up to the batch size; a short answer means the queue is empty.
      if (maxBatchingWindowSeconds === 0 && got.length < 10) break;
    }
    return batch;
  }

  async #invoke(messages: Message[]): Promise<void> {
    const { functionName, queueArn, queueUrl, handler } = this.options;
    const event: SQSEvent = { Records: messages.map((m) => toRecord(m, queueArn)) };
    this.#inFlight++;
    let failedIds: Set<string>;
    try {
      this.stats.invocations++;
      this.stats.records += messages.length;
      const res = await handler(event, lambdaContext(functionName));
      const failures = res?.batchItemFailures ?? [];
      const known = new Set(messages.map((m) => m.MessageId!));
      // As in AWS: an identifier that names no record of the batch fails the whole batch.
      failedIds = failures.every((f) => known.has(f.itemIdentifier))
        ? new Set(failures.map((f) => f.itemIdentifier))
        : known;
    } catch (err) {
      this.stats.failedInvocations++;
      this.options.onError?.(err);
      failedIds = new Set(messages.map((m) => m.MessageId!));
    } finally {
      this.#inFlight--;
    }
    this.stats.failedRecords += failedIds.size;
    const done = messages.filter((m) => !failedIds.has(m.MessageId!));
    const failed = messages.filter((m) => failedIds.has(m.MessageId!));
    this.#inFlight++;
    try {
      for (const chunk of chunks(done, 10)) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
      if (this.options.retryVisibilitySeconds !== undefined) {
        for (const chunk of chunks(failed, 10)) {
          await this.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((m, i) => ({
                Id: String(i),
                ReceiptHandle: m.ReceiptHandle!,
                VisibilityTimeout: this.options.retryVisibilitySeconds!,
              })),
            }),
          );
        }
      }
    } finally {
      this.#inFlight--;
    }
  }
}

function toRecord(m: Message, queueArn: string): SQSRecord {
  const a = m.Attributes ?? {};
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
      SentTimestamp: a.SentTimestamp ?? String(Date.now()),
      SenderId: a.SenderId ?? '000000000000',
      ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
      ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
      ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        {
          dataType: v.DataType ?? 'String',
          ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
