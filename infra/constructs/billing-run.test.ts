import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthTemplates } from '../../test/support/synth.js';

describe('BillingRun construct', () => {
  let t: Template;
  beforeAll(() => {
    t = synthTemplates().stateless;
  }, 60_000);

  it('fires close-periods hourly from EventBridge Scheduler', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
    });
  });

  it('consumes billing jobs one at a time with partial batch responses', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('gives bill-subscription a timeout of at most a sixth of the jobs queue visibility (900 s)', () => {
    const fns = t.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { TALLY_FUNCTION: 'bill-subscription' } } },
    });
    const [fn] = Object.values(fns) as { Properties: { Timeout: number } }[];
    expect(fn?.Properties.Timeout).toBe(150);
  });

  it('lets close-periods only query and update the billing table and send billing jobs', () => {
    const policies = t.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('ClosePeriods') },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(actions.some((a) => a.includes('Delete') || a.includes('Scan'))).toBe(false);
    expect(actions).toContain('sqs:SendMessage');
  });

  it('alarms on the first message in the billing-jobs dead-letter queue', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('billing job failed'),
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});
