import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type QueueDefinition, queues as queueDefinitions } from '@tally/resources';
import { TestClock } from './clock.js';
import { type DynamoProcess, type Emulator, startDynamo, startSes, startSqs } from './emulators.js';
import { SqsEventSource, type SqsHandler } from './event-source.js';
import { checkLayouts, createResources, type LocalResources } from './resources.js';
import { LocalScheduler } from './scheduler.js';

export interface LocalStackOptions {
  /** Folder for dynalite's LevelDB files; in memory when absent. */
  readonly dataDir?: string;
  /** Prefix of table and queue names. Default `tally-`. */
  readonly prefix?: string;
  /** Where the test clock starts. Default 2026-01-01T00:00:00Z. */
  readonly clockStart?: Date | string;
  /** Write the endpoint and resource variables into process.env (default true), so SDK clients built later use them. */
  readonly applyEnv?: boolean;
  /** Where dynalite runs: its own process (default, uses a second core) or this one. */
  readonly dynamoProcess?: DynamoProcess;
  /** Fixed ports (tests and `npm start` use free ones). */
  readonly ports?: { dynamodb?: number; sqs?: number; ses?: number };
}

export interface LocalStack {
  /** Environment for functions and tools: endpoints, dummy credentials, region, resource names. */
  readonly env: Readonly<Record<string, string>>;
  readonly endpoints: { readonly dynamodb: string; readonly sqs: string; readonly ses: string };
  readonly resources: LocalResources;
  readonly clients: { readonly ddb: DynamoDBClient; readonly sqs: SQSClient };
  readonly clock: TestClock;
  readonly scheduler: LocalScheduler;
  /** Wires a queue to a handler like Lambda's event source mapping, with the definition's batch settings. */
  connect(
    queue: QueueDefinition | string,
    handler: SqsHandler,
    overrides?: Partial<{
      batchSize: number;
      maxBatchingWindowSeconds: number;
      concurrency: number;
      retryVisibilitySeconds: number;
    }>,
  ): SqsEventSource;
  /** Resolves when every connected queue is empty and idle. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// The SDK warns once per process that Node 20 support ends; the machines here run Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Dummy credentials: the emulators accept any signature, and no real account is ever reached. */
const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * Starts dynalite, fauxqs and the SES emulator on free 127.0.0.1 ports, creates every table and queue
 * from the shared definitions, and returns the handle to wire handlers and drive the clock.
 *
 * @example
 * const stack = await startLocalStack();
 * stack.connect('UsageQueue', ingestHandler);
 * await stack.drained();
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started: Emulator[] = [];
  const sources: SqsEventSource[] = [];
  // Each emulator is recorded as soon as it is up, so a failure of another one still stops it.
  const track = (e: Emulator): Emulator => {
    started.push(e);
    return e;
  };
  try {
    const [dynamo, sqsEmu, ses] = await Promise.all([
      startDynamo({
        port: options.ports?.dynamodb,
        path: options.dataDir,
        process: options.dynamoProcess,
      }).then(track),
      startSqs({ port: options.ports?.sqs }).then(track),
      startSes({ port: options.ports?.ses }).then(track),
    ]);
    const clientConfig = {
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    // Middleware resolved once per command class, and no logger middleware (it filters every request and
    // response even when nothing logs): ~100 µs less CPU per request of the event-source pollers.
    const ddb = new DynamoDBClient({ ...clientConfig, endpoint: dynamo.endpoint, cacheMiddleware: true });
    const sqs = new SQSClient({ ...clientConfig, endpoint: sqsEmu.endpoint, cacheMiddleware: true });
    ddb.middlewareStack.remove('loggerMiddleware');
    sqs.middlewareStack.remove('loggerMiddleware');
    const resources = await createResources({ ddb, sqs }, options.prefix ?? 'tally-');
    // Persisted tables from an older key layout: refuse them rather than read them wrong.
    if (options.dataDir) await checkLayouts(ddb, resources, options.dataDir);
    const env: Record<string, string> = {
      ...LOCAL_AWS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqsEmu.endpoint,
      AWS_ENDPOINT_URL_SES: ses.endpoint,
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      ...resources.env,
    };
    if (options.applyEnv ?? true) Object.assign(process.env, env);
    const clock = new TestClock(options.clockStart);
    const scheduler = new LocalScheduler(clock);

    const stack: LocalStack = {
      env,
      endpoints: { dynamodb: dynamo.endpoint, sqs: sqsEmu.endpoint, ses: ses.endpoint },
      resources,
      clients: { ddb, sqs },
      clock,
      scheduler,
      connect(queue, handler, overrides = {}) {
        const def = typeof queue === 'string' ? queueDefinitions.find((q) => q.id === queue) : queue;
        if (!def)
          throw new RangeError(
            `unknown queue ${String(queue)}: known ${queueDefinitions.map((q) => q.id).join(', ')}`,
          );
        const q = resources.queues[def.id];
        if (!q) throw new RangeError(`queue ${def.id} was not created by this stack`);
        const source = new SqsEventSource(sqs, {
          functionName: def.consumer?.functionName ?? def.id,
          queueUrl: q.url,
          queueArn: q.arn,
          handler,
          batchSize: overrides.batchSize ?? def.consumer?.batchSize ?? 10,
          maxBatchingWindowSeconds:
            overrides.maxBatchingWindowSeconds ?? def.consumer?.maxBatchingWindowSeconds ?? 0,
          concurrency: overrides.concurrency ?? 1,
          ...(overrides.retryVisibilitySeconds !== undefined
            ? { retryVisibilitySeconds: overrides.retryVisibilitySeconds }
            : {}),
        });
        sources.push(source);
        source.start();
        return source;
      },
      async drained(timeoutMs) {
        await Promise.all(sources.map((s) => s.drained({ timeoutMs })));
      },
      async stop() {
        await Promise.all(sources.map((s) => s.stop()));
        ddb.destroy();
        sqs.destroy();
        await Promise.all(started.map((e) => e.stop()));
      },
    };
    return stack;
  } catch (err) {
    await Promise.all(sources.map((s) => s.stop()));
    await Promise.allSettled(started.map((e) => e.stop()));
    throw err;
  }
}
