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
  // PartiQL INSERTs of events (conditional writes), quarantine writes, catalog reads
  ingest: [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:GetItem',
    'dynamodb:PartiQLInsert',
    'dynamodb:PutItem',
    'dynamodb:Query',
    ...CONSUME,
  ],
  // catalog and producer-key reads, then enqueue
  'http-ingest': [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    ...SEND,
  ],
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
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'ses:SendEmail',
    'ses:SendRawEmail',
    ...CONSUME,
  ],
  'mail-feedback': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', ...CONSUME],
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

// With `encryption: 'customer-managed'` each function may also use the data key, for exactly what its tables
// and queues need: Decrypt + DescribeKey for any table access or queue consumption, GenerateDataKey to send.
const TABLE_KEY = ['kms:Decrypt', 'kms:DescribeKey'];
const SEND_KEY = ['kms:Decrypt', 'kms:GenerateDataKey'];
const KMS: Record<string, string[]> = {
  ingest: TABLE_KEY,
  'http-ingest': [...TABLE_KEY, ...SEND_KEY],
  'close-periods': [...TABLE_KEY, ...SEND_KEY],
  'bill-subscription': [...TABLE_KEY, ...SEND_KEY],
  'deliver-invoice': TABLE_KEY,
  'mail-feedback': TABLE_KEY,
  'record-payment': [...TABLE_KEY, ...SEND_KEY],
  'dunning-decide': TABLE_KEY,
  'dunning-act': [...TABLE_KEY, ...SEND_KEY],
};

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown };

function statementsByFunction(tally: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally } });
  const { stateless, stateful } = buildApp(app);
  const resources = Template.fromStack(stateless).toJSON().Resources as Record<string, Resource>;
  const fnByRole = new Map<string, string>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const name = r.Properties.Environment?.Variables?.[FUNCTION_NAME_ENV];
    const role = r.Properties.Role?.['Fn::GetAtt']?.[0];
    if (typeof name === 'string' && role) fnByRole.set(role, name);
  }
  const statements = new Map<string, Statement[]>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const role of r.Properties.Roles ?? []) {
      const fn = fnByRole.get(role.Ref);
      if (fn) statements.set(fn, [...(statements.get(fn) ?? []), ...r.Properties.PolicyDocument.Statement]);
    }
  }
  const keyIds = Object.entries(Template.fromStack(stateful).toJSON().Resources as Record<string, Resource>)
    .filter(([, r]) => r.Type === 'AWS::KMS::Key')
    .map(([id]) => id);
  return { fnByRole, statements, keyIds };
}

describe.each([
  ['aws-managed', {}],
  ['customer-managed', KMS],
] as const)('least privilege per function (encryption %s)', (encryption, kms) => {
  const { fnByRole, statements, keyIds } = statementsByFunction({ encryption });
  const expectedOf = (fn: string) => [
    ...(EXPECTED[fn] ?? []),
    ...((kms as Record<string, string[]>)[fn] ?? []),
  ];

  it('knows every function in the stack', () => {
    expect([...fnByRole.values()].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))('%s may do exactly what it needs', (fn) => {
    const actions = new Set((statements.get(fn) ?? []).flatMap((s) => [s.Action].flat()));
    expect([...actions].sort()).toEqual([...new Set([...expectedOf(fn), ...XRAY])].sort());
  });

  it.each(Object.keys(EXPECTED))('%s has no wildcard action and no Scan', (fn) => {
    for (const s of statements.get(fn) ?? []) {
      for (const a of [s.Action].flat()) {
        expect(a).not.toMatch(/\*|dynamodb:Scan/);
      }
    }
  });

  it.each(Object.keys(EXPECTED))("%s uses no key but the deployment's data key", (fn) => {
    const kmsResources = (statements.get(fn) ?? [])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')))
      .map((s) => JSON.stringify(s.Resource));
    // aws-managed: none at all; customer-managed: only the stateful stack's key, imported by its ARN.
    expect(keyIds).toHaveLength(encryption === 'customer-managed' ? 1 : 0);
    for (const r of kmsResources) expect(r).toMatch(new RegExp(`ExportsOutputFnGetAtt${keyIds[0]}Arn`));
  });
});
