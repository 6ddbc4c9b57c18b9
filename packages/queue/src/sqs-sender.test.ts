import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { QueueConfigurationError, QueueSendError } from './errors.js';
import {
  createSqsClient,
  SEND_ID_ATTRIBUTE,
  SEND_ID_BYTES,
  type SendMessageBatchClient,
  SqsSender,
} from './sqs-sender.js';

type Entry = {
  Id: string;
  MessageBody: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue: string }>;
};
type Outcome = 'ok' | { code: string; senderFault: boolean };

/**
 * A fake SQS that stores what it accepts and decides each entry's fate with `judge(body, attempt of that body)`;
 * `throwOn(call)` makes a whole request fail instead.
 */
function fakeSqs(
  judge: (body: string, attempt: number) => Outcome = () => 'ok',
  throwOn: (call: number) => Error | undefined = () => undefined,
) {
  const stored: string[] = [];
  const requests: string[][] = [];
  /** Each request's entries as sent (with their attributes). */
  const entriesSent: Entry[][] = [];
  const tries = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const client: SendMessageBatchClient = {
    async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
      const entries = command.input.Entries as Entry[];
      requests.push(entries.map((e) => e.MessageBody));
      entriesSent.push(entries);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
      const error = throwOn(requests.length);
      if (error) throw error;
      const out: SendMessageBatchCommandOutput = { Successful: [], Failed: [], $metadata: {} };
      for (const e of entries) {
        const attempt = (tries.get(e.MessageBody) ?? 0) + 1;
        tries.set(e.MessageBody, attempt);
        const fate = judge(e.MessageBody, attempt);
        if (fate === 'ok') {
          stored.push(e.MessageBody);
          out.Successful!.push({ Id: e.Id, MessageId: `m-${e.MessageBody}`, MD5OfMessageBody: '' });
        } else {
          out.Failed!.push({
            Id: e.Id,
            Code: fate.code,
            SenderFault: fate.senderFault,
            Message: `${fate.code}!`,
          });
        }
      }
      return out;
    },
  };
  return {
    client,
    stored,
    requests,
    entriesSent,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

const bodies = (n: number) => Array.from({ length: n }, (_, i) => `b${i}`);
const delays: number[] = [];
const noWait = async (ms: number) => {
  delays.push(ms);
};

describe('SqsSender', () => {
  it('sends every body once in requests of at most 10 and returns the message ids in input order', async () => {
    const sqs = fakeSqs();
    const ids = await new SqsSender({ queueUrl: 'q', client: sqs.client }).send(bodies(25));
    expect(ids).toEqual(bodies(25).map((b) => `m-${b}`));
    expect(sqs.requests.map((r) => r.length)).toEqual([10, 10, 5]); // 25 = 10 + 10 + 5
    expect([...sqs.stored].sort()).toEqual([...bodies(25)].sort());
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const sqs = fakeSqs();
    await new SqsSender({ queueUrl: 'q', client: sqs.client, concurrency: 3 }).send(bodies(100));
    expect(sqs.requests).toHaveLength(10);
    expect(sqs.maxInFlight).toBe(3);
  });

  it('retries only the entries SQS failed on its side, with growing backoff, and reports progress', async () => {
    // b3 and b7 fail twice with InternalError, then go through on the third request that carries them
    const sqs = fakeSqs((body, attempt) =>
      (body === 'b3' || body === 'b7') && attempt <= 2 ? { code: 'InternalError', senderFault: false } : 'ok',
    );
    const progress: number[] = [];
    delays.length = 0;
    const ids = await new SqsSender({
      queueUrl: 'q',
      client: sqs.client,
      sleep: noWait,
      random: () => 1,
      baseDelayMs: 10,
    }).send(bodies(10), { onProgress: (n) => progress.push(n) });
    expect(ids[3]).toBe('m-b3');
    expect(sqs.requests).toEqual([bodies(10), ['b3', 'b7'], ['b3', 'b7']]);
    expect(delays).toEqual([10, 20]); // 10 × 2^0, 10 × 2^1 at the top of the jitter
    expect(progress).toEqual([8, 10]); // 8 then the 2 retried
    expect(sqs.stored).toHaveLength(10);
  });

  it('retries a request that failed transiently as a whole', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $fault: 'client',
    });
    const sqs = fakeSqs(undefined, (call) => (call === 1 ? throttled : undefined));
    const ids = await new SqsSender({ queueUrl: 'q', client: sqs.client, sleep: noWait }).send(bodies(3));
    expect(ids).toEqual(['m-b0', 'm-b1', 'm-b2']);
    expect(sqs.requests).toHaveLength(2);
  });

  it('does not retry an entry SQS blames on the sender, sends the rest, and names the failure', async () => {
    const sqs = fakeSqs((body) =>
      body === 'b4' ? { code: 'InvalidMessageContents', senderFault: true } : 'ok',
    );
    const error = await new SqsSender({ queueUrl: 'q', client: sqs.client, sleep: noWait })
      .send(bodies(12))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueSendError);
    const e = error as QueueSendError;
    expect(e.unsent).toEqual([4]);
    expect(e.failures).toEqual([
      {
        index: 4,
        code: 'InvalidMessageContents',
        message: 'InvalidMessageContents!',
        senderFault: true,
        attempts: 1,
      },
    ]);
    expect(e.message).toBe(
      '1 of 12 messages not sent to q: #4 InvalidMessageContents: InvalidMessageContents! (sender fault, 1 attempt)',
    );
    expect(sqs.stored).toHaveLength(11);
    expect(sqs.requests).toHaveLength(2); // 10 + 2, no retry
  });

  it('gives up on an entry after maxAttempts requests', async () => {
    const sqs = fakeSqs((body) => (body === 'b1' ? { code: 'InternalError', senderFault: false } : 'ok'));
    const error = (await new SqsSender({ queueUrl: 'q', client: sqs.client, sleep: noWait, maxAttempts: 3 })
      .send(bodies(2))
      .catch((e: unknown) => e)) as QueueSendError;
    expect(error.failures).toEqual([
      { index: 1, code: 'InternalError', message: 'InternalError!', senderFault: false, attempts: 3 },
    ]);
    expect(sqs.requests).toEqual([['b0', 'b1'], ['b1'], ['b1']]);
  });

  it('stops starting requests after one that retrying cannot fix, and lists every unsent body', async () => {
    const missing = Object.assign(new Error('The specified queue does not exist.'), {
      name: 'QueueDoesNotExist',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const sqs = fakeSqs(undefined, () => missing);
    const error = (await new SqsSender({ queueUrl: 'q', client: sqs.client, concurrency: 1 })
      .send(bodies(30))
      .catch((e: unknown) => e)) as QueueSendError;
    expect(sqs.requests).toHaveLength(1);
    expect(error.cause).toBe(missing);
    expect(error.unsent).toEqual(bodies(30).map((_, i) => i));
    expect(error.failures.map((f) => f.index)).toEqual(bodies(10).map((_, i) => i));
    // 5 failures named, 5 more counted, 20 never tried
    expect(error.message).toMatch(
      /^30 of 30 messages not sent to q: #0 QueueDoesNotExist: The specified queue/,
    );
    expect(error.message).toMatch(/; and 5 more; 20 not tried after that$/);
  });

  it('stamps each message with a send id of its own, and a retried entry with a new one', async () => {
    // b2 fails once on SQS's side: it goes again in a second request
    const sqs = fakeSqs((body, attempt) =>
      body === 'b2' && attempt === 1 ? { code: 'InternalError', senderFault: false } : 'ok',
    );
    await new SqsSender({ queueUrl: 'q', client: sqs.client, sleep: noWait }).send(bodies(12));
    const sent = sqs.entriesSent.flat();
    expect(sent).toHaveLength(13); // 12 + the retry of b2
    const ids = sent.map((e) => e.MessageAttributes?.[SEND_ID_ATTRIBUTE]);
    for (const id of ids) {
      expect(id?.DataType).toBe('String');
      expect(id?.StringValue).toMatch(/^[A-Za-z0-9_-]{22}$/); // 16 random bytes in base64url
    }
    expect(new Set(ids.map((id) => id?.StringValue)).size).toBe(13);
  });

  it('counts the send id attribute (name, type, value) within maxBatchBytes', async () => {
    // 3 bodies of 300 bytes: 900 ≤ 1,000 alone, but 900 + 3 × (13 + 6 + 22) = 1,023 > 1,000 with the send ids
    expect(SEND_ID_BYTES).toBe(41); // 'tally-send-id' 13 + 'String' 6 + 22 characters
    const sqs = fakeSqs();
    const three = ['a', 'b', 'c'].map((c) => c.repeat(300));
    await new SqsSender({ queueUrl: 'q', client: sqs.client, maxBatchBytes: 1_000 }).send(three);
    expect(sqs.requests.flat().sort()).toEqual(three);
    for (const request of sqs.entriesSent) {
      const bytes = request.reduce((n, e) => {
        const attrs = Object.entries(e.MessageAttributes ?? {});
        const attrBytes = attrs.reduce(
          (m, [k, v]) => m + k.length + v.DataType.length + v.StringValue.length,
          0,
        );
        return n + Buffer.byteLength(e.MessageBody) + attrBytes;
      }, 0);
      expect(bytes).toBeLessThanOrEqual(1_000);
    }
    expect(sqs.entriesSent.flat().every((e) => e.MessageAttributes?.[SEND_ID_ATTRIBUTE])).toBe(true);
  });

  it('sends a body that leaves no room for the send id under maxBatchBytes without it', async () => {
    // 959 + 41 = 1,000 fits; 960 + 41 = 1,001 does not (SQS judges that body alone, as before)
    const sqs = fakeSqs();
    await new SqsSender({ queueUrl: 'q', client: sqs.client, maxBatchBytes: 1_000 }).send([
      'x'.repeat(959),
      'y'.repeat(960),
    ]);
    const byBody = new Map(sqs.entriesSent.flat().map((e) => [e.MessageBody[0], e.MessageAttributes]));
    expect(byBody.get('x')?.[SEND_ID_ATTRIBUTE]).toBeDefined();
    expect(byBody.get('y')).toBeUndefined();
  });

  it.each([
    [{ queueUrl: '' }, /queueUrl/],
    [{ queueUrl: 'q', concurrency: 0 }, /concurrency/],
    [{ queueUrl: 'q', maxBatchBytes: 2_000_000 }, /maxBatchBytes/],
  ])('refuses options %j', (options, message) => {
    expect(() => new SqsSender(options)).toThrow(QueueConfigurationError);
    expect(() => new SqsSender(options)).toThrow(message);
  });
});

describe('createSqsClient', () => {
  it('resolves middleware once per command class and drops the logger middleware, keeping the rest', () => {
    const client = createSqsClient({ region: 'eu-central-1' });
    const names = client.middlewareStack.identify();
    expect(client.config.cacheMiddleware).toBe(true);
    expect(names.some((n) => n.startsWith('loggerMiddleware'))).toBe(false);
    expect(names.some((n) => n.startsWith('retryMiddleware'))).toBe(true);
  });
});
