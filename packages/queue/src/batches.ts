/**
 * SendMessageBatch limits: at most 10 entries a request, and the bodies of one request together at most the
 * request size limit. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
export const MAX_BATCH_ENTRIES = 10;

/**
 * Bytes of message bodies per request: 256 KiB, the limit every queue has accepted since SQS began (since
 * August 2025 queues may take 1 MiB, but only when their MaximumMessageSize says so).
 */
export const DEFAULT_MAX_BATCH_BYTES = 262_144;

/**
 * Splits bodies, in order, into requests of at most `maxEntries` entries and `maxBytes` bytes (UTF-8). A body
 * larger than `maxBytes` on its own goes alone in its request, so SQS judges it against the queue's
 * MaximumMessageSize rather than this function refusing it.
 *
 * @returns the body indexes of each request.
 */
export function planBatches(
  bodies: readonly string[],
  maxBytes: number = DEFAULT_MAX_BATCH_BYTES,
  maxEntries: number = MAX_BATCH_ENTRIES,
): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  bodies.forEach((body, i) => {
    const size = Buffer.byteLength(body);
    if (current.length > 0 && (current.length === maxEntries || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}
