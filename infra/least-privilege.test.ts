import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from './build-app.js';
import { FUNCTION_NAME_ENV } from './constructs/function-env.js';

// Every function's allowed actions, written out: a grant that adds an action (or a wildcard) to any
// function fails here until this table says why it needs it. Logs come from the basic execution role.
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const EXPECTED: Record<string, string[]> = {
  // conditional puts of events, quarantine writes, catalog reads
  ingest: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    ...CONSUME,
  ],
  // catalog and producer-key reads, then enqueue
  'http-ingest': ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', ...SEND],
  // due index query and the "enqueued" mark
  'close-periods': ['dynamodb:Query', 'dynamodb:UpdateItem', ...SEND],
  'bill-subscription': [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    ...CONSUME,
    'sqs:SendMessage',
    'states:StartExecution',
  ],
  'deliver-invoice': [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'ses:SendEmail',
    'ses:SendRawEmail',
    ...CONSUME,
  ],
  'mail-feedback': ['dynamodb:PutItem', 'dynamodb:UpdateItem', ...CONSUME],
  'record-payment': [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'events:PutEvents',
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetSecretValue',
    ...SEND,
  ],
  'dunning-decide': ['dynamodb:GetItem'],
  'dunning-act': ['dynamodb:GetItem', 'dynamodb:PutItem', 'events:PutEvents', ...SEND],
};

type Resource = { Type: string; Properties: Record<string, any> };

describe('least privilege per function', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { stateless } = buildApp(app);
  const resources = Template.fromStack(stateless).toJSON().Resources as Record<string, Resource>;
  const fnByRole = new Map<string, string>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const name = r.Properties.Environment?.Variables?.[FUNCTION_NAME_ENV];
    const role = r.Properties.Role?.['Fn::GetAtt']?.[0];
    if (typeof name === 'string' && role) fnByRole.set(role, name);
  }
  const statements = new Map<string, { Action: string | string[]; Resource: unknown }[]>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const role of r.Properties.Roles ?? []) {
      const fn = fnByRole.get(role.Ref);
      if (fn) statements.set(fn, [...(statements.get(fn) ?? []), ...r.Properties.PolicyDocument.Statement]);
    }
  }

  it('knows every function in the stack', () => {
    expect([...fnByRole.values()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s may do exactly what it needs', (fn, expected) => {
    const actions = new Set((statements.get(fn) ?? []).flatMap((s) => [s.Action].flat()));
    expect([...actions].sort()).toEqual([...new Set([...expected, ...XRAY])].sort());
  });

  it.each(Object.keys(EXPECTED))('%s has no wildcard action and no Scan', (fn) => {
    for (const s of statements.get(fn) ?? []) {
      for (const a of [s.Action].flat()) {
        expect(a).not.toMatch(/\*|dynamodb:Scan/);
      }
    }
  });
});
