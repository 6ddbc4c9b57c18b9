import { type SendMessageBatchClient, SqsSender } from '@tally/queue';

/** Puts events on the usage queue, packed into array messages (fewer SQS requests; ingest splits them). */
export interface UsageQueuePort {
  /** Resolves to the message id that carries each event, in order. */
  enqueue(events: readonly unknown[]): Promise<string[]>;
}

/** Events per message and bytes per message; SQS takes 1 MiB per message and per batch request. */
const MAX_EVENTS = 100;
const MAX_BYTES = 200_000;

export class SqsUsageQueue implements UsageQueuePort {
  private readonly sender: SqsSender;

  constructor(queueUrl: string, client?: SendMessageBatchClient) {
    this.sender = new SqsSender({ queueUrl, ...(client ? { client } : {}) });
  }

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
    // SendMessageBatch chunks, bounded concurrency and retries of failed entries: @tally/queue's SqsSender.
    const messageIds = await this.sender.send(bodies.map((b) => b.body));
    const ids: string[] = new Array(events.length);
    bodies.forEach((b, j) => {
      for (const i of b.indexes) ids[i] = messageIds[j]!;
    });
    return ids;
  }
}
