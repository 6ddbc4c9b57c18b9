import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { checkLayouts, createResources, LocalStackStartError } from '../packages/local-stack/src/index.js';
import { localClients, uniquePrefix } from './support/aws.js';

// A persisted local stack refuses a usage table written with another key layout instead of reading it with
// the new keys (and finding nothing); checkLayouts is what startLocalStack runs on a data folder.

describe('checkLayouts', () => {
  it('marks an empty usage table with the current layout, and accepts it from then on', async () => {
    const { ddb } = localClients();
    const resources = await createResources(localClients(), uniquePrefix('layout-new'));
    await checkLayouts(ddb, resources, '.tally/x');
    const marker = await ddb.send(
      new GetItemCommand({
        TableName: resources.tables.Usage!,
        Key: { pk: { S: 'LAYOUT' }, sk: { S: 'LAYOUT' } },
      }),
    );
    // usageTable.layoutVersion: 2 (month partitions)
    expect(marker.Item?.version).toEqual({ N: '2' });
    await expect(checkLayouts(ddb, resources, '.tally/x')).resolves.toBeUndefined();
  });

  it('refuses a usage table holding day-partition events (no LAYOUT item), naming the folder to delete', async () => {
    const { ddb } = localClients();
    const resources = await createResources(localClients(), uniquePrefix('layout-old'));
    await ddb.send(
      new PutItemCommand({
        TableName: resources.tables.Usage!,
        Item: {
          pk: { S: 'U#cust-a#tally.call.completed#2026-01-09#0' },
          sk: { S: '["urn:pbx","c1"]' },
          t: { S: '2026-01-09T08:00:00.000Z' },
        },
      }),
    );
    const refused = checkLayouts(ddb, resources, '/data/.tally/stack');
    await expect(refused).rejects.toThrow(LocalStackStartError);
    await expect(refused).rejects.toThrow(
      /Usage table in \/data\/\.tally\/stack holds items of key layout 1/,
    );
    await expect(refused).rejects.toThrow(/Delete \/data\/\.tally\/stack to start over/);
  });

  it('refuses a usage table marked with another layout version', async () => {
    const { ddb } = localClients();
    const resources = await createResources(localClients(), uniquePrefix('layout-v9'));
    await ddb.send(
      new PutItemCommand({
        TableName: resources.tables.Usage!,
        Item: { pk: { S: 'LAYOUT' }, sk: { S: 'LAYOUT' }, version: { N: '9' } },
      }),
    );
    await expect(checkLayouts(ddb, resources, '.tally/x')).rejects.toThrow(/key layout 9, .* reads layout 2/);
  });
});
