import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { HttpIngestDeps } from './handler.js';

export interface HttpIngestServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const MAX_BODY = 1_048_576;

/**
 * The HTTP ingest endpoint for the local stack: a node:http server on 127.0.0.1 that turns each request into
 * an API Gateway HTTP API (v2) event and calls the same handler the Lambda runs. `POST /v1/events` only.
 *
 * @example
 * const api = await startHttpIngest({ port: 0 });
 * await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { 'x-api-key': key }, body });
 */
export async function startHttpIngest(
  options: { port?: number; host?: string; deps?: HttpIngestDeps } = {},
): Promise<HttpIngestServer> {
  const mod = await import('./handler.js');
  const handler = options.deps ? mod.makeHandler(options.deps) : mod.handler;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (req.method !== 'POST' || url.pathname !== '/v1/events') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"POST /v1/events"}');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const event = {
        version: '2.0',
        routeKey: 'POST /v1/events',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
        requestContext: { requestId: randomUUID(), http: { method: 'POST', path: url.pathname } },
      } as unknown as APIGatewayProxyEventV2;
      try {
        const out = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
        res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>).end(out.body ?? '');
      } catch (err) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: String(err) }));
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
