import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import {
  type LocalStack,
  lambdaContext,
  type SqsHandler,
  startLocalStack,
  type TaskHandler,
  type TestClock,
} from '@tally/local-stack';
import { createSesClient, SesMailer } from '@tally/mail';
import { SqsSender } from '@tally/queue';
import { usageQueue, usageTable } from '@tally/resources';
import { createDocumentClient, tableName, UsageStore } from '@tally/store';
import { type LocalDunning, startLocalDunning } from '@tally/workflow/local';
import { failingSesClient } from './ses-failures.js';
import { statelessTemplate } from './template.js';
import { injectThrottling } from './throttle.js';

/** The part of a dunning task module (functions/dunning-*) the local runtime builds handlers from. */
interface DunningTaskModule {
  makeHandler(deps: object): unknown;
  defaultDeps(): object;
}

/** What every ingested input ended as, summed over all ingest invocations. */
export interface IngestTotals {
  inputs: number;
  stored: number;
  duplicate: number;
  quarantined: Record<string, number>;
}

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

/**
 * A warning or error a function logged (say, a billing job that failed and will be retried). The local
 * runtime keeps them whatever the log level, so a run that ends with dead letters can say why each failed.
 */
export interface FunctionLog {
  readonly functionName: string;
  readonly level: 'WARN' | 'ERROR';
  readonly message: string;
  /** The log's extra fields (for a billing job: subscriptionId, periodStart, periodEnd, error). */
  readonly detail: Readonly<Record<string, unknown>>;
  /** Test clock and wall clock at the time of the log. */
  readonly at: string;
  readonly wallAt: string;
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
  // An invocation's accounting counts only once it returns: a crashed one is redelivered and counted then.
  const invocation = new AsyncLocalStorage<IngestTotals>();
  const logs: FunctionLog[] = [];
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
  const recordingLogger = (functionName: string, serviceName: string): Logger => {
    const keep = (level: FunctionLog['level'], message: unknown, extra: readonly unknown[]) => {
      const detail = Object.assign({}, ...extra.filter((e) => typeof e === 'object' && e !== null));
      logs.push({
        functionName,
        level,
        message: String(message),
        detail,
        at: stack.clock.now().toISOString(),
        wallAt: new Date().toISOString(),
      });
      if (logs.length > MAX_FUNCTION_LOGS) logs.shift();
    };
    return new (class extends Logger {
      override warn(input: LogItemMessage, ...extra: LogItemExtraInput) {
        keep('WARN', typeof input === 'string' ? input : input.message, extra);
        super.warn(input, ...extra);
      }
      override error(input: LogItemMessage, ...extra: LogItemExtraInput) {
        keep('ERROR', typeof input === 'string' ? input : input.message, extra);
        super.error(input, ...extra);
      }
    })({ serviceName });
  };
  let dunning: LocalDunning | undefined;
  try {
    // Dunning first: its endpoints (SFN, EventBridge) must be in the environment before the functions
    // that call them build their clients. Its task handlers are built on first use, for the same reason.
    const taskHandler = (load: () => Promise<DunningTaskModule>, name: string): TaskHandler => {
      let built: Promise<(event: unknown, context: unknown) => Promise<unknown>> | undefined;
      return async (input) => {
        built ??= (async () => {
          const { makeHandler, defaultDeps } = await load();
          const { receivablesFromEnv } = await import('@tally/workflow');
          return makeHandler({
            ...defaultDeps(),
            receivables: receivablesFromEnv(process.env, clock),
          }) as never;
        })();
        const run = await built;
        return timed(name, async () => (await run(input, lambdaContext(name))) as never);
      };
    };
    dunning = await startLocalDunning({
      template: await statelessTemplate(),
      clock,
      handlers: {
        'dunning-decide': taskHandler(
          () => import('../../../functions/dunning-decide/handler.js') as never,
          'dunning-decide',
        ),
        'dunning-act': taskHandler(
          () => import('../../../functions/dunning-act/handler.js') as never,
          'dunning-act',
        ),
      },
      ...(options.busLogFile ? { busLogFile: options.busLogFile } : {}),
    });
    Object.assign(process.env, dunning.env);

    const doc = createDocumentClient();
    if (faults?.throttleRate) {
      injectThrottling(doc, {
        rate: faults.throttleRate,
        random: faults.throttleRandom ?? roll,
        onThrottle: () => injected.throttles++,
      });
    }
    const usageStore = () =>
      new UsageStore({ doc, tableName: tableName(usageTable), now: () => clock.now() });

    const ingestMod = await import('../../../functions/ingest/handler.js');
    const ingestDefaults = ingestMod.defaultDeps();
    const ingest = ingestMod.makeHandler({
      ...ingestDefaults,
      ports: { ...ingestDefaults.ports, usage: usageStore() },
      clock,
      onResult: (r) => {
        const a = r.accounting;
        addTotals(invocation.getStore() ?? totals, {
          inputs: a.units,
          stored: a.stored,
          duplicate: a.duplicate,
          quarantined: a.quarantined as Record<string, number>,
        });
      },
    });
    const countedIngest = async (event: never, context: never) => {
      const delta: IngestTotals = { inputs: 0, stored: 0, duplicate: 0, quarantined: {} };
      const result = await invocation.run(delta, () => ingest(event, context));
      if (faults?.crashAfterWriteRate && (faults.crashRandom ?? roll)() < faults.crashAfterWriteRate) {
        injected.crashes++;
        throw new Error('injected: ingest crashed after its writes');
      }
      addTotals(totals, delta);
      return result;
    };

    const billMod = await import('../../../functions/bill-subscription/handler.js');
    const { dunningStarterFromEnv } = await import('@tally/workflow');
    const bill = billMod.makeHandler({
      ...billMod.defaultDeps(),
      logger: recordingLogger('bill-subscription', 'tally-bill-subscription'),
      usage: usageStore(),
      dunning: dunningStarterFromEnv(),
      clock,
    });
    const closeMod = await import('../../../functions/close-periods/handler.js');
    const close = closeMod.makeHandler({ ...closeMod.defaultDeps(), clock });
    const deliverMod = await import('../../../functions/deliver-invoice/handler.js');
    const deliverDeps = deliverMod.defaultDeps();
    const deliver = deliverMod.makeHandler({
      ...deliverDeps,
      logger: recordingLogger('deliver-invoice', 'tally-deliver-invoice'),
      clock,
      ...(faults?.sesFailureRate
        ? {
            mailer: new SesMailer({
              fromAddress: process.env.TALLY_SENDER!,
              configurationSet: process.env.TALLY_SES_CONFIGURATION_SET,
              client: failingSesClient(createSesClient(), {
                rate: faults.sesFailureRate,
                random: faults.sesRandom ?? roll,
                onFailure: () => injected.sesFailures++,
              }),
            }),
          }
        : {}),
    });
    const feedbackMod = await import('../../../functions/mail-feedback/handler.js');
    const feedback = feedbackMod.makeHandler({ ...feedbackMod.defaultDeps(), clock } as never);
    const payMod = await import('../../../functions/record-payment/handler.js');
    const { receivablesFromEnv } = await import('@tally/workflow');
    const pay = payMod.makeHandler({
      ...payMod.defaultDeps(),
      receivables: receivablesFromEnv(process.env, clock),
      clock,
    });

    const sqsHandler = (name: string, h: (e: never, c: never) => Promise<unknown>): SqsHandler =>
      (async (event) => timed(name, () => h(event as never, lambdaContext(name) as never))) as SqsHandler;
    // Local speed-ups that keep the semantics: failed records come back after 1 s instead of the queue's
    // visibility timeout, and ingest does not wait out its 1 s batching window (it takes what is there).
    const fast = { retryVisibilitySeconds: 1 };
    const sources = [
      stack.connect('UsageQueue', sqsHandler('ingest', countedIngest as never), {
        ...fast,
        maxBatchingWindowSeconds: 0,
        concurrency: options.ingestConcurrency ?? 2,
      }),
      stack.connect('BillingJobsQueue', sqsHandler('bill-subscription', bill as never), {
        ...fast,
        concurrency: 2,
      }),
      stack.connect('DeliveryQueue', sqsHandler('deliver-invoice', deliver as never), {
        ...fast,
        concurrency: 2,
      }),
      stack.connect('MailFeedbackQueue', sqsHandler('mail-feedback', feedback as never), fast),
    ];
    const invocations = () => sources.reduce((n, src) => n + src.stats.invocations, 0);
    stack.scheduler.add({
      name: 'close-periods',
      expression: 'rate(1 hour)',
      // close-periods reads the clock: one run per clock move does what 24 runs at the same instant would.
      catchUp: 'latest',
      fire: async () => {
        await timed('close-periods', () => close({} as never, lambdaContext('close-periods') as never));
      },
    });

    // The two HTTP APIs, on 127.0.0.1, calling the same handlers as API Gateway would.
    const { startHttpIngest } = await import('../../../functions/http-ingest/server.js');
    const ingestApi = await startHttpIngest({ port: 0 });
    const { startWebhookServer } = await import('../../../functions/record-payment/server.js');
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
      webhook: async (event) =>
        (await timed('record-payment', () => pay(event, lambdaContext('record-payment')))) as never,
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
      },
    };
    return pipeline;
  } catch (err) {
    await dunning?.stop();
    await stack.stop();
    throw err;
  }
}

function addTotals(into: IngestTotals, add: IngestTotals): void {
  into.inputs += add.inputs;
  into.stored += add.stored;
  into.duplicate += add.duplicate;
  for (const [reason, n] of Object.entries(add.quarantined)) {
    if (n) into.quarantined[reason] = (into.quarantined[reason] ?? 0) + n;
  }
}
