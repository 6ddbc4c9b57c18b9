import { appendFileSync } from 'node:fs';
import { type LocalAwsServer, startJsonServer } from './local-aws-server.js';

/** An event as the local bus log keeps it (the PutEvents entry, with `Detail` parsed). */
export interface LoggedEvent {
  readonly id: string;
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly time: string;
  readonly detail: unknown;
}

export interface LocalEventBus extends LocalAwsServer {
  /** Every event put, in order. */
  readonly events: readonly LoggedEvent[];
}

/**
 * A local EventBridge endpoint for PutEvents (AWS JSON 1.1) that appends every event to an in-memory log
 * and, with `logFile`, to a JSON-lines file (`npm start` writes one under .tally/ so a person, the CLI or a
 * provisioning stub can tail the events). The real SDK reaches it via AWS_ENDPOINT_URL_EVENTBRIDGE.
 */
export async function startLocalEventBus(
  opts: { logFile?: string; port?: number } = {},
): Promise<LocalEventBus> {
  const events: LoggedEvent[] = [];
  const server = await startJsonServer({
    targetPrefix: 'AWSEvents',
    contentType: 'application/x-amz-json-1.1',
    port: opts.port,
    operations: {
      PutEvents(input) {
        const entries = (input.Entries ?? []) as Record<string, unknown>[];
        const out = entries.map((entry) => {
          const id = crypto.randomUUID();
          const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : new Date();
          const logged: LoggedEvent = {
            id,
            bus: String(entry.EventBusName ?? 'default'),
            source: String(entry.Source),
            detailType: String(entry.DetailType),
            time: time.toISOString(),
            detail: JSON.parse(String(entry.Detail ?? '{}')),
          };
          events.push(logged);
          if (opts.logFile) appendFileSync(opts.logFile, `${JSON.stringify(logged)}\n`);
          return { EventId: id };
        });
        return { FailedEntryCount: 0, Entries: out };
      },
    },
  });
  return { ...server, events };
}
