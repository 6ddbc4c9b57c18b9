import {
  type CfnTemplate,
  definitionFromTemplate,
  functionNames,
  LocalStateMachine,
  type TaskHandler,
} from '@tally/local-stack';
import { type AdvancingClock, ClockGate } from './clock-gate.js';
import { WORKFLOW_ENV } from './env.js';
import { type LocalEventBus, startLocalEventBus } from './local-event-bus.js';
import { type LocalSfn, startLocalSfn } from './local-sfn-server.js';

export { type AdvancingClock, ClockGate } from './clock-gate.js';
export { type LocalEventBus, type LoggedEvent, startLocalEventBus } from './local-event-bus.js';
export {
  type ExecutionStatus,
  type LocalExecution,
  type LocalSfn,
  startLocalSfn,
} from './local-sfn-server.js';

/** The state name of the dunning Wait (infra/constructs/dunning.ts `DUNNING_STATES.wait`). */
export const DUNNING_WAIT_STATE = 'WaitUntil';
export const LOCAL_DUNNING_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:tally-dunning';
export const LOCAL_EVENT_BUS = 'tally-events';

export interface LocalDunning {
  readonly sfn: LocalSfn;
  readonly bus: LocalEventBus;
  readonly gate: ClockGate;
  /** AWS_ENDPOINT_URL_SFN / _EVENTBRIDGE, the state machine ARN and the bus name, for process.env. */
  readonly env: Readonly<Record<string, string>>;
  /** Resolves when every execution is blocked on the clock or has ended. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the dunning state machine of a synthesized template locally: a local Step Functions endpoint
 * (the SDK's StartExecution reaches it), a local EventBridge endpoint with a bus log, and the Decide and Act
 * tasks gated by the test clock (see {@link ClockGate}).
 *
 * @example
 * const local = await startLocalDunning({ template, clock, handlers: { 'dunning-decide': d, 'dunning-act': a } });
 * Object.assign(process.env, local.env);
 */
export async function startLocalDunning(opts: {
  template: CfnTemplate;
  clock: AdvancingClock;
  /** Local handlers of `dunning-decide` and `dunning-act`. */
  handlers: { 'dunning-decide': TaskHandler; 'dunning-act': TaskHandler };
  /** Where the bus log is appended (JSON lines). Default: memory only. */
  busLogFile?: string;
}): Promise<LocalDunning> {
  let sfn: LocalSfn | undefined;
  const running = () => [...(sfn?.executions.values() ?? [])].filter((e) => e.status === 'RUNNING').length;
  const gate = new ClockGate(opts.clock, running);
  const machine = new LocalStateMachine(
    'dunning',
    definitionFromTemplate(opts.template, 'DunningStateMachine'),
    {
      functionNames: functionNames(opts.template),
      handlers: {
        'dunning-decide': gate.gate(opts.handlers['dunning-decide']),
        'dunning-act': gate.gate(opts.handlers['dunning-act']),
      },
      waitOverrides: { [DUNNING_WAIT_STATE]: 0 },
    },
  );
  sfn = await startLocalSfn({ machines: { [LOCAL_DUNNING_ARN]: machine } });
  const bus = await startLocalEventBus(opts.busLogFile ? { logFile: opts.busLogFile } : {});
  const started = sfn;
  return {
    sfn: started,
    bus,
    gate,
    env: {
      AWS_ENDPOINT_URL_SFN: started.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      [WORKFLOW_ENV.dunningStateMachineArn]: LOCAL_DUNNING_ARN,
      [WORKFLOW_ENV.eventBusName]: LOCAL_EVENT_BUS,
    },
    idle: () => gate.idle(),
    async stop() {
      gate.stop();
      await started.stop();
      await bus.stop();
    },
  };
}
