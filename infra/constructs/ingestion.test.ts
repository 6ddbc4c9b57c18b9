import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthTemplates } from '../../test/support/synth.js';

describe('Ingestion construct', () => {
  // GIVEN the whole app, WHEN synthesized (bundling skipped)
  const { stateless } = synthTemplates();

  it('feeds the ingest function from the usage queue in batches of 1,000 with partial batch responses', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('gives ingest a timeout of a sixth of the queue visibility timeout (180 s / 6 = 30 s)', () => {
    stateless.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: {
        Variables: Match.objectLike({ TALLY_FUNCTION: 'ingest', TALLY_USAGE_RETENTION_DAYS: '400' }),
      },
    });
  });

  it('lets ingest write the billing table only under quarantine keys', () => {
    stateless.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['Q#*'] } },
          }),
        ]),
      },
    });
  });

  it('lets ingest write events only as PartiQL INSERTs (conditional by nature), never PutItem on the usage table', () => {
    const policies = stateless.findResources('AWS::IAM::Policy');
    const [ingest] = Object.entries(policies).filter(([id]) => /^IngestionIngest/.test(id));
    const usage = (
      ingest![1].Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[]
    )
      .filter((st) => JSON.stringify(st.Resource).includes('UsageTable'))
      .flatMap((st) => [st.Action].flat());
    expect(usage).toContain('dynamodb:PartiQLInsert');
    expect(usage).toContain('dynamodb:BatchGetItem');
    expect(usage).not.toContain('dynamodb:PutItem');
  });

  it('lets ingest and http-ingest query only the subscriptions index partition of a customer (CUSTSUB#)', () => {
    const policies = stateless.findResources('AWS::IAM::Policy');
    const indexQueries = Object.entries(policies).flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown; Condition?: unknown }[])
        .filter((st) => JSON.stringify(st.Resource).includes('/index/*') && st.Action === 'dynamodb:Query')
        .map((st) => ({ id, condition: st.Condition })),
    );
    const ingestion = indexQueries.filter((q) => /IngestionIngest|IngestionHttpIngest/.test(q.id));
    expect(ingestion.map((q) => q.id.replace(/Fn.*$/, '')).sort()).toEqual([
      'IngestionHttpIngest',
      'IngestionIngest',
    ]);
    for (const q of ingestion) {
      expect(q.condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['CUSTSUB#*'] } });
    }
  });

  it('routes POST /v1/events of an HTTP API to http-ingest, with access logs', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/events' });
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('forwards device messages from IoT Core to the usage queue', () => {
    const rules = stateless.findResources('AWS::IoT::TopicRule');
    const [rule] = Object.values(rules) as { Properties: { TopicRulePayload: Record<string, unknown> } }[];
    expect(rule?.Properties.TopicRulePayload.Sql).toBe("SELECT * FROM 'tally/+/usage'");
    expect(JSON.stringify(rule?.Properties.TopicRulePayload.Actions)).toContain('UsageQueue');
  });

  it('alarms on the first message in the usage DLQ', () => {
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});
