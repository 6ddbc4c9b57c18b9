import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '@tally/resources';
import { tableInput, untilTable } from '../packages/local-stack/src/index.js';

/**
 * dynalite in a child process on a free 127.0.0.1 port, so a benchmark's CPU and memory figures measure the
 * code under test, not the emulator sharing its process. Kill `child` when done.
 */
export async function startDynaliteChild(): Promise<{ endpoint: string; child: ChildProcess }> {
  const require = createRequire(import.meta.url);
  const dynalitePath = require.resolve('dynalite');
  // dynalite plus the PartiQL INSERT batches ingestion sends (as the local stack runs it).
  const shimPath = require.resolve('../packages/local-stack/src/dynalite-partiql.cjs');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const d=require(${JSON.stringify(shimPath)})(${JSON.stringify(dynalitePath)},{createTableMs:0});d.listen(0,'127.0.0.1',()=>console.log(d.address().port))`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

/**
 * Creates a table of `def` named `name` and waits until it is ACTIVE. dynalite answers CreateTable with
 * CREATING and turns the table ACTIVE on a timer even at `createTableMs: 0`; a write sent within the next
 * millisecond (the store's direct requests are that quick) finds no table.
 */
export async function createTable(ddb: DynamoDBClient, def: TableDefinition, name: string): Promise<void> {
  await ddb.send(new CreateTableCommand(tableInput(def, name)));
  await untilTable(ddb, name, 'ACTIVE');
}
