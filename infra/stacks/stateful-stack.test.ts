import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../build-app.js';

function stateful(tally: Record<string, unknown>): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally } });
  return Template.fromStack(buildApp(app).stateful);
}

describe('encryption at rest', () => {
  it('uses AWS-managed keys by default: no KMS key of its own', () => {
    const t = stateful({});
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.allResourcesProperties('AWS::DynamoDB::Table', {
      // SSEEnabled without a key id: KMS with the AWS-managed key aws/dynamodb.
      SSESpecification: Match.objectEquals({ SSEEnabled: true }),
    });
    t.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      KmsMasterKeyId: Match.absent(),
    });
  });

  describe('customer-managed', () => {
    const t = stateful({ encryption: 'customer-managed', stackPrefix: 'Acme', removal: 'destroy' });
    const keyId = Object.keys(t.findResources('AWS::KMS::Key'))[0]!;

    it('creates one rotating key with an alias and the configured removal policy', () => {
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResource('AWS::KMS::Key', {
        Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
      t.hasResourceProperties('AWS::KMS::Alias', {
        AliasName: 'alias/Acme-data',
        TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
    });

    it('keeps the key when removal is retain', () => {
      stateful({ encryption: 'customer-managed' }).hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
      });
    });

    it('encrypts both tables and every queue and DLQ with it', () => {
      const tables = t.findResources('AWS::DynamoDB::Table');
      expect(Object.keys(tables)).toHaveLength(2);
      for (const table of Object.values(tables)) {
        expect(table.Properties.SSESpecification).toEqual({
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        });
      }
      const queues = t.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues)).toHaveLength(8); // four queues, four DLQs
      for (const q of Object.values(queues)) {
        expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      }
    });

    it('lets SNS use the key only for the SES events topic feeding the feedback queue', () => {
      t.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: 'sns.amazonaws.com' },
              Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
              Condition: {
                ArnEquals: {
                  'aws:SourceArn': {
                    'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':AcmeStateless-ses-events$')])],
                  },
                },
              },
            }),
          ]),
        },
      });
    });
  });
});
