import {
  type LocalStack,
  type SqsHandler,
  startLocalStack,
  type TaskHandler,
  type TestClock,
} from '@tally/local-stack';
import { SqsSender } from '@tally/queue';
import { usageQueue } from '@tally/resources';
import { type LocalDunning, startLocalDunning } from '@tally/workflow/local';
import { PipelineOptionsError } from './errors.js';
import { HandlerPool } from './handler-pool.js';
import {
  addTotals,
  buildHandlers,
  type FunctionLog,
  type FunctionName,
  type IngestTotals,
  type Invoke,
} from './handlers.js';
import { statelessTemplate } from './template.js';

export type { FunctionLog, IngestTotals } from './handlers.js';

/** Faults injected into the running functions (chaos soak). Rates are probabilities per call, 0 to 1. */
export interface PipelineFaults {
  /** An ingest invocation throws after its writes, so its whole batch is redelivered. */
  readonly crashAfterWriteRate?: number;
  /**
   * A request of the usage store's DynamoDB client fails with ProvisionedThroughputExceededException unsent,
   * inside the SDK's retry loop: the client retries it as it retries a real throttle (see `injectThrottling`).
   */
  readonly throttleRate?: number;
  /**
   * A SendEmail request fails with a transient SES error (TooManyRequestsException), unsent, inside the
   * mailer's backoff: the mailer retries it as it retries a real one (see `failingSesClient`). A send that
   * fails every attempt fails the delivery, whose request comes back through the queue.
   */
  readonly sesFailureRate?: number;
  /** Uniform [0, 1) source; default Math.random. */
  readonly random?: () => number;
  /**
   * Uniform [0, 1) source of the SES failures alone; default `random`. Its own stream makes which sends fail
   * independent of how the other faults' draws interleave with them (a small run then injects the same ones).
   */
  readonly sesRandom?: () => number;
  /** Uniform [0, 1) source of the ingest crashes alone; default `random` (see `sesRandom`). */
  readonly crashRandom?: () => number;
  /** Uniform [0, 1) source of the DynamoDB throttles alone; default `random` (see `sesRandom`). */
  readonly throttleRandom?: () => number;
}

/** Logs kept at most (the oldest are dropped beyond it). */
const MAX_FUNCTION_LOGS = 10_000;

/**
 * Where a run spent its time, per function (and the demo's own callers): invocations and the wall time they
 * took, summed; `<name> threw` counts the invocations that threw (they are in `<name>` too). Concurrent
 * invocations overlap, so the sum of all may exceed the run's wall time. `clock` (moving the test clock) holds
 * what its listeners ran: close-periods and the dunning steps the move released.
 */
export type FunctionTimings = Record<string, { calls: number; ms: number }>;

/** How many faults were injected. */
export interface FaultCounts {
  crashes: number;
  throttles: number;
  sesFailures: number;
}

export interface LocalPipelineOptions {
  /** Faults to inject; none when absent. */
  readonly faults?: PipelineFaults;
  /** dynalite's LevelDB folder; in memory when absent. */
  readonly dataDir?: string;
  /** Where the test clock starts. */
  readonly clockStart: string;
  /** The sender address of every mail. Default billing@tally.local. */
  readonly sender?: string;
  /** Secret payment webhooks are signed with. Default a fixed local value. */
  readonly webhookSecret?: string;
  /** Concurrent ingest invocations (the event source mapping's maximum concurrency). Default 2. */
  readonly ingestConcurrency?: number;
  /** Where dunning's provisioning events are logged (JSON lines). */
  readonly busLogFile?: string;
  /** Powertools log level of the functions. Default SILENT (the summary says what happened). */
  readonly logLevel?: 'SILENT' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
  /**
   * Worker threads that run the functions (see {@link HandlerPool}); 0 (default) runs them on this thread.
   * With 1 or more, this thread keeps the emulators, the queue pollers, the scheduler, the clock and the
   * accounting, and the functions' CPU (SDK clients, PDF rendering, the domain) moves to other cores.
   * Crash-after-write faults work in both modes; throttling and SES-failure faults only with 0 (their
   * random sources cannot cross threads).
   */
  readonly handlerThreads?: number;
}

export interface LocalPipeline {
  readonly stack: LocalStack;
  readonly clock: TestClock;
  readonly dunning: LocalDunning;
  readonly env: Readonly<Record<string, string>>;
  readonly ingest: IngestTotals;
  /** The local HTTP APIs: usage ingest (x-api-key) and the signed payment webhook. */
  readonly urls: { readonly ingest: string; readonly webhook: string };
  /** Faults injected so far (all zero without `faults`). */
  readonly faults: FaultCounts;
  /** Warnings and errors of bill-subscription and deliver-invoice, oldest first (see {@link FunctionLog}). */
  readonly logs: readonly FunctionLog[];
  /** Time spent in each function so far (see {@link FunctionTimings}); `settle` counts the waits for quiet. */
  readonly timings: FunctionTimings;
  /** `fn`, with its wall time added to `timings[name]` (for callers' own work, such as the demo's payers). */
  timed<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Calls the payment webhook function (record-payment) with an API Gateway v2 event. */
  readonly webhook: (
    event: import('aws-lambda').APIGatewayProxyEventV2,
  ) => Promise<{ statusCode?: number; body?: string }>;
  /** Sends bodies to the usage queue in batch requests as producers do (SqsSender of @tally/queue). */
  sendUsage(bodies: readonly string[], onProgress?: (sent: number) => void): Promise<void>;
  /** Waits until every queue is empty and idle and every dunning execution waits on the clock. */
  settle(timeoutMs?: number): Promise<void>;
  /** Moves the clock to `to` in steps (default one hour), settling after each; schedules fire on the way. */
  advanceTo(to: string, stepMs?: number, onStep?: (now: Date) => unknown): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole of tally on this machine: the local stack, every function wired as in AWS (SQS event source
 * mappings, the hourly close-periods schedule, the dunning state machine from the synthesized template,
 * the payment webhook), all reading one test clock.
 *
 * Handlers are the real ones from functions/ (their `makeHandler`), with the clock and the usage store's
 * time source swapped for the test clock; everything else comes from their own `defaultDeps()`.
 */
export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const threads = options.handlerThreads ?? 0;
  if (!Number.isInteger(threads) || threads < 0) {
    throw new PipelineOptionsError('handlerThreads', `${threads} must be a whole number, 0 or more`);
  }
  if (threads > 0 && (options.faults?.throttleRate || options.faults?.sesFailureRate)) {
    throw new PipelineOptionsError(
      'handlerThreads',
      `throttling and SES-failure faults are injected inside the functions' clients on this thread; ` +
        `run them with handlerThreads 0 (got ${threads})`,
    );
  }
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL = options.logLevel ?? 'SILENT';
  process.env.POWERTOOLS_DEV ??= 'false';
  process.env.TALLY_SENDER ??= options.sender ?? 'billing@tally.local';
  process.env.TALLY_WEBHOOK_SECRET ??= options.webhookSecret ?? 'local-webhook-secret';
  process.env.TALLY_EVENT_BUS_NAME ??= 'tally-events';

  const stack = await startLocalStack({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    clockStart: options.clockStart,
  });
  const clock = stack.clock;
  const totals: IngestTotals = { inputs: 0, stored: 0, duplicate: 0, quarantined: {} };
  const faults = options.faults;
  const roll = faults?.random ?? Math.random;
  const injected: FaultCounts = { crashes: 0, throttles: 0, sesFailures: 0 };
  const logs: FunctionLog[] = [];
  const keepLog = (log: FunctionLog) => {
    logs.push(log);
    if (logs.length > MAX_FUNCTION_LOGS) logs.shift();
  };
  const timings: FunctionTimings = {};
  const count = (name: string, ms: number) => {
    const t = timings[name] ?? { calls: 0, ms: 0 };
    t.calls++;
    t.ms += ms;
    timings[name] = t;
  };
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (err) {
      // Thrown invocations are counted apart too (a dunning task's lost race is retried by the state machine).
      count(`${name} threw`, performance.now() - t0);
      throw err;
    } finally {
      count(name, performance.now() - t0);
    }
  };
  let dunning: LocalDunning | undefined;
  let pool: HandlerPool | undefined;
  try {
    // Set once the functions are built (below); the state machine calls its tasks only after executions start.
    let invoke: Invoke = () => Promise.reject(new Error('local pipeline: functions not built yet'));
    const run = async (name: FunctionName, event: unknown): Promise<unknown> =>
      (await timed(name, () => invoke(name, event))).result;
    const taskHandler =
      (name: FunctionName): TaskHandler =>
      (input) =>
        run(name, input) as never;
    // Dunning first: its endpoints (SFN, EventBridge) must be in the environment before the functions
    // that call them build their clients.
    dunning = await startLocalDunning({
      template: await statelessTemplate(),
      clock,
      handlers: {
        'dunning-decide': taskHandler('dunning-decide'),
        'dunning-act': taskHandler('dunning-act'),
      },
      ...(options.busLogFile ? { busLogFile: options.busLogFile } : {}),
    });
    Object.assign(process.env, dunning.env);

    if (threads > 0) {
      pool = await HandlerPool.start({ threads, clock: clock.buffer, env: process.env, onLog: keepLog });
      invoke = pool.invoke.bind(pool);
    } else {
      invoke = await buildHandlers({
        clock,
        onLog: keepLog,
        faults: {
          ...(faults?.throttleRate ? { throttleRate: faults.throttleRate } : {}),
          throttleRandom: faults?.throttleRandom ?? roll,
          onThrottle: () => injected.throttles++,
          ...(faults?.sesFailureRate ? { sesFailureRate: faults.sesFailureRate } : {}),
          sesRandom: faults?.sesRandom ?? roll,
          onSesFailure: () => injected.sesFailures++,
        },
      });
    }
    const countedIngest: SqsHandler = async (event) =>
      timed('ingest', async () => {
        const { result, accounting } = await invoke('ingest', event);
        // Thrown after the handler's writes: the batch comes back and its accounting counts then.
        if (faults?.crashAfterWriteRate && (faults.crashRandom ?? roll)() < faults.crashAfterWriteRate) {
          injected.crashes++;
          throw new Error('injected: ingest crashed after its writes');
        }
        if (accounting) addTotals(totals, accounting);
        return result as never;
      });

    const sqsHandler =
      (name: FunctionName): SqsHandler =>
      async (event) =>
        (await run(name, event)) as never;
    // Local speed-ups that keep the semantics: failed records come back after 1 s instead of the queue's
    // visibility timeout, and ingest does not wait out its 1 s batching window (it takes what is there).
    const fast = { retryVisibilitySeconds: 1 };
    const sources = [
      stack.connect('UsageQueue', countedIngest, {
        ...fast,
        maxBatchingWindowSeconds: 0,
        concurrency: options.ingestConcurrency ?? 2,
      }),
      stack.connect('BillingJobsQueue', sqsHandler('bill-subscription'), {
        ...fast,
        concurrency: 2,
      }),
      stack.connect('DeliveryQueue', sqsHandler('deliver-invoice'), {
        ...fast,
        concurrency: 2,
      }),
      stack.connect('MailFeedbackQueue', sqsHandler('mail-feedback'), fast),
    ];
    const invocations = () => sources.reduce((n, src) => n + src.stats.invocations, 0);
    stack.scheduler.add({
      name: 'close-periods',
      expression: 'rate(1 hour)',
      // close-periods reads the clock: one run per clock move does what 24 runs at the same instant would.
      catchUp: 'latest',
      fire: async () => {
        await run('close-periods', {});
      },
    });

    // The two HTTP APIs, on 127.0.0.1, calling the same handlers as API Gateway would.
    const { startHttpIngest } = await import('../../../functions/http-ingest/server.js');
    const ingestApi = await startHttpIngest({ port: 0 });
    const { startWebhookServer } = await import('../../../functions/record-payment/server.js');
    const payMod = await import('../../../functions/record-payment/handler.js');
    const { receivablesFromEnv } = await import('@tally/workflow');
    const webhookApi = await startWebhookServer({
      port: 0,
      deps: { ...payMod.defaultDeps(), receivables: receivablesFromEnv(process.env, clock), clock },
    });

    const usageSender = new SqsSender({
      queueUrl: stack.resources.queues[usageQueue.id]!.url,
      client: stack.clients.sqs,
      concurrency: 16,
    });
    const started = dunning;
    const settleNow = async (timeoutMs: number) => {
      // Draining one queue can fill another (billing → delivery, dunning → delivery): repeat until a
      // pass invokes nothing.
      for (let pass = 0; pass < 20; pass++) {
        const before = invocations() + started.sfn.executions.size;
        await stack.drained(timeoutMs);
        await started.idle();
        if (pool?.failure) throw pool.failure;
        if (invocations() + started.sfn.executions.size === before) return;
      }
    };
    const pipeline: LocalPipeline = {
      stack,
      clock,
      dunning: started,
      env: { ...stack.env, ...started.env },
      ingest: totals,
      urls: { ingest: `${ingestApi.url}/v1/events`, webhook: `${webhookApi.url}/v1/payments/webhook` },
      faults: injected,
      logs,
      timings,
      timed,
      webhook: async (event) => (await run('record-payment', event)) as never,
      async sendUsage(bodies, onProgress) {
        await timed('send usage', () => usageSender.send(bodies, onProgress ? { onProgress } : {}));
      },
      settle: (timeoutMs = 300_000) => timed('settle', () => settleNow(timeoutMs)),
      async advanceTo(to, stepMs = 3_600_000, onStep) {
        const end = Date.parse(to);
        for (let t = clock.now().getTime() + stepMs; t < end; t += stepMs) {
          await timed('clock', () => clock.set(new Date(t)));
          await pipeline.settle();
          await onStep?.(clock.now());
        }
        if (clock.now().getTime() < end) await timed('clock', () => clock.set(new Date(end)));
        await pipeline.settle();
        await onStep?.(clock.now());
      },
      async stop() {
        await ingestApi.stop();
        await webhookApi.stop();
        await started.stop();
        await stack.stop();
        await pool?.stop();
      },
    };
    return pipeline;
  } catch (err) {
    await dunning?.stop();
    await stack.stop();
    await pool?.stop();
    throw err;
  }
}
