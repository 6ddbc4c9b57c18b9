import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context.js';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | string | undefined | object>;

export interface LocalHttpApi {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * An API Gateway HTTP API (payload 2.0) for one route, run locally: a node:http server on 127.0.0.1 that
 * turns each request into the v2 event (raw body bytes kept as received, so signatures over them verify)
 * and calls the same handler the Lambda runs. Other methods and paths get 404; bodies over `maxBodyBytes`
 * get 413, as API Gateway refuses payloads over its limit.
 *
 * @example
 * const api = await startHttpApi({ route: 'POST /v1/events', handler, functionName: 'http-ingest' });
 * await fetch(`${api.url}/v1/events`, { method: 'POST', body });
 */
export async function startHttpApi(options: {
  /** `METHOD /path`, e.g. `POST /v1/events`. */
  readonly route: string;
  readonly handler: HttpApiHandler;
  readonly functionName: string;
  readonly port?: number;
  readonly maxBodyBytes?: number;
}): Promise<LocalHttpApi> {
  const [method, path] = options.route.split(' ') as [string, string];
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (req.method !== method || url.pathname !== path) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: options.route }));
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const event = {
        version: '2.0',
        routeKey: options.route,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        isBase64Encoded: false,
        requestContext: { requestId: randomUUID(), http: { method, path: url.pathname } },
      } as unknown as APIGatewayProxyEventV2;
      try {
        const out = (await options.handler(
          event,
          lambdaContext(options.functionName),
        )) as APIGatewayProxyStructuredResultV2;
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
