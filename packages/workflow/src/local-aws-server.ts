import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A service error in the AWS JSON protocol: the SDK turns `__type` into the exception class. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type JsonOperation = (input: Record<string, unknown>) => Promise<unknown> | unknown;

export interface LocalAwsServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, contentType: string, payload: unknown): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(JSON.stringify(payload));
}

/**
 * A tiny server speaking the AWS JSON protocol (1.0 / 1.1): POST / with `X-Amz-Target: <prefix>.<Operation>`
 * and a JSON body. Enough for the SDK clients of services the local stack has no emulator for. Bound to
 * 127.0.0.1 only; it checks no signature (the local credentials are dummies).
 */
export async function startJsonServer(opts: {
  targetPrefix: string;
  contentType: string;
  operations: Readonly<Record<string, JsonOperation>>;
  port?: number;
}): Promise<LocalAwsServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith(`${opts.targetPrefix}.`)
        ? opts.operations[target.slice(opts.targetPrefix.length + 1)]
        : undefined;
      try {
        if (!op) throw new AwsJsonError('UnknownOperationException', `${target} is not supported locally`);
        const text = await body(req);
        reply(res, 200, opts.contentType, (await op(text ? JSON.parse(text) : {})) ?? {});
      } catch (err) {
        const e = err instanceof AwsJsonError ? err : new AwsJsonError('InternalFailure', String(err), 500);
        reply(res, e.status, opts.contentType, { __type: e.type, message: e.message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
