/**
 * The usage store's write client: a `DynamoDBClient` that sends `InsertBatchCommand`s below the SDK's
 * per-request pipeline, and everything else through it.
 *
 * Why: ingestion sends one BatchExecuteStatement per 25 events, and the SDK's per-request work (its middleware
 * stack: endpoint resolution, retry tokens, the signer's canonical request with header sorting and regexes,
 * a fresh HMAC to look its signing-key cache up, user agent, content length, the schema serde) cost about
 * 500 µs of CPU a request, 20 µs per event, as much as all of ingestion's own decisions. Measured against
 * dynalite with the same bodies: SDK 31–55 µs per event, this path 12–21 µs.
 *
 * How: the first request goes through the SDK and shows the endpoint; later ones are signed and sent by
 * `DirectRequester` (direct-request.ts: the SDK's endpoint, credentials, HTTP handler and `maxAttempts`, our
 * SigV4 and retries of throttling, 5xx and network errors). The typed exceptions of a refused request come
 * from the client's protocol. A request that still fails throws, and the usage store makes its inputs errors,
 * which the queue redelivers.
 */
import {
  type AttributeValue,
  BatchGetItem$,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  DynamoDBClient,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DirectRequester } from './direct-request.js';
import { InsertBatchCommand, readInsertAnswer } from './insert-batch.js';
import {
  decodeItemBinary,
  type HttpResponseLike,
  operationOf,
  readJsonAnswer,
  type SerdeConfig,
} from './json-answer.js';

const INSERT_TARGET = 'DynamoDB_20120810.BatchExecuteStatement';
const GET_TARGET = 'DynamoDB_20120810.BatchGetItem';

/**
 * The usage store's consistent BatchGetItem of event keys (string attributes only): a `BatchGetItemCommand`
 * any client sends, whose JSON body is its input as it stands (`body`), so `UsageWriteClient` sends it
 * itself like an InsertBatch (duplicates the local stack's INSERT refuses without the stored item, 100 keys a
 * request, cost about 3 ms of SDK CPU each).
 */
export class ReadHashesCommand extends BatchGetItemCommand {
  /** The request body: the input in DynamoDB JSON (strings only, so the SDK would write the same). */
  readonly body: Uint8Array;

  constructor(table: string, keys: readonly Record<string, AttributeValue>[], projection: string) {
    const input = {
      RequestItems: { [table]: { Keys: [...keys], ProjectionExpression: projection, ConsistentRead: true } },
      ReturnConsumedCapacity: 'TOTAL' as const,
    };
    super(input);
    this.body = Buffer.from(JSON.stringify(input), 'utf8');
  }
}

const getOperation = operationOf(BatchGetItem$);

/** A BatchGetItem answer as DynamoDB JSON (binary values decoded), or the SDK's typed exception. */
async function readGetAnswer(
  config: SerdeConfig,
  response: HttpResponseLike,
): Promise<BatchGetItemCommandOutput> {
  const parsed = await readJsonAnswer<BatchGetItemCommandOutput>(config, response, getOperation);
  for (const items of Object.values(parsed.Responses ?? {})) for (const item of items) decodeItemBinary(item);
  return parsed;
}

/**
 * A `DynamoDBClient` whose `send(new InsertBatchCommand(...))` signs and sends the request itself once the
 * SDK has sent the first one (see the file comment); other commands, and calls with a callback or options,
 * go through the SDK. Built by `UsageStore.createWriteClient()`.
 */
export class UsageWriteClient extends DynamoDBClient {
  readonly #requester: DirectRequester;

  constructor(config: DynamoDBClientConfig) {
    super(config);
    this.#requester = new DirectRequester(this.config, this.middlewareStack as never);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded; this passes every form through.
  override send(...args: any[]): any {
    const [command] = args;
    if (args.length === 1 && this.#requester.ready) {
      const config = this.config as unknown as SerdeConfig;
      if (command instanceof InsertBatchCommand) {
        return this.#requester.send(INSERT_TARGET, command.body, (r) => readInsertAnswer(config, r, {}));
      }
      if (command instanceof ReadHashesCommand) {
        return this.#requester.send(GET_TARGET, command.body, (r) => readGetAnswer(config, r));
      }
    }
    return (super.send as (...a: unknown[]) => unknown)(...args);
  }
}
