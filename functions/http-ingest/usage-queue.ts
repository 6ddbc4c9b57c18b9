import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Puts events on the usage queue, packed into array messages (fewer SQS requests; ingest splits them). */
export interface UsageQueuePort {
  /** Resolves to the message id that carries each event, in order. */
  enqueue(events: readonly unknown[]): Promise<string[]>;
}

/** Events per message and bytes per message; SQS takes 1 MiB per message and per batch request. */
const MAX_EVENTS = 100;
const MAX_BYTES = 200_000;

export class SqsUsageQueue implements UsageQueuePort {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: SQSClient = new SQSClient({}),
  ) {}

  async enqueue(events: readonly unknown[]): Promise<string[]> {
    const bodies: { body: string; indexes: number[] }[] = [];
    let cur: { parts: string[]; bytes: number; indexes: number[] } = { parts: [], bytes: 2, indexes: [] };
    const flush = () => {
      if (cur.parts.length > 0) bodies.push({ body: `[${cur.parts.join(',')}]`, indexes: cur.indexes });
      cur = { parts: [], bytes: 2, indexes: [] };
    };
    events.forEach((e, i) => {
      const json = JSON.stringify(e);
      const bytes = Buffer.byteLength(json) + 1;
      if (cur.parts.length >= MAX_EVENTS || cur.bytes + bytes > MAX_BYTES) flush();
      cur.parts.push(json);
      cur.bytes += bytes;
      cur.indexes.push(i);
    });
    flush();
    const ids: string[] = new Array(events.length);
    let batch: typeof bodies = [];
    let batchBytes = 0;
    const send = async () => {
      if (batch.length === 0) return;
      const res = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((b, j) => ({ Id: String(j), MessageBody: b.body })),
        }),
      );
      if (res.Failed && res.Failed.length > 0) {
        throw new Error(
          `usage queue refused ${res.Failed.length} messages: ${res.Failed[0]!.Message ?? res.Failed[0]!.Code}`,
        );
      }
      for (const ok of res.Successful ?? [])
        for (const i of batch[Number(ok.Id)]!.indexes) ids[i] = ok.MessageId!;
      batch = [];
      batchBytes = 0;
    };
    for (const b of bodies) {
      const bytes = Buffer.byteLength(b.body);
      if (batch.length === 10 || batchBytes + bytes > 900_000) await send();
      batch.push(b);
      batchBytes += bytes;
    }
    await send();
    return ids;
  }
}
