/**
 * Signed DynamoDB requests sent below the SDK's per-request pipeline, for the clients that write their own
 * request bodies and read their own answers (the document client's single-item and query requests,
 * direct-document.ts).
 *
 * What stays the SDK's: the endpoint (captured from the first request the SDK sends through the client, so its
 * endpoint rules, `AWS_ENDPOINT_URL_DYNAMODB`, FIPS and dual-stack settings hold), credentials, region, clock
 * offset, `maxAttempts` and the HTTP handler (agent, keep-alive, timeouts). What is ours: SigV4 for a JSON POST
 * to `/` (`signInsertBatch`, checked against `@smithy/signature-v4` in its test) and the retries: throttling,
 * any 5xx, timeouts and broken connections are sent again with full-jitter backoff (base 500 ms for
 * throttling, 100 ms otherwise, at most 20 s, as the SDK's standard strategy) up to `maxAttempts`. Not ported:
 * the SDK's retry quota and its clock-skew correction.
 */
import type { HttpResponseLike, SerdeConfig } from './insert-batch.js';
import { isRetryable, signInsertBatch } from './usage-write-client.js';

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
  };
}

const THROTTLING = /Throughput|Throttl|RequestLimit|TooManyRequests/;
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
        if (attempt >= attempts || !isRetryable(err)) throw err;
        const base = THROTTLING.test((err as { name?: string }).name ?? '') ? 500 : 100;
        const delay = Math.random() * Math.min(20_000, base * 2 ** (attempt - 1));
        delayed += delay;
        await sleep(delay);
      }
    }
  }

  async #once(target: string, body: Uint8Array, endpoint: Endpoint): Promise<HttpResponseLike> {
    const config = this.#config;
    const [credentials, region] = await Promise.all([config.credentials(), config.region()]);
    const headers = signInsertBatch({
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
