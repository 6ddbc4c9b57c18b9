import { ReplayError } from './errors.js';
import type { QuarantineReason } from './reasons.js';

/** A quarantined input as replay needs it. */
export interface ReplayableEntry {
  readonly id: string;
  readonly raw: string;
  /** `held`: kept for audit, never replayed (see `isReplayable`). */
  readonly status: 'open' | 'replayed' | 'held';
  readonly reason: QuarantineReason;
}

export interface ReplayPorts {
  get(id: string): Promise<ReplayableEntry | undefined>;
  /** Sends the raw input to the usage queue; resolves to the new message id. */
  send(raw: string, quarantineId: string): Promise<string>;
  markReplayed(id: string, at: string, messageId: string): Promise<void>;
}

export interface ReplayResult {
  readonly id: string;
  readonly messageId: string;
}

/**
 * Replays quarantined inputs after a fix (a customer added, a meter registered, a producer corrected):
 * re-sends each one whole to the usage queue, then marks it replayed. The replay goes through the full
 * ingest path again, so an input that is still bad is quarantined again under its new message id, never lost.
 * An entry already replayed is refused unless `force` (a second replay is harmless, just counted as a duplicate).
 * A held entry (`forbidden`: a producer reported for another tenant's customer) is always refused.
 */
export async function replayQuarantined(
  ids: readonly string[],
  ports: ReplayPorts,
  opts: { readonly now: Date; readonly force?: boolean },
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const id of ids) {
    const entry = await ports.get(id);
    if (entry === undefined) throw new ReplayError(id, 'not found');
    if (entry.status === 'held') {
      throw new ReplayError(
        id,
        `is held (${entry.reason}): the usage queue does not authenticate producers, so a ` +
          'replay would bypass the check that refused it; bind the producer to the customer and let it resend',
      );
    }
    if (entry.status === 'replayed' && !opts.force) {
      throw new ReplayError(id, 'was replayed already; pass force to replay it again');
    }
    const messageId = await ports.send(entry.raw, id);
    await ports.markReplayed(id, opts.now.toISOString(), messageId);
    results.push({ id, messageId });
  }
  return results;
}
