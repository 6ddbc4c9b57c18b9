import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localClients, uniquePrefix } from '../../../test/support/aws.js';
import { QueueSendError } from './errors.js';
import { SEND_ID_ATTRIBUTE, type SendMessageBatchClient, SqsSender } from './sqs-sender.js';

const { sqs } = localClients();

async function newQueue(label: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: `${uniquePrefix(label)}q` }))).QueueUrl!;
}

/** Receives until `count` messages arrived or a receive comes back empty. */
async function drain(url: string, count: number): Promise<{ id: string; body: string }[]> {
  const got: { id: string; body: string }[] = [];
  while (got.length < count) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (!r.Messages?.length) break;
    got.push(...r.Messages.map((m) => ({ id: m.MessageId!, body: m.Body! })));
  }
  return got;
}

/**
 * The real client, except that the first request carrying a body sends only the even-numbered entries and reports
 * the others as failed by SQS (InternalError, not the sender's fault), as SQS does under load.
 */
function flaky(real: SQSClient): SendMessageBatchClient & { requests: number } {
  const seen = new Set<string>();
  const wrapper = {
    requests: 0,
    async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
      wrapper.requests += 1;
      const entries = command.input.Entries ?? [];
      const drop = entries.filter((e, j) => j % 2 === 1 && !seen.has(e.Id!));
      for (const e of entries) seen.add(e.Id!);
      const keep = entries.filter((e) => !drop.includes(e));
      const out = await real.send(new SendMessageBatchCommand({ ...command.input, Entries: keep }));
      return {
        ...out,
        Failed: [
          ...(out.Failed ?? []),
          ...drop.map((e) => ({
            Id: e.Id!,
            Code: 'InternalError',
            SenderFault: false,
            Message: 'try again',
          })),
        ],
      };
    },
  };
  return wrapper;
}

describe('SqsSender against fauxqs', () => {
  it('puts every body on the queue once, with the message ids SQS gave them', async () => {
    const url = await newQueue('send');
    const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ i, text: 'Grüße, 東京' }));
    // the default client: region and AWS_ENDPOINT_URL_SQS from the environment the local stack set
    const ids = await new SqsSender({ queueUrl: url }).send(bodies);
    const got = await drain(url, 26);
    expect(got.map((m) => m.body).sort()).toEqual([...bodies].sort());
    expect(new Map(got.map((m) => [m.body, m.id]))).toEqual(new Map(bodies.map((b, i) => [b, ids[i]])));
  });

  it('stamps each message with a send id attribute that the consumer receives', async () => {
    const url = await newQueue('sendid');
    await new SqsSender({ queueUrl: url }).send(['one', 'two']);
    const r = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const ids = (r.Messages ?? []).map((m) => m.MessageAttributes?.[SEND_ID_ATTRIBUTE]);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      expect(id?.DataType).toBe('String');
      expect(id?.StringValue).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
    expect(ids[0]?.StringValue).not.toBe(ids[1]?.StringValue);
  });

  it('keeps each request within 256 KiB: three 100 KB bodies go as two requests', async () => {
    const url = await newQueue('bytes');
    const bodies = ['a', 'b', 'c'].map((c) => c.repeat(100_000));
    let requests = 0;
    const counting: SendMessageBatchClient = {
      send: (command) => {
        requests += 1;
        // 2 × (100,000 + 41 of send id) = 200,082 ≤ 262,144 < 300,000
        const bytes = command.input.Entries!.reduce((n, e) => {
          const attrs = Object.entries(e.MessageAttributes ?? {});
          const attrBytes = attrs.reduce(
            (m, [k, v]) => m + k.length + (v.DataType?.length ?? 0) + (v.StringValue?.length ?? 0),
            0,
          );
          return n + e.MessageBody!.length + attrBytes;
        }, 0);
        expect(bytes).toBeLessThanOrEqual(262_144);
        return sqs.send(command);
      },
    };
    await new SqsSender({ queueUrl: url, client: counting }).send(bodies);
    expect(requests).toBe(2);
    expect((await drain(url, 4)).map((m) => m.body[0]).sort()).toEqual(['a', 'b', 'c']);
  });

  it('retries only the entries SQS failed, so each body arrives exactly once', async () => {
    const url = await newQueue('retry');
    const bodies = Array.from({ length: 30 }, (_, i) => `body-${i}`);
    const client = flaky(sqs);
    await new SqsSender({ queueUrl: url, client, baseDelayMs: 1 }).send(bodies);
    // 3 requests of 10, each losing 5 entries, then the 15 retried entries as 3 requests of 5
    expect(client.requests).toBe(6);
    const got = await drain(url, 31);
    expect(got.map((m) => m.body).sort()).toEqual([...bodies].sort());
  });

  it('names the body SQS refused and still sends the others', async () => {
    const url = await newQueue('refuse');
    const bodies = ['ok-0', 'bad \u0000 byte', 'ok-2'];
    const error = await new SqsSender({ queueUrl: url }).send(bodies).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueSendError);
    expect((error as QueueSendError).unsent).toEqual([1]);
    expect((error as QueueSendError).message).toMatch(
      /^1 of 3 messages not sent to .*: #1 InvalidMessageContents: .*\(sender fault, 1 attempt\)$/,
    );
    expect((await drain(url, 3)).map((m) => m.body).sort()).toEqual(['ok-0', 'ok-2']);
  });

  it('fails at once, naming the queue, when the queue does not exist', async () => {
    const url = `${await newQueue('gone')}-missing`;
    const error = await new SqsSender({ queueUrl: url, concurrency: 1 })
      .send(Array.from({ length: 15 }, (_, i) => `b${i}`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueSendError);
    expect((error as QueueSendError).unsent).toHaveLength(15);
    expect((error as QueueSendError).message).toContain(`15 of 15 messages not sent to ${url}`);
    expect((error as QueueSendError).message).toContain('5 not tried after that');
  });
});
