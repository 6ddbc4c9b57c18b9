import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from './build-app.js';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS } from './stack-outputs.js';

// The outputs `tally --stack <prefix>` reads, by their literal names: a rename or a construct hash in a key
// would leave every CLI pointed at an older deployment without its tables and queues.
const STATEFUL: Record<string, string | undefined> = {
  UsageTableName: 'TALLY_USAGE_TABLE',
  BillingTableName: 'TALLY_BILLING_TABLE',
  UsageQueueUrl: 'TALLY_USAGE_QUEUE_URL',
  BillingJobsQueueUrl: 'TALLY_BILLING_JOBS_QUEUE_URL',
  DeliveryQueueUrl: 'TALLY_DELIVERY_QUEUE_URL',
  MailFeedbackQueueUrl: 'TALLY_MAIL_FEEDBACK_QUEUE_URL',
  DueShards: 'TALLY_DUE_SHARDS',
};
const STATELESS: Record<string, string | undefined> = {
  EventBusName: 'TALLY_EVENT_BUS_NAME',
  DunningStateMachineArn: 'TALLY_DUNNING_STATE_MACHINE_ARN',
  IngestUrl: undefined,
  WebhookUrl: undefined,
};

describe('stack outputs', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally: { stackPrefix: 'Acme' } } });
  const { stateful, stateless } = buildApp(app);
  const outputsOf = (t: Template) =>
    Object.keys(t.toJSON().Outputs ?? {}).filter((k) => !k.startsWith('ExportsOutput'));

  it('names the stacks <prefix>Stateful and <prefix>Stateless', () => {
    expect([stateful.stackName, stateless.stackName]).toEqual(['AcmeStateful', 'AcmeStateless']);
  });

  it.each([
    ['stateful', STATEFUL, STATEFUL_OUTPUTS, () => Template.fromStack(stateful)],
    ['stateless', STATELESS, STATELESS_OUTPUTS, () => Template.fromStack(stateless)],
  ] as const)(
    'the %s stack exports exactly the contract, under stable keys',
    (_n, expected, defs, template) => {
      expect(outputsOf(template()).sort()).toEqual(Object.keys(expected).sort());
      expect(Object.fromEntries(defs.map((d) => [d.key, d.envVar]))).toEqual(expected);
    },
  );

  it('puts the resources themselves in the outputs', () => {
    const sf = Template.fromStack(stateful).toJSON();
    const ref = (key: string) => sf.Outputs[key].Value.Ref as string;
    expect(sf.Resources[ref('BillingTableName')].Type).toBe('AWS::DynamoDB::Table');
    expect(sf.Resources[ref('DeliveryQueueUrl')].Type).toBe('AWS::SQS::Queue');
    const sl = Template.fromStack(stateless).toJSON();
    expect(sl.Resources[sl.Outputs.DunningStateMachineArn.Value.Ref].Type).toBe(
      'AWS::StepFunctions::StateMachine',
    );
    expect(sl.Resources[sl.Outputs.EventBusName.Value.Ref].Type).toBe('AWS::Events::EventBus');
    expect(JSON.stringify(sl.Outputs.WebhookUrl.Value)).toContain('/v1/payments/webhook');
    expect(JSON.stringify(sl.Outputs.IngestUrl.Value)).toContain('/v1/events');
  });
});
