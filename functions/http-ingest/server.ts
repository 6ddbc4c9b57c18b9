import { type LocalHttpApi, startHttpApi } from '@tally/local-stack';
import type { HttpIngestDeps } from './handler.js';

export type HttpIngestServer = LocalHttpApi;

/**
 * The HTTP ingest endpoint for the local stack: `POST /v1/events` on 127.0.0.1, calling the same handler the
 * Lambda runs behind API Gateway.
 *
 * @example
 * const api = await startHttpIngest({ port: 0 });
 * await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': key }, body });
 */
export async function startHttpIngest(
  options: { port?: number; deps?: HttpIngestDeps } = {},
): Promise<HttpIngestServer> {
  const mod = await import('./handler.js');
  const handler = options.deps ? mod.makeHandler(options.deps) : mod.handler;
  return startHttpApi({
    route: 'POST /v1/events',
    handler: handler as never,
    functionName: 'http-ingest',
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
}
