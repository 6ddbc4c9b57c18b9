import type { LocalStateMachine } from '@tally/local-stack';
import { AwsJsonError, type LocalAwsServer, startJsonServer } from './local-aws-server.js';

type Json = Parameters<LocalStateMachine['run']>[0];

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly done: Promise<void>;
  abort(): void;
}

export interface LocalSfn extends LocalAwsServer {
  /** Executions by ARN, in start order. */
  readonly executions: ReadonlyMap<string, LocalExecution>;
  /** Resolves when every execution has ended (tests: after the clock moved past the last step). */
  settled(): Promise<void>;
}

const epoch = (d: Date) => d.getTime() / 1000;

/**
 * A local Step Functions endpoint: StartExecution, DescribeExecution, ListExecutions and StopExecution of
 * the AWS JSON 1.0 protocol, running each execution on a {@link LocalStateMachine} (the synthesized ASL). The
 * real SDK client reaches it through AWS_ENDPOINT_URL_SFN, so `startDunning` is the same code as in AWS.
 * Name rules follow AWS: the same name with the same input while running returns the running execution; a
 * name already used otherwise is ExecutionAlreadyExists.
 */
export async function startLocalSfn(opts: {
  /** State machines by ARN. */
  machines: Readonly<Record<string, LocalStateMachine>>;
  /** Called when an execution fails (tests log it). */
  onFailure?: (execution: LocalExecution) => void;
  port?: number;
}): Promise<LocalSfn> {
  const executions = new Map<string, LocalExecution>();
  const describe = (e: LocalExecution) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: epoch(e.startDate),
    input: e.input,
    ...(e.stopDate ? { stopDate: epoch(e.stopDate) } : {}),
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error !== undefined ? { error: e.error, cause: e.cause ?? '' } : {}),
  });
  const find = (arn: unknown) => {
    const e = executions.get(String(arn));
    if (!e) throw new AwsJsonError('ExecutionDoesNotExist', `execution ${String(arn)} does not exist`);
    return e;
  };
  const server = await startJsonServer({
    targetPrefix: 'AWSStepFunctions',
    contentType: 'application/x-amz-json-1.0',
    port: opts.port,
    operations: {
      StartExecution(input) {
        const arn = String(input.stateMachineArn);
        const machine = opts.machines[arn];
        if (!machine)
          throw new AwsJsonError('StateMachineDoesNotExist', `state machine ${arn} does not exist`);
        const name = String(input.name ?? crypto.randomUUID());
        const text = String(input.input ?? '{}');
        const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${name}`;
        const existing = executions.get(executionArn);
        if (existing) {
          if (existing.status === 'RUNNING' && existing.input === text) {
            return { executionArn, startDate: epoch(existing.startDate) };
          }
          throw new AwsJsonError('ExecutionAlreadyExists', `execution ${executionArn} already exists`);
        }
        const run = machine.run(JSON.parse(text) as Json);
        const e: LocalExecution = {
          executionArn,
          stateMachineArn: arn,
          name,
          input: text,
          startDate: new Date(),
          status: 'RUNNING',
          abort: run.abort,
          done: run.result.then(
            (out) => {
              e.status = 'SUCCEEDED';
              e.output = JSON.stringify(out);
              e.stopDate = new Date();
            },
            (err: unknown) => {
              if (e.status === 'ABORTED') return;
              e.status = 'FAILED';
              e.error = (err as { name?: string }).name ?? 'Error';
              e.cause = (err as { message?: string }).message ?? String(err);
              e.stopDate = new Date();
              opts.onFailure?.(e);
            },
          ),
        };
        executions.set(executionArn, e);
        return { executionArn, startDate: epoch(e.startDate) };
      },
      DescribeExecution(input) {
        return describe(find(input.executionArn));
      },
      ListExecutions(input) {
        const list = [...executions.values()].filter(
          (e) =>
            e.stateMachineArn === input.stateMachineArn &&
            (input.statusFilter === undefined || e.status === input.statusFilter),
        );
        return {
          executions: list.map((e) => {
            const { input: _i, output: _o, error: _e, cause: _c, ...rest } = describe(e);
            return rest;
          }),
        };
      },
      StopExecution(input) {
        const e = find(input.executionArn);
        if (e.status === 'RUNNING') {
          e.status = 'ABORTED';
          e.stopDate = new Date();
          e.abort();
        }
        return { stopDate: epoch(e.stopDate ?? new Date()) };
      },
    },
  });
  return {
    ...server,
    executions,
    async settled() {
      await Promise.all([...executions.values()].map((e) => e.done));
    },
    async stop() {
      for (const e of executions.values()) {
        if (e.status === 'RUNNING') {
          e.status = 'ABORTED';
          e.abort();
        }
      }
      await Promise.allSettled([...executions.values()].map((e) => e.done));
      await server.stop();
    },
  };
}
