/**
 * Signed DynamoDB requests sent below the SDK's per-request pipeline, for the clients that write their own
 * request bodies and read their own answers: the document client's single-item and query requests
 * (direct-document.ts), the usage store's INSERT batches and hash reads (usage-write-client.ts).
 *
 * What stays the SDK's: the endpoint (captured from the first request the SDK sends through the client, so its
 * endpoint rules, `AWS_ENDPOINT_URL_DYNAMODB`, FIPS and dual-stack settings hold), credentials, region, clock
 * offset, `maxAttempts` and the HTTP handler's settings (agent, keep-alive, socket count, timeouts). What is
 * ours: SigV4 for a JSON POST to `/` (`signRequest`, checked against `@smithy/signature-v4` in its test) and
 * the retries: throttling, any 5xx, timeouts and broken connections are sent again with full-jitter backoff
 * (base 500 ms for throttling, 100 ms otherwise, at most 20 s, as the SDK's standard strategy) up to
 * `maxAttempts`. Not ported: the SDK's retry quota and its clock-skew correction.
 *
 * The request itself: with the SDK's own `NodeHttpHandler` and no connection or request timeout configured
 * (the default), it goes out with node's `http.request` on that handler's agent, with the handler's socket
 * timeout, and the answer is read into one buffer. The handler's `handle` costs ~100 µs more a request: four
 * timers, listeners for timeouts and keep-alive, and a `Writable` piped per answer to collect its body
 * (`streamCollector`), about 4 µs per event of ingestion's 25-event batches. Dropped with it: only the
 * handler's warning when requests queue for sockets. Any other handler (a custom one, or one with those
 * timeouts) is called as before.
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpResponseLike, SerdeConfig } from './json-answer.js';

const CONTENT_TYPE = 'application/x-amz-json-1.0';

/** Where the SDK sent its first request: what every direct request is sent to. */
interface Endpoint {
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  /** The Host header value (`hostname[:port]`). */
  readonly host: string;
}

/** What direct requests read of a DynamoDB client's resolved configuration (present on every SDK v3 client). */
export interface DirectConfig extends SerdeConfig {
  credentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  region(): Promise<string>;
  maxAttempts(): Promise<number>;
  systemClockOffset?: number;
  requestHandler: {
    handle(request: object, options?: object): Promise<{ response: HttpResponseLike }>;
    httpHandlerConfigs?(): NodeHandlerConfig;
    metadata?: { handlerProtocol?: string };
  };
}

/**
 * What the SDK's `NodeHttpHandler` returns from `httpHandlerConfigs()`: its resolved settings, once its first
 * request has resolved them (`{}` before, and again after a settings change until its next request).
 */
interface NodeHandlerConfig {
  httpAgent?: unknown;
  httpsAgent?: unknown;
  connectionTimeout?: number;
  requestTimeout?: number;
  socketTimeout?: number;
  defaultSocketTimeout?: number;
}

export interface SigningInput {
  /** The operation (`X-Amz-Target`), e.g. `DynamoDB_20120810.GetItem`. */
  readonly target: string;
  readonly host: string;
  readonly body: Uint8Array;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly date: Date;
}

/** `YYYYMMDD'T'HHMMSS'Z'` of an instant. */
function amzDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

let keyCache: { scope: string; secret: string; key: Buffer } | undefined;

function signingKey(secret: string, day: string, region: string): Buffer {
  const scope = `${day}/${region}`;
  if (keyCache !== undefined && keyCache.scope === scope && keyCache.secret === secret) return keyCache.key;
  let key = createHmac('sha256', `AWS4${secret}`).update(day).digest();
  key = createHmac('sha256', key).update(region).digest();
  key = createHmac('sha256', key).update('dynamodb').digest();
  key = createHmac('sha256', key).update('aws4_request').digest();
  keyCache = { scope, secret, key };
  return key;
}

/**
 * The headers of a signed DynamoDB request (SigV4, service `dynamodb`, POST to `/`, no query, the signing key
 * cached per day, region and secret): content type, target, host, date, session token when there is one, and
 * the authorization.
 */
export function signRequest(input: SigningInput): Record<string, string> {
  const target = input.target;
  const date = amzDate(input.date);
  const day = date.slice(0, 8);
  const token = input.sessionToken;
  const signed = token
    ? 'content-type;host;x-amz-date;x-amz-security-token;x-amz-target'
    : 'content-type;host;x-amz-date;x-amz-target';
  const canonical =
    `POST\n/\n\ncontent-type:${CONTENT_TYPE}\nhost:${input.host}\nx-amz-date:${date}\n` +
    (token ? `x-amz-security-token:${token}\n` : '') +
    `x-amz-target:${target}\n\n${signed}\n${createHash('sha256').update(input.body).digest('hex')}`;
  const scope = `${day}/${input.region}/dynamodb/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(input.secretAccessKey, day, input.region))
    .update(toSign)
    .digest('hex');
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPE,
    'x-amz-target': target,
    host: input.host,
    'x-amz-date': date,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`,
  };
  if (token) headers['x-amz-security-token'] = token;
  return headers;
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
  'TooManyRequestsException',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

interface ErrorLike {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function isThrottling(err: ErrorLike): boolean {
  return THROTTLING.has(err.name ?? '') || err.$metadata?.httpStatusCode === 429;
}

/** Throttling, a 5xx, a timeout or a broken connection: worth sending the same request again. */
export function isRetryableRequestError(err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false;
  const e = err as ErrorLike;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return isThrottling(e) || status >= 500 || NETWORK.has(e.code ?? '') || e.name === 'TimeoutError';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends signed JSON requests to the endpoint a client's first SDK request went to. Until that request has
 * gone, `ready` is false and the caller sends through the SDK.
 */
export class DirectRequester {
  #endpoint: Endpoint | undefined;
  readonly #config: DirectConfig;

  /**
   * @param config the client's resolved configuration.
   * @param stack the client's middleware stack: a middleware there notes the endpoint of the first request.
   */
  constructor(config: object, stack: { add(mw: unknown, options: object): void }) {
    this.#config = config as DirectConfig;
    stack.add(
      (next: (args: unknown) => Promise<unknown>) =>
        async (args: { request?: Endpoint & { headers?: Record<string, string> } }) => {
          const r = args.request;
          if (this.#endpoint === undefined && r !== undefined) {
            const port = r.port;
            this.#endpoint = {
              protocol: r.protocol,
              hostname: r.hostname,
              path: r.path,
              ...(port !== undefined ? { port } : {}),
              host: r.headers?.host ?? (port !== undefined ? `${r.hostname}:${port}` : r.hostname),
            };
          }
          return next(args);
        },
      // After the SDK's host header and endpoint are set, before signing.
      { step: 'finalizeRequest', priority: 'high', name: 'directRequestEndpointMiddleware' },
    );
  }

  get ready(): boolean {
    return this.#endpoint !== undefined;
  }

  /**
   * Sends `body` as operation `target` (its `X-Amz-Target`) and reads the answer with `read`, which throws
   * the service's exception for a refused request; retries as the file comment says. `$metadata` gets the
   * attempts and the total delay.
   */
  async send<T extends { $metadata: object }>(
    target: string,
    body: Uint8Array,
    read: (response: HttpResponseLike) => Promise<T>,
  ): Promise<T> {
    const endpoint = this.#endpoint;
    if (endpoint === undefined)
      throw new Error(`${target}: no endpoint yet (send one request through the SDK)`);
    const attempts = await this.#config.maxAttempts();
    let delayed = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await read(await this.#once(target, body, endpoint));
        Object.assign(out.$metadata, { attempts: attempt, totalRetryDelay: delayed });
        return out;
      } catch (err) {
        if (attempt >= attempts || !isRetryableRequestError(err)) throw err;
        const base = isThrottling(err as ErrorLike) ? 500 : 100;
        const delay = Math.random() * Math.min(20_000, base * 2 ** (attempt - 1));
        delayed += delay;
        await sleep(delay);
      }
    }
  }

  /**
   * The agent and socket timeout (0: none) of the client's handler when it is the SDK's `NodeHttpHandler`
   * with its settings resolved and no connection or request timeout (see the file comment); `undefined`:
   * send through the handler.
   */
  #nodeTransport(protocol: string): { agent: Agent; socketTimeout: number } | undefined {
    const handler = this.#config.requestHandler;
    if (handler.metadata?.handlerProtocol !== 'http/1.1' || typeof handler.httpHandlerConfigs !== 'function')
      return undefined;
    const c = handler.httpHandlerConfigs();
    const agent = protocol === 'https:' ? c.httpsAgent : c.httpAgent;
    if (!(agent instanceof Agent) || (c.connectionTimeout ?? 0) > 0 || (c.requestTimeout ?? 0) > 0)
      return undefined;
    return { agent, socketTimeout: c.socketTimeout ?? c.defaultSocketTimeout ?? 0 };
  }

  async #once(target: string, body: Uint8Array, endpoint: Endpoint): Promise<HttpResponseLike> {
    const config = this.#config;
    const [credentials, region] = await Promise.all([config.credentials(), config.region()]);
    const headers = signRequest({
      target,
      host: endpoint.host,
      body,
      region,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      date: new Date(Date.now() + (config.systemClockOffset ?? 0)),
    });
    headers['content-length'] = String(body.length);
    const node = this.#nodeTransport(endpoint.protocol);
    if (node !== undefined) return post(endpoint, headers, body, node.agent, node.socketTimeout);
    const { response } = await config.requestHandler.handle({
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port !== undefined ? { port: endpoint.port } : {}),
      path: endpoint.path,
      method: 'POST',
      query: {},
      headers,
      body,
    });
    return response;
  }
}

/** Socket errors the SDK's handler renames `TimeoutError` (its retry strategy and ours retry them either way). */
const NODE_TIMEOUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * One POST on a node agent; the answer with its whole body as bytes (a chunked one too: node's parser
 * removes the framing). A socket idle for `socketTimeout` ms (0: no limit) fails with a `TimeoutError`, as
 * the SDK's handler does.
 */
function post(
  endpoint: Endpoint,
  headers: Record<string, string>,
  body: Uint8Array,
  agent: Agent,
  socketTimeout: number,
): Promise<HttpResponseLike> {
  return new Promise((resolve, reject) => {
    const req = (endpoint.protocol === 'https:' ? httpsRequest : httpRequest)(
      {
        host: endpoint.hostname,
        ...(endpoint.port !== undefined ? { port: endpoint.port } : {}),
        path: endpoint.path,
        method: 'POST',
        headers,
        agent,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            statusCode: res.statusCode ?? -1,
            headers: res.headers as Record<string, string | undefined>,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(NODE_TIMEOUT_CODES.has(err.code ?? '') ? Object.assign(err, { name: 'TimeoutError' }) : err),
    );
    if (socketTimeout > 0) {
      req.setTimeout(socketTimeout, () =>
        req.destroy(
          Object.assign(new Error(`the request socket timed out after ${socketTimeout} ms of inactivity`), {
            name: 'TimeoutError',
          }),
        ),
      );
    }
    req.end(body);
  });
}
