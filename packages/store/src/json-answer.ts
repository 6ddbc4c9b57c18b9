/**
 * Reading DynamoDB's JSON answers without the SDK's schema deserializer, for the requests tally writes itself
 * (the usage store's INSERT batches and hash reads, the document client's direct requests): one place for
 * the status check, the body, `$metadata` and binary values, so the three readers cannot drift apart.
 */

/** What an answer reader needs of the client's resolved configuration (present on every SDK v3 client). */
export interface SerdeConfig {
  streamCollector(body: unknown): Promise<Uint8Array>;
  protocol: {
    deserializeResponse(operation: unknown, context: unknown, response: unknown): Promise<unknown>;
  };
}

export interface HttpResponseLike {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** An operation as the protocol's `deserializeResponse` takes it, from the SDK's static schema (`GetItem$`, …). */
export function operationOf(schema: readonly unknown[]) {
  return { namespace: schema[1], name: schema[2], traits: schema[3], input: schema[4], output: schema[5] };
}

/**
 * A 2xx answer's body with one `JSON.parse` (DynamoDB JSON as it came: binary values still base64) and its
 * `$metadata`; any other status raises the SDK's typed service exception (ConditionalCheckFailedException,
 * throttling, 5xx) with its `$metadata`, parsed by the client's protocol as its own deserializer does.
 * `context` is the middleware context, if any.
 */
export async function readJsonAnswer<T>(
  config: SerdeConfig,
  response: HttpResponseLike,
  operation: ReturnType<typeof operationOf>,
  context: object = {},
): Promise<T & { $metadata: Record<string, unknown> }> {
  if (response.statusCode < 200 || response.statusCode >= 300) {
    await config.protocol.deserializeResponse(operation, { ...config, ...context }, response);
    throw new Error(`${String(operation.name)}: HTTP ${response.statusCode} without a service error`);
  }
  const body = response.body;
  const bytes = body instanceof Uint8Array ? body : await config.streamCollector(body);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const parsed = (text.length > 0 ? JSON.parse(text) : {}) as T & { $metadata: Record<string, unknown> };
  const h = response.headers;
  parsed.$metadata = {
    httpStatusCode: response.statusCode,
    requestId: h['x-amzn-requestid'] ?? h['x-amzn-request-id'] ?? h['x-amz-request-id'],
    extendedRequestId: h['x-amz-id-2'],
    cfId: h['x-amz-cf-id'],
  };
  return parsed;
}

type AttributeJson = Record<string, unknown>;

export function base64(bytes: Uint8Array): string {
  return (
    Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  ).toString('base64');
}

const fromBase64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** Binary values of an attribute value (nested ones too) as base64 text, as the SDK's JSON serializer writes them. */
export function encodeBinary(av: AttributeJson): AttributeJson {
  if (av.B instanceof Uint8Array) av.B = base64(av.B);
  else if (Array.isArray(av.BS)) av.BS = av.BS.map((b: Uint8Array) => base64(b));
  else if (Array.isArray(av.L)) for (const v of av.L) encodeBinary(v as AttributeJson);
  else if (av.M !== undefined)
    for (const v of Object.values(av.M as object)) encodeBinary(v as AttributeJson);
  return av;
}

/** Binary values of an answer's attribute value (nested ones too) as bytes, as the SDK's JSON deserializer returns them. */
export function decodeBinary(av: AttributeJson): AttributeJson {
  if (typeof av.B === 'string') av.B = fromBase64(av.B);
  else if (Array.isArray(av.BS)) av.BS = av.BS.map((b: string) => fromBase64(b));
  else if (Array.isArray(av.L)) for (const v of av.L) decodeBinary(v as AttributeJson);
  else if (av.M !== undefined)
    for (const v of Object.values(av.M as object)) decodeBinary(v as AttributeJson);
  return av;
}

/** `decodeBinary` on each attribute of an item in an answer, if there is one. */
export function decodeItemBinary(item: Record<string, unknown> | undefined): void {
  if (item === undefined) return;
  for (const k in item) decodeBinary(item[k] as AttributeJson);
}
