import type { IngestPolicy } from './policy.js';
import type { Rejection } from './reasons.js';

/** One input as it arrived: one SQS message (or HTTP request) body. */
export interface InputMessage {
  /** SQS message id (or a request id): which delivery carried the input (batch item failures name it). */
  readonly messageId: string;
  /**
   * Where the input came from when the producer said so: its send id (the `tally-send-id` message attribute,
   * see send-id.ts), which a dead-letter redrive keeps while it gives the message a new id. Default `messageId`.
   */
  readonly origin?: string;
  readonly body: string;
  /** When the queue received it (SentTimestamp), ISO; defaults to the processing time. */
  readonly receivedAt?: string;
}

/**
 * One unit of accounting: an event inside a message. A message with an array yields one unit per
 * element; anything that cannot be split (malformed JSON, an oversize array) is one unit.
 */
export interface InputUnit {
  readonly messageId: string;
  /** The message's `origin` (its send id), when it has one; `messageId` stands in otherwise. */
  readonly origin?: string;
  /** Position in the message's array; 0 for a single event. */
  readonly index: number;
  /** The input kept whole: the body, or the element re-serialised as JSON. */
  readonly raw: string;
  readonly json?: unknown;
  readonly rejection?: Rejection;
}

/**
 * A unit's id, `<origin>.<index>` (the origin is the producer's send id, or the message id when the message
 * has none): which input it is. The usage store keeps it with the event it wrote (a redelivery finds its own
 * write, and so does a dead-letter redrive of a message with a send id) and the quarantine names its entry by it.
 */
export function unitId(unit: {
  readonly messageId: string;
  readonly origin?: string | undefined;
  readonly index: number;
}): string {
  return `${unit.origin ?? unit.messageId}.${unit.index}`;
}

const encoder = new TextEncoder();

function byteLength(text: string): number {
  // Fast path: a string of at most n/3 code units cannot exceed n UTF-8 bytes.
  return text.length * 3 <= 1_000_000 ? encoder.encode(text).length : Buffer.byteLength(text, 'utf8');
}

/**
 * Splits a message into units: one event or an array of events (producers batch to save SQS requests).
 * Malformed JSON and arrays over the limit are rejected whole; each element is checked for size on its own.
 */
export function decodeMessage(message: InputMessage, policy: IngestPolicy): InputUnit[] {
  const { messageId, body } = message;
  const origin = message.origin ?? messageId;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    return [
      {
        messageId,
        origin,
        index: 0,
        raw: body,
        rejection: {
          reason: 'malformed-json',
          message: `message ${messageId}: body is not JSON (${(err as Error).message})`,
        },
      },
    ];
  }
  if (!Array.isArray(parsed)) {
    const bytes = body.length > policy.maxEventBytes / 3 ? byteLength(body) : 0;
    if (bytes > policy.maxEventBytes) {
      return [{ messageId, origin, index: 0, raw: body, rejection: oversize(messageId, bytes, policy) }];
    }
    return [{ messageId, origin, index: 0, raw: body, json: parsed }];
  }
  if (parsed.length > policy.maxEventsPerMessage) {
    return [
      {
        messageId,
        origin,
        index: 0,
        raw: body,
        rejection: {
          reason: 'oversize',
          message: `message ${messageId}: ${parsed.length} events in one message, the limit is ${policy.maxEventsPerMessage}`,
        },
      },
    ];
  }
  if (parsed.length === 0) {
    return [
      {
        messageId,
        origin,
        index: 0,
        raw: body,
        rejection: { reason: 'schema', message: `message ${messageId}: an empty array holds no event` },
      },
    ];
  }
  return parsed.map((json, index) => {
    const raw = JSON.stringify(json);
    const bytes = raw.length > policy.maxEventBytes / 3 ? byteLength(raw) : 0;
    return bytes > policy.maxEventBytes
      ? { messageId, origin, index, raw, rejection: oversize(`${messageId}[${index}]`, bytes, policy) }
      : { messageId, origin, index, raw, json };
  });
}

function oversize(where: string, bytes: number, policy: IngestPolicy): Rejection {
  return {
    reason: 'oversize',
    message: `${where}: event is ${bytes} bytes, the limit is ${policy.maxEventBytes}`,
  };
}
