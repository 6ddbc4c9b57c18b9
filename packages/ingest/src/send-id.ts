import { z } from 'zod';

/**
 * The SQS message attribute in which tally's producers (`SqsSender` of @tally/queue: the HTTP ingest, `tally
 * send` and `import`, the demo) stamp a send id: random, one per message sent. SQS gives a message moved back
 * from a dead-letter queue a new message id (a redrive, StartMessageMoveTask included:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html),
 * but keeps its attributes, so the send id, not the message id, says which input wrote an event when the
 * message comes back after a crash that left part of its events written.
 */
export const SEND_ID_ATTRIBUTE = 'tally-send-id';

/** A send id: 16 to 64 characters of the base64url alphabet (SqsSender sends 22: 128 random bits). */
export const SendIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** The attribute as the SQS event hands it to Lambda (`messageAttributes[name]`). */
export const SendIdAttributeSchema = z.object({
  dataType: z.literal('String'),
  stringValue: SendIdSchema,
});

/** A record's message attributes, as far as the send id goes. */
export type MessageAttributes = Readonly<Record<string, unknown>> | undefined;

/** A well-formed send id, or what is wrong with the attribute; neither when it is absent. */
export interface SendIdResult {
  readonly sendId?: string;
  readonly problem?: string;
}

/**
 * The send id of a message's attributes: `{ sendId }` when the attribute is there and well formed, `{}` when
 * it is absent (a producer that does not stamp, e.g. the IoT rule: the message id is the origin), and
 * `{ problem }` when it is malformed (the caller falls back to the message id, and says so in its log).
 *
 * @example
 * const { sendId } = sendIdOf(record.messageAttributes);
 * const input = { messageId: record.messageId, body: record.body, ...(sendId ? { origin: sendId } : {}) };
 */
export function sendIdOf(attributes: MessageAttributes): SendIdResult {
  const attribute = attributes?.[SEND_ID_ATTRIBUTE];
  if (attribute === undefined) return {};
  const parsed = SendIdAttributeSchema.safeParse(attribute);
  if (parsed.success) return { sendId: parsed.data.stringValue };
  return { problem: `message attribute ${SEND_ID_ATTRIBUTE}: ${z.prettifyError(parsed.error)}` };
}
