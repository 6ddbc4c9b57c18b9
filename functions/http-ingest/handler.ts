import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import {
  admitEvents,
  type CatalogReader,
  type Clock,
  decodeMessage,
  type IngestPolicy,
  type Producer,
  policyFromEnv,
} from '@tally/ingest';
import { billingTable, usageQueue } from '@tally/resources';
import { CachedCatalog, CatalogStore, createDocumentClient, tableName } from '@tally/store';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SqsUsageQueue, type UsageQueuePort } from './usage-queue.js';

export interface HttpIngestDeps {
  readonly catalog: CatalogReader;
  readonly producers: { getProducer(keyHash: string): Promise<Producer | undefined> };
  readonly queue: UsageQueuePort;
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
 * it may report, enqueues them, and answers per event: 202 when all were accepted, 207 when some were, 400
 * when none; 401 without a valid key. Accepted means queued: dedupe and storage happen in the ingest function.
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
    const events = units.flatMap((u) => {
      const o = u.json as { subject?: unknown; type?: unknown } | undefined;
      return o && typeof o === 'object' ? [o] : [];
    });
    const subjects = [
      ...new Set(events.map((e) => e.subject).filter((s): s is string => typeof s === 'string')),
    ];
    const types = [...new Set(events.map((e) => e.type).filter((t): t is string => typeof t === 'string'))];
    const [lookup, meters] = await Promise.all([
      deps.catalog.lookupSubjects(subjects),
      deps.catalog.metersByType(types),
    ]);
    const results = admitEvents(units, {
      producer,
      lookup,
      meters,
      now: deps.clock.now(),
      policy: deps.policy,
    });
    const accepted = results.filter((r) => r.status === 'accepted');
    const messageIds = accepted.length > 0 ? await deps.queue.enqueue(accepted.map((r) => r.event)) : [];
    const byIndex = new Map(accepted.map((r, i) => [r.index, messageIds[i]]));
    const out = results.map(({ event: _e, ...r }) =>
      r.status === 'accepted' ? { ...r, messageId: byIndex.get(r.index) } : r,
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
  const store = new CatalogStore({ doc, tableName: tableName(billingTable, env) });
  const queueUrl = env[usageQueue.envVar];
  if (!queueUrl) throw new Error(`environment variable ${usageQueue.envVar} is not set: the usage queue URL`);
  return {
    catalog: new CachedCatalog(store),
    producers: store,
    queue: new SqsUsageQueue(queueUrl),
    clock: { now: () => new Date() },
    policy: policyFromEnv(env),
    logger: new Logger({ serviceName: 'tally-http-ingest' }),
  };
}

export const handler = makeHandler(defaultDeps());
