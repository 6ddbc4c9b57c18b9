import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { type Clock, lambdaContext } from '@tally/local-stack';
import { createSesClient, SesMailer } from '@tally/mail';
import { usageTable } from '@tally/resources';
import { createDocumentClient, tableName, UsageStore } from '@tally/store';
import { failingSesClient } from './ses-failures.js';
import { injectThrottling } from './throttle.js';

/** The functions the local pipeline runs, by their folder under functions/. */
export const FUNCTION_NAMES = [
  'ingest',
  'bill-subscription',
  'deliver-invoice',
  'mail-feedback',
  'close-periods',
  'record-payment',
  'dunning-decide',
  'dunning-act',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** What every ingested input ended as, summed over all ingest invocations. */
export interface IngestTotals {
  inputs: number;
  stored: number;
  duplicate: number;
  quarantined: Record<string, number>;
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

/** What one invocation answered; an ingest invocation also says what its inputs ended as. */
export interface Invoked {
  readonly result: unknown;
  /** Ingest only: this invocation's accounting, to be counted once it has returned (see `startLocalPipeline`). */
  readonly accounting?: IngestTotals;
}

/** Faults injected inside the handlers' clients (the in-process mode only). */
export interface HandlerFaults {
  readonly throttleRate?: number;
  readonly throttleRandom: () => number;
  readonly onThrottle: () => void;
  readonly sesFailureRate?: number;
  readonly sesRandom: () => number;
  readonly onSesFailure: () => void;
}

export interface HandlerOptions {
  /** The test clock, or a {@link SharedClock} of it in a worker thread. */
  readonly clock: Clock;
  /** Receives the WARN and ERROR logs of bill-subscription and deliver-invoice. */
  readonly onLog: (log: FunctionLog) => void;
  readonly faults?: HandlerFaults;
}

/** Runs one invocation of a function with a fresh Lambda context. */
export type Invoke = (name: FunctionName, event: unknown) => Promise<Invoked>;

/** The part of a dunning task module (functions/dunning-*) the local runtime builds handlers from. */
interface DunningTaskModule {
  makeHandler(deps: object): unknown;
  defaultDeps(): object;
}

type Handler = (event: never, context: never) => Promise<unknown>;

/**
 * Builds every function of the local pipeline, as in AWS, from its `makeHandler`: the clock and the usage
 * store's time source are the given clock, everything else comes from the function's own `defaultDeps()`.
 * process.env must already hold every endpoint, table, queue and workflow variable (clients read it now).
 *
 * The same code builds them on the main thread (`handlerThreads: 0`) and in each handler worker.
 */
export async function buildHandlers(options: HandlerOptions): Promise<Invoke> {
  const { clock, faults } = options;
  // An invocation's accounting counts only once it returns: a crashed one is redelivered and counted then.
  const invocation = new AsyncLocalStorage<IngestTotals>();
  const recordingLogger = (functionName: string, serviceName: string): Logger => {
    const keep = (level: FunctionLog['level'], message: unknown, extra: readonly unknown[]) => {
      const detail = Object.assign({}, ...extra.filter((e) => typeof e === 'object' && e !== null));
      options.onLog({
        functionName,
        level,
        message: String(message),
        detail,
        at: clock.now().toISOString(),
        wallAt: new Date().toISOString(),
      });
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
  const { receivablesFromEnv, dunningStarterFromEnv } = await import('@tally/workflow');
  const dunningTask = async (load: () => Promise<DunningTaskModule>): Promise<Handler> => {
    const { makeHandler, defaultDeps } = await load();
    return makeHandler({
      ...defaultDeps(),
      receivables: receivablesFromEnv(process.env, clock),
    }) as Handler;
  };

  const doc = createDocumentClient();
  if (faults?.throttleRate) {
    injectThrottling(doc, {
      rate: faults.throttleRate,
      random: faults.throttleRandom,
      onThrottle: faults.onThrottle,
    });
  }
  const usageStore = () => new UsageStore({ doc, tableName: tableName(usageTable), now: () => clock.now() });

  const ingestMod = await import('../../../functions/ingest/handler.js');
  const ingestDefaults = ingestMod.defaultDeps();
  const ingest = ingestMod.makeHandler({
    ...ingestDefaults,
    ports: { ...ingestDefaults.ports, usage: usageStore() },
    clock,
    onResult: (r) => {
      const a = r.accounting;
      const into = invocation.getStore();
      if (!into) return;
      addTotals(into, {
        inputs: a.units,
        stored: a.stored,
        duplicate: a.duplicate,
        quarantined: a.quarantined as Record<string, number>,
      });
    },
  });

  const billMod = await import('../../../functions/bill-subscription/handler.js');
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
  const deliver = deliverMod.makeHandler({
    ...deliverMod.defaultDeps(),
    logger: recordingLogger('deliver-invoice', 'tally-deliver-invoice'),
    clock,
    ...(faults?.sesFailureRate
      ? {
          mailer: new SesMailer({
            fromAddress: process.env.TALLY_SENDER!,
            configurationSet: process.env.TALLY_SES_CONFIGURATION_SET,
            client: failingSesClient(createSesClient(), {
              rate: faults.sesFailureRate,
              random: faults.sesRandom,
              onFailure: faults.onSesFailure,
            }),
          }),
        }
      : {}),
  });
  const feedbackMod = await import('../../../functions/mail-feedback/handler.js');
  const feedback = feedbackMod.makeHandler({ ...feedbackMod.defaultDeps(), clock } as never);
  const payMod = await import('../../../functions/record-payment/handler.js');
  const pay = payMod.makeHandler({
    ...payMod.defaultDeps(),
    receivables: receivablesFromEnv(process.env, clock),
    clock,
  });

  const handlers: Record<FunctionName, Handler> = {
    ingest: ingest as Handler,
    'bill-subscription': bill as Handler,
    'deliver-invoice': deliver as Handler,
    'mail-feedback': feedback as Handler,
    'close-periods': close as Handler,
    'record-payment': pay as Handler,
    'dunning-decide': await dunningTask(
      () => import('../../../functions/dunning-decide/handler.js') as never,
    ),
    'dunning-act': await dunningTask(() => import('../../../functions/dunning-act/handler.js') as never),
  };
  return async (name, event) => {
    const handler = handlers[name];
    if (!handler)
      throw new RangeError(`no local function ${JSON.stringify(name)}: known ${FUNCTION_NAMES.join(', ')}`);
    const context = lambdaContext(name) as never;
    if (name !== 'ingest') return { result: await handler(event as never, context) };
    const accounting: IngestTotals = { inputs: 0, stored: 0, duplicate: 0, quarantined: {} };
    const result = await invocation.run(accounting, () => handler(event as never, context));
    return { result, accounting };
  };
}

export function addTotals(into: IngestTotals, add: IngestTotals): void {
  into.inputs += add.inputs;
  into.stored += add.stored;
  into.duplicate += add.duplicate;
  for (const [reason, n] of Object.entries(add.quarantined)) {
    if (n) into.quarantined[reason] = (into.quarantined[reason] ?? 0) + n;
  }
}
