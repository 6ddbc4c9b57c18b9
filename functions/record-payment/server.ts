import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RecordPaymentDeps } from './handler.js';

export interface WebhookServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const PATH = '/v1/payments/webhook';
const MAX_BODY = 262_144;

/**
 * The payment webhook for the local stack: a node:http server on 127.0.0.1 that turns each request into an
 * API Gateway HTTP API (v2) event and calls the record-payment handler. `POST /v1/payments/webhook` only.
 *
 * @example
 * const hook = await startWebhookServer({ deps });
 * await fetch(`${hook.url}/v1/payments/webhook`, { method: 'POST', headers: { 'tally-signature': sig }, body });
 */
export async function startWebhookServer(
  options: { port?: number; deps?: RecordPaymentDeps } = {},
): Promise<WebhookServer> {
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
      if (req.method !== 'POST' || url.pathname !== PATH) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(`{"message":"POST ${PATH}"}`);
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const event = {
        version: '2.0',
        routeKey: `POST ${PATH}`,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        // The raw bytes as received: the signature covers them exactly.
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
