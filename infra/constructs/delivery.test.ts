import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthTemplates } from '../../test/support/synth.js';

describe('Delivery construct', () => {
  // GIVEN the whole app with the default sender identity, WHEN synthesized (bundling skipped)
  const { stateless, stateful } = synthTemplates();

  it('declares the SES identity with a configuration set that publishes bounces and complaints to SNS', () => {
    stateless.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'billing@example.com' });
    stateless.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: Match.anyValue(),
      }),
    });
    stateless.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sqs', RawMessageDelivery: true });
  });

  it('creates the feedback queue and its DLQ beside the delivery queue in the stateful stack', () => {
    // 4 queue definitions × (queue + DLQ)
    expect(Object.keys(stateful.findResources('AWS::SQS::Queue'))).toHaveLength(8);
  });

  it('feeds deliver-invoice from the delivery queue with partial batch responses and a 30 s timeout (180 / 6)', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({
          TALLY_FUNCTION: 'deliver-invoice',
          TALLY_SENDER: 'billing@example.com',
        }),
      },
    });
  });

  it('lets deliver-invoice send only as the configured identity and address', () => {
    stateless.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ses:SendEmail', 'ses:SendRawEmail'],
            Condition: { StringEquals: { 'ses:FromAddress': 'billing@example.com' } },
          }),
        ]),
      },
    });
    // no statement grants SES actions on every resource
    const policies = JSON.stringify(stateless.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/"ses:[A-Za-z]+"[^\]]*\],"Effect":"Allow","Resource":"\*"/);
  });

  it('writes the billing table only under DLV# keys', () => {
    stateless.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DLV#*'] } },
          }),
        ]),
      },
    });
  });

  it.each(['DeliveryFailedPermanent', 'DeliverySentUnknown', 'DeliveryLostClaim'])(
    'alarms on %s',
    (metric) => {
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'Tally',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    },
  );
});
