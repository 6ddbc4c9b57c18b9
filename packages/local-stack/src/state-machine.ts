import './polyfills.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { StateMachineDefinitionError } from './errors.js';

/** The parts of a synthesized CloudFormation template the runner reads. */
export interface CfnTemplate {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type TaskHandler = (input: Json) => Promise<Json> | Json;

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The longest timer aws-local-stepfunctions can arm: Node's timers overflow above 2^31 ms (~24.8 days). */
const MAX_TIMER_SECONDS = 2_000_000;

/** The environment variable every tally function carries with its folder name under functions/. */
export const FUNCTION_NAME_ENV = 'TALLY_FUNCTION';

function lambdaArn(logicalId: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;
}

/** Resolves the intrinsic functions CDK puts in a DefinitionString (Fn::Join, Fn::GetAtt, Ref). */
function resolve(value: unknown, template: CfnTemplate, where: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolve(p, template, where)).join(sep);
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      const res = template.Resources[id];
      if (res?.Type === 'AWS::Lambda::Function' && attr === 'Arn') return lambdaArn(id);
      return `arn:local:${id}:${attr}`;
    }
    if ('Ref' in v) {
      const ref = v.Ref as string;
      return PSEUDO[ref] ?? ref;
    }
  }
  throw new StateMachineDefinitionError(where, `cannot resolve ${JSON.stringify(value)} locally`);
}

/** The ASL of one state machine in a template, found by logical id or by a substring of it. */
export function definitionFromTemplate(template: CfnTemplate, idOrPart: string): StateMachineDefinition {
  const entries = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  const match = entries.find(([id]) => id === idOrPart) ?? entries.find(([id]) => id.includes(idOrPart));
  if (!match) {
    throw new StateMachineDefinitionError(
      idOrPart,
      `not in the template (state machines: ${entries.map(([id]) => id).join(', ') || 'none'})`,
    );
  }
  const [id, res] = match;
  const text = resolve(res.Properties?.DefinitionString, template, id);
  return JSON.parse(text) as StateMachineDefinition;
}

/** Which tally function (functions/<name>) each Lambda logical id in the template runs. */
export function functionNames(template: CfnTemplate): Map<string, string> {
  const names = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const env = (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    const name = env?.[FUNCTION_NAME_ENV];
    if (typeof name === 'string') names.set(lambdaArn(id), name);
  }
  return names;
}

interface AslState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Parameters?: Record<string, unknown>;
  Branches?: { States: Record<string, AslState> }[];
  Iterator?: { States: Record<string, AslState> };
  ItemProcessor?: { States: Record<string, AslState> };
}

function* allStates(states: Record<string, AslState>): Generator<[string, AslState]> {
  for (const [name, s] of Object.entries(states)) {
    yield [name, s];
    for (const b of s.Branches ?? []) yield* allStates(b.States);
    if (s.Iterator) yield* allStates(s.Iterator.States);
    if (s.ItemProcessor) yield* allStates(s.ItemProcessor.States);
  }
}

export interface LocalStateMachineOptions {
  /** Local handlers by tally function name (the folder under functions/). */
  readonly handlers: Readonly<Record<string, TaskHandler>>;
  /** Maps Lambda ARNs in the definition to function names; from {@link functionNames}. */
  readonly functionNames: ReadonlyMap<string, string>;
  /** Wait states shortened to these milliseconds, by state name. */
  readonly waitOverrides?: Readonly<Record<string, number>>;
}

/**
 * Runs a state machine's ASL on aws-local-stepfunctions with every Lambda task bound to the local
 * handler of the same tally function. Task states may name the function ARN directly
 * (`payloadResponseOnly`) or use `arn:aws:states:::lambda:invoke`; the latter gets Lambda's response
 * envelope (`{ Payload, StatusCode }`) as in AWS.
 */
export class LocalStateMachine {
  readonly #machine: StateMachine;
  readonly #taskHandlers: Record<string, (input: Json) => Promise<Json>> = {};

  constructor(
    readonly name: string,
    definition: StateMachineDefinition,
    private readonly options: LocalStateMachineOptions,
  ) {
    const def = structuredClone(definition) as StateMachineDefinition & {
      States: Record<string, AslState>;
      TimeoutSeconds?: number;
    };
    // aws-local-stepfunctions arms one timer for TimeoutSeconds; above 2^31 ms (~24.8 days) it overflows.
    if (def.TimeoutSeconds && def.TimeoutSeconds > MAX_TIMER_SECONDS) def.TimeoutSeconds = MAX_TIMER_SECONDS;
    for (const [stateName, state] of allStates(def.States)) {
      if (state.Type !== 'Task' || !state.Resource) continue;
      // A Task without TimeoutSeconds has none worth the name in AWS (the default is 99999999 s:
      // https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html), but aws-local-stepfunctions
      // times it out after 60 s of wall time. A local handler may hold its answer for longer: the dunning
      // Decide task waits there for the test clock (ClockGate), and a slow run then failed executions with
      // States.Timeout, so how far dunning got depended on the machine's speed.
      if (state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
      }
      const invokeEnvelope = state.Resource.startsWith('arn:aws:states:::lambda:invoke');
      const arn = invokeEnvelope ? String(state.Parameters?.FunctionName ?? '') : state.Resource;
      const fn = options.functionNames.get(arn.replace(/:\$LATEST$/, ''));
      if (!fn) continue;
      const handler = options.handlers[fn];
      if (!handler) {
        throw new StateMachineDefinitionError(
          name,
          `task ${stateName} runs function ${fn}, which has no local handler`,
        );
      }
      this.#taskHandlers[stateName] = async (input) => {
        if (!invokeEnvelope) return handler(input);
        const payload = (input as { Payload?: Json } | null)?.Payload ?? input;
        return { Payload: await handler(payload), StatusCode: 200 };
      };
    }
    this.#machine = new StateMachine(def as StateMachineDefinition, {
      validationOptions: { checkArn: false, checkPaths: false },
    });
  }

  /** Starts an execution; `result` settles with the output or the execution's error. */
  run(input: Json): { result: Promise<Json>; abort: () => void } {
    const execution = this.#machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: this.#taskHandlers as never,
        waitTimeOverrides: this.options.waitOverrides ?? {},
      },
    });
    // The library queues every event of the execution (with each state's input and output) until someone
    // reads them; a dunning loop that runs for weeks would hold them all. Read and drop them.
    void (async () => {
      for await (const _ of execution.eventLogs) {
        // discarded
      }
    })().catch(() => undefined);
    return { result: execution.result as Promise<Json>, abort: execution.abort };
  }
}
