import { ReplayError } from './errors.js';

/** A quarantined input as replay needs it. */
export interface ReplayableEntry {
  readonly id: string;
  readonly raw: string;
  readonly status: 'open' | 'replayed';
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
    if (entry.status === 'replayed' && !opts.force) {
      throw new ReplayError(id, 'was replayed already; pass force to replay it again');
    }
    const messageId = await ports.send(entry.raw, id);
    await ports.markReplayed(id, opts.now.toISOString(), messageId);
    results.push({ id, messageId });
  }
  return results;
}
