import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { utcDay } from '@tally/ingest';
import { z } from 'zod';
import { eventPartitions, type UsageStore } from './usage-store.js';

const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const ArrivalProbeInputSchema = z
  .object({
    customerId: z.string().min(1),
    eventType: z.string().min(1),
    /** Event times: inclusive start, exclusive end, ISO instants. */
    from: Instant,
    to: Instant,
    /** Arrival (`receivedAt`): inclusive start, exclusive end, ISO instants. */
    receivedFrom: Instant,
    receivedBefore: Instant,
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['to'] })
  .refine((q) => q.receivedFrom < q.receivedBefore, {
    message: 'receivedFrom must be before receivedBefore',
    path: ['receivedBefore'],
  });
export type ArrivalProbeInput = z.input<typeof ArrivalProbeInputSchema>;

/**
 * Whether any event arrived in a window, without reading the events: billing asks it of each earlier period
 * it may have to correct, and reads a period whole only when something arrived late (rarely), instead of
 * every time. It reads the same partitions as `UsageStore.queryEvents` (a month per shard), with DynamoDB
 * filtering on the event time and the arrival instant and sending back keys only; it stops at the first
 * event found. Event times and arrival instants are stored as `toISOString()` text, so they compare as strings.
 *
 * @example
 * const probe = new ArrivalProbe({ doc, tableName, usage });
 * if (await probe.anyArrived({ customerId, eventType, from, to, receivedFrom: cutoff, receivedBefore: now })) ...
 */
export class ArrivalProbe {
  /** Query requests sent (pages included). */
  requests = 0;
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #usage: Pick<UsageStore, 'shardPlan'>;

  constructor(options: {
    doc: DynamoDBDocumentClient;
    tableName: string;
    /** Where the shard plans come from (and are cached). */
    usage: Pick<UsageStore, 'shardPlan'>;
  }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
    this.#usage = options.usage;
  }

  async anyArrived(input: ArrivalProbeInput): Promise<boolean> {
    const q = ArrivalProbeInputSchema.parse(input);
    const lastDay = utcDay(new Date(Date.parse(q.to) - 1).toISOString());
    const steps = await this.#usage.shardPlan(q.customerId, q.eventType, lastDay);
    const partitions = eventPartitions(steps, q.customerId, q.eventType, utcDay(q.from), lastDay).flatMap(
      ({ bounds, pks }) => pks.map((pk) => ({ pk, ...bounds })),
    );
    const found = await Promise.all(partitions.map((p) => this.#any(p, q)));
    return found.some(Boolean);
  }

  async #any(
    p: { pk: string; lo: string; hi: string },
    q: { from: string; to: string; receivedFrom: string; receivedBefore: string },
  ): Promise<boolean> {
    let start: Record<string, unknown> | undefined;
    do {
      this.requests++;
      const res = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lo AND :hi',
          FilterExpression: '#t >= :from AND #t < :to AND #r >= :rf AND #r < :rb',
          ExpressionAttributeNames: { '#t': 't', '#r': 'r' },
          ExpressionAttributeValues: {
            ':pk': p.pk,
            ':lo': p.lo,
            ':hi': p.hi,
            ':from': q.from,
            ':to': q.to,
            ':rf': q.receivedFrom,
            ':rb': q.receivedBefore,
          },
          ProjectionExpression: 'pk, sk',
        }),
      );
      if ((res.Count ?? res.Items?.length ?? 0) > 0) return true;
      start = res.LastEvaluatedKey;
    } while (start);
    return false;
  }
}
