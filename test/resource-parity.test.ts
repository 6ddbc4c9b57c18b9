import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { queues, tables } from '@tally/resources';
import { describe, expect, inject, it } from 'vitest';
import { localClients } from './support/aws.js';
import { synthTemplates } from './support/synth.js';

// The local stack creates its tables and queues from packages/resources, and so does the CDK app.
// This test reads both results (the synthesized template and the emulators' own descriptions) and
// checks they agree, so a change to either side that breaks parity fails here.
const { ddb, sqs } = localClients();
const { stateful } = synthTemplates();
const { env } = inject('localStack');
const cfn = stateful.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;

// CDK logical ids are the construct path plus an 8-digit hash ("UsageQueue/Queue" becomes UsageQueue61A750B2).
function resourceOf(type: string, path: string) {
  const hits = Object.entries(cfn).filter(
    ([id, r]) => r.Type === type && new RegExp(`^${path}[0-9A-F]{8}$`).test(id),
  );
  expect(hits, `${type} ${path} in the template`).toHaveLength(1);
  return hits[0]![1].Properties;
}

const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

describe('local resources match the synthesized CloudFormation template', () => {
  it.each(tables.map((t) => [t.id, t] as const))(
    'table %s has the same keys and indexes',
    async (_id, def) => {
      const props = resourceOf('AWS::DynamoDB::Table', `${def.id}Table`);
      const local = (await ddb.send(new DescribeTableCommand({ TableName: env[def.envVar] }))).Table!;

      expect(local.KeySchema).toEqual(props.KeySchema);
      expect(sortBy(local.AttributeDefinitions!, (a) => a.AttributeName!)).toEqual(
        sortBy(props.AttributeDefinitions, (a: { AttributeName: string }) => a.AttributeName),
      );
      const localGsis = (local.GlobalSecondaryIndexes ?? []).map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: { ProjectionType: g.Projection?.ProjectionType },
      }));
      expect(sortBy(localGsis, (g) => g.IndexName!)).toEqual(
        sortBy(props.GlobalSecondaryIndexes ?? [], (g: { IndexName: string }) => g.IndexName),
      );
      if (def.ttlAttribute) {
        expect(props.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
      }
    },
  );

  it.each(queues.map((q) => [q.id, q] as const))(
    'queue %s has the same redrive and timeouts',
    async (_id, def) => {
      const props = resourceOf('AWS::SQS::Queue', def.id);
      const local = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: env[def.envVar], AttributeNames: ['All'] }))
      ).Attributes!;

      const localRedrive = JSON.parse(local.RedrivePolicy!);
      expect(Number(localRedrive.maxReceiveCount)).toBe(props.RedrivePolicy.maxReceiveCount);
      expect(Number(local.VisibilityTimeout)).toBe(props.VisibilityTimeout);
      expect(Number(local.MessageRetentionPeriod)).toBe(props.MessageRetentionPeriod);
      expect(localRedrive.deadLetterTargetArn).toMatch(/-dlq$/);
    },
  );
});
