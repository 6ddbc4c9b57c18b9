import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import type { Io } from './io.js';
import { buildProgram, main } from './main.js';
import { applyTarget, type CloudFormationFactory } from './stack.js';

// Outputs as `cdk deploy` leaves them on the two stacks of the prefix "Acme" (values as CloudFormation
// would return them; the keys are the contract in infra/stack-outputs.ts).
const STATEFUL = {
  UsageTableName: 'AcmeStateful-UsageTable-1A2B',
  BillingTableName: 'AcmeStateful-BillingTable-3C4D',
  UsageQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-UsageQueue',
  BillingJobsQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-BillingJobsQueue',
  DeliveryQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-DeliveryQueue',
  MailFeedbackQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-MailFeedbackQueue',
  DueShards: '8',
  ExportsOutputFnGetAttUsageQueueArn: 'arn:aws:sqs:eu-west-1:111122223333:AcmeStateful-UsageQueue',
};
const STATELESS = {
  EventBusName: 'AcmeStatelessDunningBus',
  DunningStateMachineArn: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Dunning',
  IngestUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/events',
  WebhookUrl: 'https://def.execute-api.eu-west-1.amazonaws.com/v1/payments/webhook',
};
// What the commands read, worked out from the tables above by hand.
const EXPECTED_ENV = {
  TALLY_USAGE_TABLE: 'AcmeStateful-UsageTable-1A2B',
  TALLY_BILLING_TABLE: 'AcmeStateful-BillingTable-3C4D',
  TALLY_USAGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-UsageQueue',
  TALLY_BILLING_JOBS_QUEUE_URL:
    'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-BillingJobsQueue',
  TALLY_DELIVERY_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-DeliveryQueue',
  TALLY_MAIL_FEEDBACK_QUEUE_URL:
    'https://sqs.eu-west-1.amazonaws.com/111122223333/AcmeStateful-MailFeedbackQueue',
  TALLY_DUE_SHARDS: '8',
  TALLY_EVENT_BUS_NAME: 'AcmeStatelessDunningBus',
  TALLY_DUNNING_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Dunning',
};

/** A CloudFormation client that knows the given stacks, and records who built it and what it was asked. */
function fakeCloudFormation(stacks: Record<string, Record<string, string>>, status = 'UPDATE_COMPLETE') {
  const built: unknown[] = [];
  const asked: string[] = [];
  const factory: CloudFormationFactory = (target) => {
    built.push(target);
    return {
      send: (async (command: DescribeStacksCommand) => {
        expect(command).toBeInstanceOf(DescribeStacksCommand);
        const name = command.input.StackName!;
        asked.push(name);
        const outputs = stacks[name];
        if (!outputs) {
          throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
        }
        return {
          Stacks: [
            {
              StackName: name,
              StackStatus: status,
              Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
                OutputKey,
                OutputValue,
              })),
            },
          ],
        };
      }) as never,
    };
  };
  return { factory, built, asked };
}

const LOCAL_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567',
  AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4568',
  TALLY_BILLING_TABLE: 'tally-Billing',
  TALLY_USAGE_QUEUE_URL: 'http://127.0.0.1:4568/000000000000/tally-UsageQueue',
  HOME: '/home/me',
};

describe('--stack: stack outputs to the environment', () => {
  it('maps both stacks’ outputs to the variables the commands read and leaves the local stack behind', async () => {
    const cfn = fakeCloudFormation({ AcmeStateful: STATEFUL, AcmeStateless: STATELESS });
    const env: NodeJS.ProcessEnv = { ...LOCAL_ENV };
    await applyTarget({ stack: 'Acme', region: 'eu-west-1', profile: 'prod' }, env, cfn.factory);
    expect(cfn.built).toEqual([{ profile: 'prod', region: 'eu-west-1' }]);
    expect(cfn.asked.sort()).toEqual(['AcmeStateful', 'AcmeStateless']);
    expect(env).toEqual({
      ...EXPECTED_ENV,
      AWS_PROFILE: 'prod',
      AWS_REGION: 'eu-west-1',
      HOME: '/home/me',
    });
  });

  it('keeps real credentials from the environment when no profile is named', async () => {
    const cfn = fakeCloudFormation({ AcmeStateful: STATEFUL, AcmeStateless: STATELESS });
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 's' };
    await applyTarget({ stack: 'Acme' }, env, cfn.factory);
    expect(cfn.built).toEqual([{}]);
    expect(env).toMatchObject({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', TALLY_DUE_SHARDS: '8' });
  });

  it('changes nothing but the profile and region without --stack, and asks CloudFormation nothing', async () => {
    const cfn = fakeCloudFormation({});
    const env: NodeJS.ProcessEnv = { ...LOCAL_ENV };
    await applyTarget({ region: 'eu-central-1' }, env, cfn.factory);
    expect(cfn.built).toEqual([]);
    expect(env).toEqual({ ...LOCAL_ENV, AWS_REGION: 'eu-central-1' });
    await applyTarget({}, env, cfn.factory);
    expect(env).toEqual({ ...LOCAL_ENV, AWS_REGION: 'eu-central-1' });
  });

  it.each([
    [{ stack: 'Acme' }, { AcmeStateless: STATELESS }, /stack AcmeStateful not found in eu-west-1: deploy it/],
    [{ stack: 'Acme' }, { AcmeStateful: STATEFUL }, /stack AcmeStateless not found/],
    [
      { stack: 'Acme' },
      {
        AcmeStateful: { ...STATEFUL, DueShards: undefined, DeliveryQueueUrl: undefined },
        AcmeStateless: STATELESS,
      },
      /stack AcmeStateful \(UPDATE_COMPLETE\) has no output DeliveryQueueUrl, DueShards: deploy it with this version/,
    ],
    [{ stack: 'acme_prod' }, {}, /--stack acme_prod: a stack prefix is letters, digits and hyphens/],
    [{ stack: 'Acme', region: 'Ireland' }, {}, /--region Ireland: expected an AWS region such as eu-west-1/],
    [{ profile: '' }, {}, /--profile needs a profile name/],
  ])('refuses %j as bad input', async (target, stacks, message) => {
    const defined = Object.fromEntries(
      Object.entries(stacks).map(([k, v]) => [
        k,
        Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as Record<string, string>,
      ]),
    );
    const env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' };
    const error = await applyTarget(target, env, fakeCloudFormation(defined).factory).catch((e: Error) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
  });

  it('reports an AWS failure with the stack it was reading', async () => {
    const factory: CloudFormationFactory = () => ({
      send: (async () => {
        throw Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), {
          name: 'AccessDenied',
        });
      }) as never,
    });
    const error = await applyTarget({ stack: 'Acme' }, {}, factory).catch((e: Error) => e);
    expect(error).not.toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      /reading the outputs of stack Acme(Stateful|Stateless): User is not authorized/,
    );
  });
});

describe('global options on the real program', () => {
  function io() {
    const text = { out: '', err: '' };
    const value: Io = {
      out: (t) => {
        text.out += t;
      },
      err: (t) => {
        text.err += t;
      },
      readFile: async () => '',
    };
    return { text, value };
  }

  it.each([
    [['--stack', 'Acme', '--region', 'eu-west-1', 'probe']],
    [['probe', '--stack', 'Acme', '--region', 'eu-west-1']],
  ])('sets the environment before the command runs: %j', async (argv) => {
    const cfn = fakeCloudFormation({ AcmeStateful: STATEFUL, AcmeStateless: STATELESS });
    const env: NodeJS.ProcessEnv = { ...LOCAL_ENV };
    const seen: NodeJS.ProcessEnv[] = [];
    const program = buildProgram({ io: io().value, env, cloudFormation: cfn.factory });
    program.command('probe').action(() => {
      seen.push({ ...env });
    });
    await program.parseAsync(argv, { from: 'user' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ ...EXPECTED_ENV, AWS_REGION: 'eu-west-1' });
    expect(seen[0]?.AWS_ENDPOINT_URL_DYNAMODB).toBeUndefined();
  });

  it('exits 2 naming the missing stack, before the command touches anything', async () => {
    const out = io();
    const code = await main(
      ['--stack', 'Nope', '--region', 'eu-west-1', 'invoices', 'list', '--customer', 'c'],
      out.value,
      {
        env: {},
        cloudFormation: fakeCloudFormation({}).factory,
      },
    );
    expect(code).toBe(2);
    expect(out.text.err).toMatch(/^error: stack NopeStateful not found in eu-west-1/);
  });

  it('lists the global options in --help', async () => {
    const out = io();
    expect(await main(['--help'], out.value, { env: {} })).toBe(0);
    for (const o of ['--profile <name>', '--region <region>', '--stack <prefix>'])
      expect(out.text.out).toContain(o);
  });
});
