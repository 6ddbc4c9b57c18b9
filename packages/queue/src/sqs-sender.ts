import { randomBytes } from 'node:crypto';
import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DEFAULT_MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, planBatches } from './batches.js';
import { type FailedMessage, QueueConfigurationError, QueueSendError } from './errors.js';

/** The one SQS call the sender makes; an `SQSClient` is one, a test may pass a fake. */
export interface SendMessageBatchClient {
  send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput>;
}

export const SqsSenderOptionsSchema = z.object({
  queueUrl: z.string().min(1),
  /** Requests in flight at once. Default 8. */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** Requests that may carry one message, the first included (the SDK's own retries of a request not counted). Default 5. */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** Backoff before retry n is a random share of min(maxDelayMs, baseDelayMs × 2^(n−1)) ("full jitter"). Default 50. */
  baseDelayMs: z.number().min(0).default(50),
  /** Default 2,000. */
  maxDelayMs: z.number().min(0).default(2_000),
  /**
   * Bytes of bodies and message attributes per request (SQS's limit for one request and for one message).
   * Default 256 KiB ({@link DEFAULT_MAX_BATCH_BYTES}).
   */
  maxBatchBytes: z.number().int().min(1).max(1_048_576).default(DEFAULT_MAX_BATCH_BYTES),
});

export type SqsSenderOptions = z.input<typeof SqsSenderOptionsSchema> & {
  /** Default `createSqsClient()`: the SDK reads the region and AWS_ENDPOINT_URL_SQS from the environment. */
  readonly client?: SendMessageBatchClient;
  /** Waits between retries. Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform [0, 1) source of the jitter. Default Math.random. */
  readonly random?: () => number;
};

/**
 * An SQS client with its middleware resolved once per command class (`cacheMiddleware`) and without the SDK's
 * logger middleware, which filters every request and response for sensitive fields even when nothing logs:
 * ~100 µs less CPU per request (bench/requests.bench.ts). Region and endpoint (AWS_ENDPOINT_URL_SQS) come
 * from the environment. Middleware added to its stack after the first send is not seen (the SDK's cache).
 */
export function createSqsClient(config: SQSClientConfig = {}): SQSClient {
  const client = new SQSClient({ cacheMiddleware: true, ...config });
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/**
 * The message attribute every message gets: a send id, 22 random base64url characters (128 bits), new for each
 * request that carries the message. The ingest function takes it as the message's origin (`SEND_ID_ATTRIBUTE`
 * of @tally/ingest: the same name), because a dead-letter redrive keeps a message's attributes but gives it a
 * new message id. A body re-sent after a lost answer gets another send id: it is another input (a duplicate).
 */
export const SEND_ID_ATTRIBUTE = 'tally-send-id';
const SEND_ID_TYPE = 'String';
const SEND_ID_LENGTH = 22;
/**
 * What the attribute adds to a message's size: SQS counts an attribute's name, data type and value
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html).
 */
export const SEND_ID_BYTES = SEND_ID_ATTRIBUTE.length + SEND_ID_TYPE.length + SEND_ID_LENGTH;

function sendIdAttribute(): Record<string, MessageAttributeValue> {
  return {
    [SEND_ID_ATTRIBUTE]: {
      DataType: SEND_ID_TYPE,
      StringValue: randomBytes(16).toString('base64url'),
    },
  };
}

export interface SendOptions {
  /** Called after each request with how many of the bodies are on the queue so far. */
  readonly onProgress?: (sent: number) => void;
}

// Request errors worth another try besides those the SDK marks $retryable or blames on the server.
const THROTTLING = new Set(['ThrottlingException', 'RequestThrottled', 'TimeoutError', 'RequestTimeout']);

function isTransient(err: unknown): boolean {
  const e = err as {
    name?: string;
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e?.$retryable || e?.$fault === 'server' || THROTTLING.has(e?.name ?? '')) return true;
  // No HTTP answer at all (connection refused or reset): the network, not the request.
  return e?.$fault === undefined && e?.$metadata?.httpStatusCode === undefined;
}

/**
 * Sends message bodies to one SQS queue: packed into SendMessageBatch requests of at most 10 entries and
 * `maxBatchBytes` (bodies and attributes), `concurrency` requests at a time. Each message carries a send id
 * ({@link SEND_ID_ATTRIBUTE}) unless its body alone leaves no room for it under `maxBatchBytes` (then SQS
 * judges the body as before, and the consumer falls back to the message id). Entries SQS fails on its side (SenderFault false) and
 * requests that fail transiently are retried, only those entries, with exponential backoff and full jitter; an
 * entry SQS blames on the sender is not retried. When anything is left unsent, `send` throws one
 * {@link QueueSendError} naming the failed bodies by index, after every request in flight has ended.
 *
 * Delivery is at least once, as SQS itself: a retry after a lost answer may enqueue a body twice, which is why
 * every consumer of tally's queues is idempotent.
 *
 * @example
 * const sender = new SqsSender({ queueUrl: process.env.TALLY_USAGE_QUEUE_URL! });
 * const messageIds = await sender.send(events.map((e) => JSON.stringify(e)));
 */
export class SqsSender {
  readonly queueUrl: string;
  private readonly options: z.output<typeof SqsSenderOptionsSchema>;
  private readonly client: SendMessageBatchClient;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: SqsSenderOptions) {
    const parsed = SqsSenderOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new QueueConfigurationError(`invalid SQS sender options: ${z.prettifyError(parsed.error)}`);
    }
    this.options = parsed.data;
    this.queueUrl = parsed.data.queueUrl;
    this.client = options.client ?? createSqsClient();
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Sends `bodies` in any order of requests and resolves to the message id of each body, in input order.
   *
   * @throws QueueSendError when some bodies are not on the queue after the retries.
   */
  async send(bodies: readonly string[], options: SendOptions = {}): Promise<string[]> {
    const ids: (string | undefined)[] = new Array(bodies.length);
    const failures: FailedMessage[] = [];
    const { maxBatchBytes } = this.options;
    // Room for each entry's send id: a request of n ≤ 10 bodies planned within this carries n attributes.
    const batches = planBatches(bodies, Math.max(1, maxBatchBytes - MAX_BATCH_ENTRIES * SEND_ID_BYTES));
    let next = 0;
    let sent = 0;
    let stop: unknown;
    const run = {
      bodies,
      ids,
      failures,
      accepted: (n: number) => {
        sent += n;
        options.onProgress?.(sent);
      },
    };
    const worker = async () => {
      while (stop === undefined && next < batches.length) {
        stop = await this.sendBatch(batches[next++]!, run);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, batches.length) }, worker));
    const unsent = bodies.flatMap((_, i) => (ids[i] === undefined ? [i] : []));
    if (unsent.length > 0) {
      failures.sort((a, b) => a.index - b.index);
      throw new QueueSendError(this.queueUrl, bodies.length, failures, unsent, { cause: stop });
    }
    return ids as string[];
  }

  /** One entry, with a new send id when the body leaves room for it (a body alone over the limit goes bare). */
  private entry(index: number, body: string) {
    const max = this.options.maxBatchBytes - SEND_ID_BYTES;
    // A string of n code units is at most 3n UTF-8 bytes: count the bytes only when that bound is too high.
    const fits = body.length * 3 <= max || Buffer.byteLength(body) <= max;
    return fits
      ? { Id: String(index), MessageBody: body, MessageAttributes: sendIdAttribute() }
      : { Id: String(index), MessageBody: body };
  }

  /** Sends one planned batch, retrying its failed entries; resolves to the error that should stop the run, if any. */
  private async sendBatch(
    indexes: readonly number[],
    run: {
      bodies: readonly string[];
      ids: (string | undefined)[];
      failures: FailedMessage[];
      accepted: (n: number) => void;
    },
  ): Promise<unknown> {
    const { maxAttempts, baseDelayMs, maxDelayMs } = this.options;
    let pending = indexes;
    for (let attempt = 1; ; attempt++) {
      const retry: { index: number; code: string; message: string }[] = [];
      try {
        const res = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: pending.map((i) => this.entry(i, run.bodies[i]!)),
          }),
        );
        let ok = 0;
        for (const s of res.Successful ?? []) {
          run.ids[Number(s.Id)] = s.MessageId;
          ok += 1;
        }
        if (ok > 0) run.accepted(ok);
        const failed = new Map((res.Failed ?? []).map((f) => [Number(f.Id), f]));
        for (const index of pending) {
          if (run.ids[index] !== undefined) continue;
          const f = failed.get(index);
          const code = f?.Code ?? 'NoResult';
          const message =
            f?.Message ?? (f ? code : 'the response listed the entry neither as sent nor as failed');
          if (f?.SenderFault)
            run.failures.push({ index, code, message, senderFault: true, attempts: attempt });
          else retry.push({ index, code, message });
        }
      } catch (err) {
        const e = err as Error;
        if (!isTransient(err)) {
          for (const index of pending) {
            run.failures.push({
              index,
              code: e.name,
              message: e.message,
              senderFault: true,
              attempts: attempt,
            });
          }
          return err;
        }
        retry.push(...pending.map((index) => ({ index, code: e.name, message: e.message })));
      }
      if (retry.length === 0) return undefined;
      if (attempt >= maxAttempts) {
        for (const r of retry) run.failures.push({ ...r, senderFault: false, attempts: attempt });
        return undefined;
      }
      await this.sleep(this.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      pending = retry.map((r) => r.index);
    }
  }
}
