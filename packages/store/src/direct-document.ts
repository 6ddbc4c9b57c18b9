/**
 * The document client's single-item and query requests, sent below the SDK's per-request pipeline.
 *
 * Why: with its handlers cached per command class (document-client.ts), a document-client request still cost
 * ~300 µs of CPU before any byte left (SigV4 16 %, endpoint middleware 8 %, schema serde 9 %, user agent 6 %,
 * GC 9 %; BENCHMARKS.md, "requests"), against ~100 µs for a plain signed POST. Billing, delivery and dunning
 * send tens of thousands of such requests in a demo run, on the thread every function shares.
 *
 * How: for Get, Put, Update, Delete and Query, the input is marshalled as lib-dynamodb marshals it (each
 * value of `Key`, `Item`, `ExpressionAttributeValues`, `ExclusiveStartKey` through util-dynamodb's `marshall`
 * with the client's translate options), written with one `JSON.stringify` (binary values as base64, as the
 * SDK's serializer writes them), signed (`signRequest`, checked against `@smithy/signature-v4` in its
 * test) and sent with the client's own HTTP handler's settings (direct-request.ts). A 2xx answer is read with
 * one `JSON.parse` and unmarshalled as lib-dynamodb does (`Item`, `Items`, `Attributes`, `LastEvaluatedKey`);
 * any other answer goes to the client's protocol, which throws the same typed exception the SDK would
 * (ConditionalCheckFailedException, throttling, 5xx). Endpoint, signing and retries: `DirectRequester`
 * (direct-request.ts), after the SDK's first request through the client has shown the endpoint.
 *
 * Inputs this path does not translate (the legacy `Expected`, `AttributeUpdates`, `KeyConditions`,
 * `QueryFilter`, or `ReturnItemCollectionMetrics`) take the SDK's path, as do other commands.
 */
import { DeleteItem$, GetItem$, PutItem$, Query$, UpdateItem$ } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type TranslateConfig,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type marshallOptions, unmarshall, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import { type DirectConfig, DirectRequester } from './direct-request.js';
import { decodeBinary, encodeBinary, operationOf, readJsonAnswer } from './json-answer.js';

/** The document commands sent directly: their operation name and schema. */
const OPERATIONS = new Map<unknown, { target: string; operation: ReturnType<typeof operationOf> }>([
  [GetCommand, { target: 'DynamoDB_20120810.GetItem', operation: operationOf(GetItem$) }],
  [PutCommand, { target: 'DynamoDB_20120810.PutItem', operation: operationOf(PutItem$) }],
  [UpdateCommand, { target: 'DynamoDB_20120810.UpdateItem', operation: operationOf(UpdateItem$) }],
  [DeleteCommand, { target: 'DynamoDB_20120810.DeleteItem', operation: operationOf(DeleteItem$) }],
  [QueryCommand, { target: 'DynamoDB_20120810.Query', operation: operationOf(Query$) }],
]);

/** Input members whose every value is a document value (lib-dynamodb's `ALL_VALUES` nodes). */
const ITEM_INPUTS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;
/** Input members this path does not translate: such a command takes the SDK's path. */
const UNTRANSLATED = [
  'Expected',
  'AttributeUpdates',
  'KeyConditions',
  'QueryFilter',
  'ReturnItemCollectionMetrics',
];

type AttributeJson = Record<string, unknown>;

/** Each own value of a document map marshalled (undefined and function values left out, as lib-dynamodb does). */
function marshallValues(
  values: Record<string, unknown>,
  options: marshallOptions,
): Record<string, AttributeJson> {
  const out: Record<string, AttributeJson> = {};
  for (const k of Object.keys(values)) {
    const v = values[k];
    if (v === undefined || typeof v === 'function') continue;
    out[k] = encodeBinary(marshall(v as never, options) as unknown as AttributeJson);
  }
  return out;
}

function unmarshallValues(
  values: Record<string, AttributeJson>,
  options: unmarshallOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(values)) out[k] = unmarshall(decodeBinary(values[k]!) as never, options);
  return out;
}

/**
 * Sends a DynamoDB client's Get, Put, Update, Delete and Query document commands directly (see the file
 * comment) once the SDK has sent one request and shown the endpoint. `send` answers undefined for a command
 * it does not take; the caller then sends it through the SDK.
 */
export class DirectDocumentRequests {
  readonly #requester: DirectRequester;
  readonly #config: DirectConfig;
  readonly #marshall: marshallOptions;
  readonly #unmarshall: unmarshallOptions;

  /**
   * @param config the low-level client's resolved configuration (a document client shares it).
   * @param stack the client's middleware stack: a middleware there notes the endpoint of the first request.
   */
  constructor(
    config: object,
    stack: { add(mw: unknown, options: object): void },
    translate?: TranslateConfig,
  ) {
    this.#requester = new DirectRequester(config, stack);
    this.#config = config as DirectConfig;
    // lib-dynamodb's defaults for values marshalled one by one.
    this.#marshall = { ...translate?.marshallOptions, convertTopLevelContainer: true };
    this.#unmarshall = { ...translate?.unmarshallOptions, convertWithoutMapWrapper: true };
  }

  /** The command's output, or undefined when this path does not take the command. */
  send(command: { constructor: unknown; input: object }): Promise<unknown> | undefined {
    const op = OPERATIONS.get(command.constructor);
    if (op === undefined || !this.#requester.ready) return undefined;
    const input = command.input as Record<string, unknown>;
    if (UNTRANSLATED.some((k) => input[k] !== undefined)) return undefined;
    const wire: Record<string, unknown> = { ...input };
    for (const k of ITEM_INPUTS) {
      const values = input[k];
      if (values !== undefined) wire[k] = marshallValues(values as Record<string, unknown>, this.#marshall);
    }
    const body = Buffer.from(JSON.stringify(wire), 'utf8');
    return this.#requester.send(op.target, body, async (response) => {
      const out = await readJsonAnswer<Record<string, unknown>>(this.#config, response, op.operation);
      const u = this.#unmarshall;
      for (const k of ['Item', 'Attributes', 'LastEvaluatedKey'] as const) {
        if (out[k] !== undefined) out[k] = unmarshallValues(out[k] as Record<string, AttributeJson>, u);
      }
      if (Array.isArray(out.Items)) out.Items = out.Items.map((i) => unmarshallValues(i, u));
      return out;
    });
  }
}
