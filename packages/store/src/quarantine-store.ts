/**
 * Quarantined inputs (billing table): everything ingestion could not store, kept whole with a reason, for a
 * person to list by day and reason and to replay after a fix.
 *
 * ## Keys (billing table)
 *
 * | item               | pk                  | sk             | gsi1pk              | gsi1sk                          |
 * | ------------------ | ------------------- | -------------- | ------------------- | ------------------------------- |
 * | quarantined input  | `Q#<quarantineId>`  | `Q`            | `QDAY#<yyyy-mm-dd>` | `<reason>#<receivedAt>#<id>`    |
 * | body part (large)  | `Q#<quarantineId>`  | `PART#<nnnn>`  | —                   | —                               |
 *
 * ## Access patterns
 *
 * | pattern                                 | operation                                                  |
 * | --------------------------------------- | ---------------------------------------------------------- |
 * | keep an input (idempotent)              | PutItem (a deterministic id: a redelivery or retry overwrites its own entry) |
 * | inputs of a day (UTC, by receivedAt)    | Query gsi1 `QDAY#<day>`                                    |
 * | inputs of a day and reason              | Query gsi1 `QDAY#<day>`, `begins_with(gsi1sk, "<reason>#")` |
 * | one input, whole                        | Query `Q#<id>` (head + parts)                              |
 * | mark replayed                           | UpdateItem `status = replayed`                             |
 *
 * Ids: `<origin>.<index>` for inputs from the queue, the origin being the producer's send id (message attribute
 * `tally-send-id`, kept through a dead-letter redrive) or else the message id (same on a redelivery);
 * `http.<digest>.<n>` for events refused at the HTTP endpoint, from the producer and the event as kept
 * (packages/ingest/src/http-quarantine-id.ts, applied by admitEvents), since a producer's retry comes with a new request id.
 * An overwrite takes the latest try whole: its receipt (the entry moves to that day) and status (open again).
 *
 * `status` is `open` until replayed; an input refused as `forbidden` (an HTTP producer reporting for a
 * subject its key is not bound to) is `held`: listed and shown, never replayed.
 *
 * A body up to 300,000 bytes sits in the head item; a larger one (an SQS message may hold 1 MiB) is split
 * into parts, so an input is kept whole even when it is larger than DynamoDB's 400 KB item limit.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  isReplayable,
  type QuarantineEntry,
  type QuarantineReason,
  QuarantineReasonSchema,
  type QuarantineWriter,
  type ReplayableEntry,
} from '@tally/ingest';
import { z } from 'zod';
import { isConditionFailed, NotFoundError } from './errors.js';
import { untilProcessed } from './unprocessed.js';

const PART_BYTES = 300_000;

/** A quarantined input as read back. `raw` is the whole input (UTF-8 text; `encoding` says how it was kept). */
export interface QuarantinedInput extends QuarantineEntry, ReplayableEntry {
  readonly encoding: 'utf8' | 'base64';
  readonly replayedAt?: string;
  readonly replayMessageId?: string;
}

export const ListQuarantineInputSchema = z.object({
  /** UTC day of receipt, `yyyy-mm-dd`. */
  day: z.iso.date(),
  reason: QuarantineReasonSchema.optional(),
  /** Only entries still to replay (not replayed, not held). Default false. */
  openOnly: z.boolean().optional(),
  limit: z.int().min(1).max(1000).optional(),
  /** Cursor from the previous page. */
  cursor: z.string().optional(),
});
export type ListQuarantineInput = z.input<typeof ListQuarantineInputSchema>;

export interface QuarantinePage {
  readonly items: readonly QuarantinedInput[];
  readonly cursor?: string;
}

function keyOf(id: string) {
  return { pk: `Q#${id}`, sk: 'Q' };
}

/** True when the text survives a UTF-8 round trip (lone surrogates do not): then it is kept as text. */
function isWellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

export function toItem(entry: QuarantineEntry): {
  head: Record<string, unknown>;
  parts: Record<string, unknown>[];
} {
  const wellFormed = isWellFormed(entry.raw);
  const body = wellFormed ? entry.raw : Buffer.from(entry.raw, 'utf16le').toString('base64');
  const parts: Record<string, unknown>[] = [];
  const inline = Buffer.byteLength(body, 'utf8') <= PART_BYTES;
  if (!inline) {
    // Split on characters, each part well under the item limit even at 4 bytes per character.
    const step = Math.floor(PART_BYTES / 4);
    for (let i = 0, n = 0; i < body.length; i += step, n++) {
      parts.push({
        pk: keyOf(entry.id).pk,
        sk: `PART#${String(n).padStart(4, '0')}`,
        body: body.slice(i, i + step),
      });
    }
  }
  const head = {
    ...keyOf(entry.id),
    gsi1pk: `QDAY#${entry.receivedAt.slice(0, 10)}`,
    gsi1sk: `${entry.reason}#${entry.receivedAt}#${entry.id}`,
    type: 'quarantine',
    ...entry,
    raw: undefined,
    body: inline ? body : undefined,
    parts: parts.length,
    encoding: wellFormed ? 'utf8' : 'base64',
    // A held input (a producer reporting for another tenant) is listed but never picked up by replay.
    status: isReplayable(entry.reason) ? 'open' : 'held',
  };
  return { head, parts };
}

function fromItem(head: Record<string, unknown>, parts: Record<string, unknown>[]): QuarantinedInput {
  const encoding = head.encoding === 'base64' ? 'base64' : 'utf8';
  const body =
    head.body !== undefined
      ? String(head.body)
      : parts
          .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
          .map((p) => String(p.body))
          .join('');
  const raw = encoding === 'base64' ? Buffer.from(body, 'base64').toString('utf16le') : body;
  const opt = (k: string) => (head[k] !== undefined ? { [k]: head[k] } : {});
  return {
    id: String(head.id),
    reason: QuarantineReasonSchema.parse(head.reason),
    message: String(head.message),
    raw,
    encoding,
    messageId: String(head.messageId),
    index: Number(head.index),
    receivedAt: String(head.receivedAt),
    quarantinedAt: String(head.quarantinedAt),
    status: head.status === 'replayed' || head.status === 'held' ? head.status : 'open',
    ...(opt('path') as { path?: string }),
    ...(opt('source') as { source?: string }),
    ...(opt('eventId') as { eventId?: string }),
    ...(opt('customerId') as { customerId?: string }),
    ...(opt('producerId') as { producerId?: string }),
    ...(opt('replayedAt') as { replayedAt?: string }),
    ...(opt('replayMessageId') as { replayMessageId?: string }),
  };
}

export class QuarantineStore implements QuarantineWriter {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string }) {
    this.#doc = options.doc;
    this.#table = options.tableName;
  }

  /**
   * Keeps the entries: 25 per BatchWriteItem (unconditional: the id is deterministic, so a rewrite is the
   * same entry), unprocessed items retried with backoff. Resolves per entry to undefined or its error.
   */
  async putQuarantined(entries: readonly QuarantineEntry[]): Promise<(unknown | undefined)[]> {
    const errors: (unknown | undefined)[] = new Array(entries.length).fill(undefined);
    const requests: { item: Record<string, unknown>; entry: number }[] = [];
    entries.forEach((e, i) => {
      const { head, parts } = toItem(e);
      // Parts first: a head is only visible once its parts exist.
      for (const p of parts) requests.push({ item: p, entry: i });
      requests.push({ item: head, entry: i });
    });
    const large = requests.filter(
      (r) => Number(r.item.parts ?? 0) > 0 || String(r.item.sk).startsWith('PART#'),
    );
    const small = requests.filter((r) => !large.includes(r));
    // Large bodies one PutItem at a time (BatchWriteItem takes at most 16 MB per request).
    for (const r of large) {
      if (errors[r.entry] !== undefined) continue;
      try {
        await this.#doc.send(new PutCommand({ TableName: this.#table, Item: r.item }));
      } catch (err) {
        errors[r.entry] = err;
      }
    }
    const chunks: (typeof small)[] = [];
    for (let i = 0; i < small.length; i += 25) chunks.push(small.slice(i, i + 25));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          await this.#batchWrite(chunk.map((r) => r.item));
        } catch (err) {
          for (const r of chunk) errors[r.entry] = err;
        }
      }),
    );
    return errors;
  }

  async #batchWrite(items: Record<string, unknown>[]): Promise<void> {
    const requests = items.map((Item) => ({ PutRequest: { Item } }));
    await untilProcessed('quarantine BatchWriteItem items', requests, async (pending) => {
      const res = await this.#doc.send(
        new BatchWriteCommand({ RequestItems: { [this.#table]: [...pending] } }),
      );
      return res.UnprocessedItems?.[this.#table] as typeof requests | undefined;
    });
  }

  /** One quarantined input, whole (head and body parts). */
  async get(id: string): Promise<QuarantinedInput | undefined> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keyOf(id).pk },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    const head = items.find((i) => i.sk === 'Q');
    if (head === undefined) return undefined;
    return fromItem(
      head,
      items.filter((i) => String(i.sk).startsWith('PART#')),
    );
  }

  /** Quarantined inputs received on a UTC day, optionally of one reason, oldest first within a reason. */
  async list(input: ListQuarantineInput): Promise<QuarantinePage> {
    const q = ListQuarantineInputSchema.parse(input);
    const res = await this.#doc.send(
      new QueryCommand({
        TableName: this.#table,
        IndexName: 'gsi1',
        KeyConditionExpression: q.reason ? 'gsi1pk = :d AND begins_with(gsi1sk, :r)' : 'gsi1pk = :d',
        ExpressionAttributeValues: {
          ':d': `QDAY#${q.day}`,
          ...(q.reason ? { ':r': `${q.reason}#` } : {}),
          ...(q.openOnly ? { ':open': 'open' } : {}),
        },
        ...(q.openOnly
          ? { FilterExpression: '#s = :open', ExpressionAttributeNames: { '#s': 'status' } }
          : {}),
        Limit: q.limit ?? 100,
        ...(q.cursor
          ? { ExclusiveStartKey: JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) }
          : {}),
      }),
    );
    const heads = res.Items ?? [];
    const items = await Promise.all(
      heads.map(async (h) =>
        Number(h.parts ?? 0) > 0 ? ((await this.get(String(h.id))) ?? fromItem(h, [])) : fromItem(h, []),
      ),
    );
    return {
      items,
      ...(res.LastEvaluatedKey
        ? { cursor: Buffer.from(JSON.stringify(res.LastEvaluatedKey), 'utf8').toString('base64url') }
        : {}),
    };
  }

  /** Marks an input replayed (it stays listed, with when and as which message). */
  async markReplayed(id: string, at: string, messageId: string): Promise<void> {
    try {
      await this.#doc.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: keyOf(id),
          UpdateExpression: 'SET #s = :replayed, replayedAt = :at, replayMessageId = :m',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':replayed': 'replayed', ':at': at, ':m': messageId },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw new NotFoundError('quarantined input', id, { cause: err });
      throw err;
    }
  }
}

export type { QuarantineReason };
