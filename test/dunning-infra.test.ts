import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { Dunning } from '../infra/constructs/dunning.js';
import { Payments } from '../infra/constructs/payments.js';

function synth(props: Partial<ConstructorParameters<typeof Dunning>[2]> = {}): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'T');
  const billingTable = new Table(stack, 'Billing', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
  });
  const deliveryQueue = new Queue(stack, 'Delivery');
  const dunning = new Dunning(stack, 'Dunning', { billingTable, deliveryQueue, ...props });
  new Payments(stack, 'Payments', { billingTable, deliveryQueue, eventBus: dunning.eventBus });
  return Template.fromStack(stack);
}

describe('Dunning and Payments constructs', () => {
  const t = synth();

  it('logs every state machine event, traces, and caps the execution at 180 days', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
    const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0]!;
    const asl = JSON.stringify(sm.Properties.DefinitionString);
    // 180 d × 86,400 s = 15,552,000 s
    expect(asl).toContain('\\"TimeoutSeconds\\":15552000');
    expect(asl).toContain('\\"TimestampPath\\":\\"$.decision.until\\"');
    expect(asl).not.toContain('JSONata');
  });

  it('alarms on failed and timed-out executions', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('lets Act write only receivables accounts and invoices, and only Act and record-payment put events', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:PutItem',
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PAY#ACCT#*', 'INV#*'] } },
          }),
        ]),
      },
    });
    const putters = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('events:PutEvents'),
    );
    expect(putters).toHaveLength(2);
  });

  it('exposes the webhook as POST /v1/payments/webhook', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/payments/webhook' });
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('refuses a timeout a Standard execution cannot have', () => {
    expect(() => synth({ timeout: Duration.days(400) })).toThrow(/exceeds the 365 days/);
    expect(() => synth({ policies: '{"segment":"x"}' })).toThrow(/JSON array of policies/);
  });
});
