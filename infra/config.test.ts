import type { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DUE_SHARDS, dueShard, dueShardCount, SubscriptionStore } from '@tally/store';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from './build-app.js';
import { loadConfig } from './config.js';

function templates(tally: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally } });
  const { stateful, stateless } = buildApp(app);
  return { stateful: Template.fromStack(stateful), stateless: Template.fromStack(stateless) };
}

/** Environment variables of each function, by its functions/ folder name. */
function envByFunction(t: Template): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of Object.values(t.findResources('AWS::Lambda::Function'))) {
    const vars = f.Properties.Environment?.Variables ?? {};
    if (typeof vars.TALLY_FUNCTION === 'string') out[vars.TALLY_FUNCTION] = vars;
  }
  return out;
}

describe('deployment configuration', () => {
  it('fills the defaults', () => {
    expect(loadConfig(undefined)).toMatchObject({
      stackPrefix: 'Tally',
      usageRetentionDays: 400,
      removal: 'retain',
      dueShards: 4,
      encryption: 'aws-managed',
    });
  });

  it.each([
    [{ usageRetentionDays: 10 }, /tally\.usageRetentionDays/],
    [{ closePeriodsSchedule: 'every hour' }, /tally\.closePeriodsSchedule: a rate expression/],
    [{ dunningPolicies: [{ segment: 'telecom', steps: [] }] }, /tally\.dunningPolicies/],
    [{ dueShards: 0 }, /tally\.dueShards: at least 1/],
    [{ dueShards: 257 }, /tally\.dueShards: at most 256: the shard is one byte of the subscription id hash/],
    [{ dueShards: 2.5 }, /tally\.dueShards: a whole number/],
    [{ dueShards: '8' }, /tally\.dueShards: .*number/],
    [{ encryption: 'kms' }, /tally\.encryption: .*"aws-managed".*"customer-managed"/],
    [{ region: 'Frankfurt' }, /tally\.region: an AWS region code such as eu-central-1/],
    [{ account: '1234' }, /tally\.account: a 12-digit AWS account id/],
  ])('names the bad key of %j', (raw, message) => {
    expect(() => loadConfig(raw)).toThrow(message);
  });

  it('deploys to the configured region and account', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], tally: { region: 'eu-central-1', account: '123456789012' } },
    });
    const { stateful, stateless } = buildApp(app);
    for (const stack of [stateful, stateless]) {
      expect(stack.region).toBe('eu-central-1');
      expect(stack.account).toBe('123456789012');
    }
  });

  it('reads the context as JSON when it comes from the command line (-c tally=...)', () => {
    expect(loadConfig('{"encryption":"customer-managed","dueShards":8}')).toMatchObject({
      encryption: 'customer-managed',
      dueShards: 8,
      stackPrefix: 'Tally',
    });
    expect(() => loadConfig('{encryption: cmk}')).toThrow(/invalid CDK context "tally": not a JSON object/);
    expect(() => loadConfig('3')).toThrow(/^invalid CDK context "tally":\n {2}tally: .*expected object/);
  });

  it('passes configured dunning policies to the dunning functions', () => {
    const policies = [
      {
        segment: 'default',
        steps: [
          { action: 'remind', afterDays: 5 },
          { action: 'suspend', afterDays: 15 },
        ],
      },
    ];
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], tally: { dunningPolicies: policies } } });
    const { stateless } = buildApp(app);
    const fns = Object.values(Template.fromStack(stateless).findResources('AWS::Lambda::Function')).filter(
      (f) => ['dunning-decide', 'dunning-act'].includes(f.Properties.Environment?.Variables?.TALLY_FUNCTION),
    );
    expect(fns).toHaveLength(2);
    for (const f of fns) {
      const configured = JSON.parse(f.Properties.Environment.Variables.TALLY_DUNNING_POLICIES);
      expect(configured[0].steps.map((s: { afterDays: number }) => s.afterDays)).toEqual([5, 15]);
    }
  });

  it('hands dueShards to close-periods and bill-subscription as TALLY_DUE_SHARDS, and to the CLI as an output', () => {
    const { stateful, stateless } = templates({ dueShards: 16 });
    const env = envByFunction(stateless);
    expect(env['close-periods']?.TALLY_DUE_SHARDS).toBe('16');
    expect(env['bill-subscription']?.TALLY_DUE_SHARDS).toBe('16');
    // Nothing else reads or writes the due index.
    const others = Object.entries(env).filter(([fn]) => !['close-periods', 'bill-subscription'].includes(fn));
    expect(others.length).toBeGreaterThan(0);
    for (const [, vars] of others) expect(vars.TALLY_DUE_SHARDS).toBeUndefined();
    stateful.hasOutput('DueShards', { Value: '16' });
  });

  it('schedules close-periods at the configured rate', () => {
    templates({ closePeriodsSchedule: 'rate(15 minutes)' }).stateless.hasResourceProperties(
      'AWS::Scheduler::Schedule',
      { ScheduleExpression: 'rate(15 minutes)' },
    );
  });
});

describe('due-index shard count in the subscription store', () => {
  it.each([
    [undefined, {}, DUE_SHARDS],
    [undefined, { TALLY_DUE_SHARDS: '8' }, 8],
    [2, { TALLY_DUE_SHARDS: '8' }, 2],
  ])('option %s with env %j gives %i shards', (option, env, expected) => {
    expect(dueShardCount(option, env)).toBe(expected);
  });

  it.each([
    [undefined, { TALLY_DUE_SHARDS: 'eight' }, /TALLY_DUE_SHARDS=eight: .* from 1 to 256/],
    [undefined, { TALLY_DUE_SHARDS: '300' }, /TALLY_DUE_SHARDS=300/],
    [0, {}, /dueShards 0: .* from 1 to 256/],
  ])('refuses option %s with env %j', (option, env, message) => {
    expect(() => dueShardCount(option, env)).toThrow(message);
  });

  it('writes a subscription to its shard of n and reads all n shards', async () => {
    // sha256("sub-e") starts with byte 12: shard 12 mod 4 = 0 with four shards, 12 mod 8 = 4 with eight.
    expect([dueShard('sub-e'), dueShard('sub-e', 8)]).toEqual([0, 4]);
    const sent: { name: string; input: Record<string, any> }[] = [];
    const client = {
      send: async (command: PutCommand | QueryCommand) => {
        sent.push({ name: command.constructor.name, input: command.input as Record<string, any> });
        return { Items: [] };
      },
    };
    const store = new SubscriptionStore({ client: client as never, tableName: 't', dueShards: 8 });
    const cycle = {
      periodStart: '2026-01-01T00:00:00Z',
      periodEnd: '2026-02-01T00:00:00Z',
      stage: 'open' as const,
      dueAt: '2026-02-01T00:00:00Z',
    };
    await store.put({ id: 'sub-e', customerId: 'c', start: '2026-01-01T00:00:00Z' }, cycle);
    expect(sent[0]?.input.Item.gsi1pk).toBe('BILLDUE#4');
    for await (const _ of store.due('2026-02-01T00:00:00Z')) void _;
    const queried = sent
      .filter((c) => c.name === 'QueryCommand')
      .map((c) => c.input.ExpressionAttributeValues[':pk']);
    expect(queried.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `BILLDUE#${i}`));
  });
});
