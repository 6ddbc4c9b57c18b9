import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import {
  type AcceptanceReader,
  admitEvents,
  type CatalogReader,
  type Clock,
  decodeMessage,
  type IngestPolicy,
  type Producer,
  policyFromEnv,
  type QuarantineWriter,
} from '@tally/ingest';
import { billingTable, usageQueue } from '@tally/resources';
import { CachedCatalog, CatalogStore, createDocumentClient, QuarantineStore, tableName } from '@tally/store';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { subscriptionAcceptance } from '../ingest/acceptance.js';
import { SqsUsageQueue, type UsageQueuePort } from './usage-queue.js';

export interface HttpIngestDeps {
  readonly catalog: CatalogReader;
  readonly acceptance: AcceptanceReader;
  readonly producers: { getProducer(keyHash: string): Promise<Producer | undefined> };
  readonly queue: UsageQueuePort;
  readonly quarantine: QuarantineWriter;
  readonly clock: Clock;
  readonly policy: IngestPolicy;
  readonly logger: Logger;
}

/** sha256 hex of an API key: what the catalog stores instead of the key. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * POST /v1/events: one CloudEvent or an array. Authenticates the producer by `x-api-key`, admits the events
 * it may report, quarantines the refused ones, enqueues the rest, and answers per event: 202 when all were
 * accepted, 207 when some were, 400 when none; every refused event names its reason, message and quarantine
 * id. Accepted means queued: dedupe and storage happen in the ingest function. A refused event's quarantine id
 * is derived from the producer and the event (`admitEvents`), so a retried request overwrites its own entries
 * instead of adding one per try.
 *
 * A request without a valid key (401) is not quarantined: it is not input from a known producer, and
 * keeping it would let anyone fill the quarantine. When the refused events cannot be quarantined the answer
 * is 503 and nothing is enqueued, so the producer's retry of the whole request loses and doubles nothing.
 */
export function makeHandler(deps: HttpIngestDeps) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const key = event.headers?.['x-api-key'];
    const producer = key ? await deps.producers.getProducer(hashApiKey(key)) : undefined;
    if (producer === undefined || producer.status !== 'active') {
      return json(401, { message: 'a valid x-api-key header is required' });
    }
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const requestId = event.requestContext?.requestId ?? randomUUID();
    const units = decodeMessage({ messageId: requestId, body }, deps.policy);
    const subjects = new Set<string>();
    const types = new Set<string>();
    for (const u of units) {
      const o = u.json as { subject?: unknown; type?: unknown } | undefined;
      if (o === null || typeof o !== 'object') continue;
      if (typeof o.subject === 'string') subjects.add(o.subject);
      if (typeof o.type === 'string') types.add(o.type);
    }
    const [lookup, meters] = await Promise.all([
      deps.catalog.lookupSubjects([...subjects]),
      deps.catalog.metersByType([...types]),
    ]);
    // Only the producer's own customers can pass admission: read no one else's terms.
    const own = producer.customerIds.filter((id) => lookup.customers.has(id));
    const terms = own.length > 0 ? await deps.acceptance.termsOf(own) : new Map();
    const results = admitEvents(units, {
      producer,
      lookup,
      meters,
      terms,
      now: deps.clock.now(),
      policy: deps.policy,
    });
    const refused = results.flatMap((r) => (r.quarantine ? [r.quarantine] : []));
    if (refused.length > 0) {
      const errors = await deps.quarantine.putQuarantined(refused);
      const failed = errors.filter((e) => e !== undefined);
      if (failed.length > 0) {
        deps.logger.error('refused events could not be quarantined', { requestId, error: failed[0] });
        return json(503, { message: 'the refused events could not be recorded; retry the request' });
      }
    }
    const accepted = results.filter((r) => r.status === 'accepted');
    const messageIds = accepted.length > 0 ? await deps.queue.enqueue(accepted.map((r) => r.event)) : [];
    const byIndex = new Map(accepted.map((r, i) => [r.index, messageIds[i]]));
    const out = results.map(({ event: _e, quarantine, ...r }) =>
      r.status === 'accepted'
        ? { ...r, messageId: byIndex.get(r.index) }
        : { ...r, ...(quarantine ? { quarantineId: quarantine.id } : {}) },
    );
    deps.logger.info('http ingest', {
      producer: producer.id,
      accepted: accepted.length,
      rejected: out.length - accepted.length,
    });
    const status = accepted.length === out.length ? 202 : accepted.length > 0 ? 207 : 400;
    return json(status, { accepted: accepted.length, rejected: out.length - accepted.length, results: out });
  });
}

export function defaultDeps(env: NodeJS.ProcessEnv = process.env): HttpIngestDeps {
  const doc = createDocumentClient();
  const billing = tableName(billingTable, env);
  const store = new CatalogStore({ doc, tableName: billing });
  const queueUrl = env[usageQueue.envVar];
  if (!queueUrl) throw new Error(`environment variable ${usageQueue.envVar} is not set: the usage queue URL`);
  return {
    catalog: new CachedCatalog(store),
    acceptance: subscriptionAcceptance(doc, billing),
    producers: store,
    queue: new SqsUsageQueue(queueUrl),
    quarantine: new QuarantineStore({ doc, tableName: billing }),
    clock: { now: () => new Date() },
    policy: policyFromEnv(env),
    logger: new Logger({ serviceName: 'tally-http-ingest' }),
  };
}

export const handler = makeHandler(defaultDeps());
