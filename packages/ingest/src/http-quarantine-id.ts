import { createHash } from 'node:crypto';
import type { AdmitResult } from './admit.js';

/**
 * Gives the events refused at the HTTP endpoint quarantine ids that a retry reproduces:
 * `http.<digest>.<n>`, where the digest is sha256 of the producer and the refused input as kept (the
 * event's JSON, which holds its `source` and `id`, or the whole body when it could not be split), and n
 * counts the identical inputs before it in the same request.
 *
 * A producer retries a request whose answer it did not get, or retries the refused events; the request
 * id differs every time, so the `<origin>.<index>` ids of the queue path would add an entry per try.
 * With these ids a retry overwrites its own entries and a changed event gets a new one. The producer is
 * part of the digest so that one producer's input never overwrites another's, and n keeps the same input
 * sent twice in one request as two entries (one per input, and BatchWriteItem refuses two puts of one key).
 *
 * `admitEvents` applies it to its results.
 */
export function withHttpQuarantineIds(producerId: string, results: readonly AdmitResult[]): AdmitResult[] {
  const seen = new Map<string, number>();
  return results.map((r) => {
    if (r.quarantine === undefined) return r;
    const digest = createHash('sha256')
      .update(producerId, 'utf8')
      .update('\n', 'utf8')
      .update(r.quarantine.raw, 'utf8')
      .digest('hex')
      .slice(0, 32);
    const n = seen.get(digest) ?? 0;
    seen.set(digest, n + 1);
    return { ...r, quarantine: { ...r.quarantine, id: `http.${digest}.${n}` } };
  });
}
