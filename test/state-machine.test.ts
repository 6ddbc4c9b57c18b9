import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  StateMachine,
  Succeed,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAME_ENV } from '../infra/constructs/function-env.js';
import {
  type CfnTemplate,
  definitionFromTemplate,
  functionNames,
  LocalStateMachine,
} from '../packages/local-stack/src/index.js';

// A state machine built with CDK, synthesized, and run from its template's ASL on aws-local-stepfunctions,
// with both Lambda invocation styles, a Choice, and a day-long Wait shortened locally.
function template(): CfnTemplate {
  const app = new App();
  const stack = new Stack(app, 'SfnTest');
  const fn = (id: string, name: string) =>
    new LambdaFunction(stack, id, {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => ({})'),
      environment: { [FUNCTION_NAME_ENV]: name },
    });
  const check = new LambdaInvoke(stack, 'Check', {
    lambdaFunction: fn('CheckFn', 'check-invoice'),
    payloadResponseOnly: true,
    resultPath: '$.check',
  });
  const remind = new LambdaInvoke(stack, 'Remind', {
    lambdaFunction: fn('RemindFn', 'send-reminder'),
    resultSelector: { 'sent.$': '$.Payload.sent' },
    resultPath: '$.remind',
  });
  const definition = check.next(
    new Choice(stack, 'Paid?')
      .when(Condition.booleanEquals('$.check.paid', true), new Succeed(stack, 'Done'))
      .otherwise(new Wait(stack, 'WaitDay', { time: WaitTime.duration(Duration.days(1)) }).next(remind)),
  );
  new StateMachine(stack, 'Dunning', {
    definitionBody: DefinitionBody.fromChainable(definition),
    timeout: Duration.days(60),
  });
  return Template.fromStack(stack).toJSON() as CfnTemplate;
}

describe('local state machine runner', () => {
  const tpl = template();
  const machine = (paid: boolean, calls: string[]) =>
    new LocalStateMachine('Dunning', definitionFromTemplate(tpl, 'Dunning'), {
      functionNames: functionNames(tpl),
      handlers: {
        'check-invoice': (input) => {
          calls.push(`check:${(input as { invoiceId: string }).invoiceId}`);
          return { paid };
        },
        'send-reminder': (input) => {
          calls.push(`remind:${(input as { invoiceId: string }).invoiceId}`);
          return { sent: true };
        },
      },
      waitOverrides: { WaitDay: 5 },
    });

  it('runs the synthesized ASL with Lambda tasks bound to local handlers', async () => {
    const calls: string[] = [];
    const output = await machine(false, calls).run({ invoiceId: 'inv-1' }).result;
    expect(calls).toEqual(['check:inv-1', 'remind:inv-1']);
    expect(output).toEqual({ invoiceId: 'inv-1', check: { paid: false }, remind: { sent: true } });
  });

  it('takes the other branch of a Choice from the handler output', async () => {
    const calls: string[] = [];
    const output = await machine(true, calls).run({ invoiceId: 'inv-2' }).result;
    expect(calls).toEqual(['check:inv-2']);
    expect(output).toEqual({ invoiceId: 'inv-2', check: { paid: true } });
  });

  it('fails clearly when a task has no local handler', () => {
    expect(
      () =>
        new LocalStateMachine('Dunning', definitionFromTemplate(tpl, 'Dunning'), {
          functionNames: functionNames(tpl),
          handlers: { 'check-invoice': () => ({}) },
        }),
    ).toThrow(/task Remind runs function send-reminder, which has no local handler/);
  });
});
