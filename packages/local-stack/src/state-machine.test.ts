import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalStateMachine } from './state-machine.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:HoldFn';

/** One Task bound to a local handler that answers only when the test says so. */
function holding(timeoutSeconds?: number) {
  let answer: (v: string) => void = () => undefined;
  const definition = {
    StartAt: 'Hold',
    States: {
      Hold: {
        Type: 'Task',
        Resource: ARN,
        End: true,
        ...(timeoutSeconds ? { TimeoutSeconds: timeoutSeconds } : {}),
      },
    },
  } as unknown as StateMachineDefinition;
  const machine = new LocalStateMachine('hold', definition, {
    functionNames: new Map([[ARN, 'hold']]),
    handlers: { hold: () => new Promise<string>((resolve) => (answer = resolve)) },
  });
  return { machine, answer: (v: string) => answer(v) };
}

describe('LocalStateMachine task timeouts', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a task without TimeoutSeconds answer after more than a minute, as AWS does', async () => {
    vi.useFakeTimers();
    const { machine, answer } = holding();
    const { result } = machine.run({});
    const outcome = result.then(
      (v) => ({ ok: v }),
      (e: Error) => ({ failed: `${e.name}: ${e.message}` }),
    );
    // aws-local-stepfunctions' own default would time the task out at 60 s.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    answer('late but fine');
    await vi.advanceTimersByTimeAsync(10);
    expect(await outcome).toEqual({ ok: 'late but fine' });
  });

  it('keeps a TimeoutSeconds the definition states', async () => {
    vi.useFakeTimers();
    const { machine } = holding(5);
    const { result } = machine.run({});
    const outcome = result.then(
      (v) => ({ ok: v }),
      (e: Error) => ({ failed: `${e.name}: ${e.message}` }),
    );
    await vi.advanceTimersByTimeAsync(6_000);
    expect(await outcome).toEqual({ failed: expect.stringMatching(/States\.Timeout/) });
  });
});
