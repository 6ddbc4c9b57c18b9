import { hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { PerformanceObserver } from 'node:perf_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  BatchExecuteStatementCommand,
  type BatchExecuteStatementCommandOutput,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type BatchResult,
  type CatalogReader,
  ingestBatch,
  ingestPolicy,
  payloadHash,
  SEND_ID_ATTRIBUTE,
  type SubjectLookup,
  SubscriptionAcceptance,
} from '@tally/ingest';
import { MeterSchema, UsageEventSchema } from '@tally/metering';
import { billingTable, usageTable } from '@tally/resources';
import { createDocumentClient, QuarantineStore, UsageStore } from '@tally/store';
import type { SQSEvent } from 'aws-lambda';
import { lambdaContext, TestClock } from '../packages/local-stack/src/index.js';
import { InsertBatchCommand } from '../packages/store/src/insert-batch.js';
import {
  type EventWriteClient,
  insertStatement,
  toAttributeValues,
  toItem,
} from '../packages/store/src/usage-store.js';
import { createTable, startDynaliteChild } from './dynalite-child.js';
import { type BenchRow, benchScale } from './types.js';

// Events/s through the ingest handler against DynamoDB (dynalite in a child process, so this process's CPU
// is the handler's: decoding, validation, hashing, building items, the SDK and its HTTP client), beside a
// floor measured in the same run: plain BatchWriteItem of the same items into a table of the same definition.
// Also write units and requests per event (10 % of the inputs are redelivered duplicates), handler CPU per
// event, and the CPU of its parts measured alone: the write path (the same INSERT batches without ingest
// logic), the ingest decisions (no I/O), and the whole handler without the network (its items and request
// bodies built, answered from memory). The handler row is split into user and system CPU, the main thread's
// GC pauses, and its network part (handler minus handler without the network: requests, answers, and the
// garbage collection of what a batch keeps alive while its requests are out). A refused INSERT comes back with
// the stored item (ALL_OLD), as from DynamoDB, so duplicates settle without reads here too.
//
// The CPU figures are taken in rounds (BENCH_INGEST_ROUNDS, default 5) in the same process, against the same
// dynalite child, each round with events of its own after the warm-up, and the least CPU of the rounds is
// reported with the median and the most beside it: a round that another process on the host disturbed
// (cache misses, a core shared with the emulator) costs more, never less, so the least is the steadiest
// figure of what the code costs; the spread says how disturbed the run was.
const FULL = 20_000;
const BATCH = 1_000;
const DUP_SHARE = 0.1;
/** Warm-up of the SDK floors' paths. */
const WARMUP = 3_000;
/**
 * Warm-up of the handlers before their measured rounds: a round right after 3,000 events cost 10–20 µs more
 * per event than later ones (V8 still optimising, the heap still growing to its steady size, each growth a
 * full collection), where a Lambda container serves batch after batch.
 */
const HANDLER_WARMUP = 20_000;
const NOW = '2026-01-10T12:00:00.000Z';
const GOAL_WCU = 1.1;
const GOAL_CPU_US = 50;
const ROUNDS = roundsFromEnv(process.env.BENCH_INGEST_ROUNDS);

function roundsFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 5;
  const n = Number(raw);
  // A round's events carry its number as one base-36 digit of their id (see `event`).
  if (!Number.isInteger(n) || n < 1 || n > 36) {
    throw new Error(`BENCH_INGEST_ROUNDS must be a whole number from 1 to 36, got "${raw}"`);
  }
  return n;
}

/**
 * A call event whose JSON is close to 1 KB (the goal's "event of 1 KB or less"). Each measured round has its
 * own ids (`round` is one base-36 digit of the id, so every round's events have the same size) and the same
 * times.
 */
function event(i: number, round = 0): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `cdr${round.toString(36)}${i.toString(36).padStart(8, '0')}`,
    source: 'urn:tally:switch:fra1',
    type: 'tally.call.completed',
    subject: `cust-${i % 50}`,
    time: new Date(Date.parse('2026-01-09T00:00:00Z') + i * 1000).toISOString(),
    data: {
      durationSeconds: 30 + (i % 600),
      destination: `49301234${(i % 10_000).toString().padStart(4, '0')}`,
      origin: `49891234${(i % 7_777).toString().padStart(4, '0')}`,
      cell: `262-01-${i % 65_535}-${i % 255}`,
      trunk: 'fra1-tr-07',
      codec: 'AMR-WB',
      mos: '4.1',
      disconnect: 'normal-clearing',
      route: 'de-mobile-premium-route-with-a-long-descriptive-name-for-size',
      tags: ['roaming:false', 'volte:true', 'emergency:false'],
      note: 'x'.repeat(520),
    },
  };
}

const catalog: CatalogReader = {
  async lookupSubjects(subjects): Promise<SubjectLookup> {
    return {
      customers: new Map(subjects.map((s) => [s, { id: s, timeZone: 'UTC', status: 'active' as const }])),
      devices: new Map(),
    };
  },
  async metersByType(types) {
    const m = [
      MeterSchema.parse({ id: 'calls', eventType: 'tally.call.completed', aggregation: 'count' }),
      MeterSchema.parse({
        id: 'seconds',
        eventType: 'tally.call.completed',
        aggregation: 'sum',
        valuePath: 'durationSeconds',
      }),
    ];
    return new Map(types.map((t) => [t, m]));
  },
};

// Every customer has one monthly subscription on a plan with the default late acceptance, read through the
// same cache the function uses (a hit per batch in steady state).
const acceptance = new SubscriptionAcceptance({
  subscriptionsOf: async (customerId) => [
    { id: `sub-${customerId}`, interval: 'month', phases: [{ planId: 'calls', planVersion: 1 }] },
  ],
  lateAcceptanceDays: async () => 35,
});

function sqsEvent(bodies: string[], run: number): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `b${run}-${i}`,
      receiptHandle: 'r',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: '0',
        ApproximateFirstReceiveTimestamp: '0',
      },
      // As tally's producers send them (SqsSender): a send id per message, which the handler reads as the origin.
      messageAttributes: {
        [SEND_ID_ATTRIBUTE]: { dataType: 'String', stringValue: `s${run}x${i}`.padEnd(22, '0') },
      },
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:usage',
      awsRegion: 'us-east-1',
    })),
  };
}

/**
 * With BENCH_INGEST_PROFILE=<file.cpuprofile>, a V8 CPU profile of the handler phase only (open it in Chrome
 * DevTools or speedscope); `node --cpu-prof` would mix in the floor, the module loading and the emulator setup.
 * With BENCH_INGEST_HEAP_PROFILE=<file.heapprofile>, a sampling profile of what the handler phase allocates
 * (collected objects included: garbage collection is a good part of the handler's CPU).
 */
async function startProfile(
  file: string | undefined,
  heapFile: string | undefined,
): Promise<(() => Promise<void>) | undefined> {
  if (!file && !heapFile) return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  if (file) {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
  }
  if (heapFile) {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  return async () => {
    if (file) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(file, JSON.stringify(profile));
    }
    if (heapFile) {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: object };
      writeFileSync(heapFile, JSON.stringify(profile));
    }
    session.disconnect();
  };
}

const stubQuarantine = { putQuarantined: async (x: readonly unknown[]) => x.map(() => undefined) };

/**
 * A write client for the usage store that keeps the written keys in memory: an InsertBatch stores each new key
 * and refuses a known one with its item (`h`, `m`), so duplicates settle without a read.
 */
function memoryWriter() {
  const written = new Map<string, { h: { S: string }; m: { S: string } }>();
  return {
    async send(command: unknown) {
      if (!(command instanceof InsertBatchCommand)) throw new Error('memory writer: only InsertBatch');
      return {
        $metadata: {},
        Responses: command.items.map((item) => {
          const key = `${item.pk}\u0000${item.sk}`;
          const old = written.get(key);
          if (old !== undefined) return { Error: { Code: 'DuplicateItem', Item: old } };
          written.set(key, { h: { S: item.h }, m: { S: item.m } });
          return {};
        }),
      };
    },
  };
}

/** Sums the main thread's GC pauses (`gc` performance entries) that start between two `performance.now()`s. */
function gcPauses(): { between(t0: number, t1: number): Promise<number> } {
  const entries: { startTime: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) entries.push({ startTime: e.startTime, duration: e.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async between(t0, t1) {
      // Entries are delivered asynchronously.
      await new Promise((resolve) => setTimeout(resolve, 50));
      observer.disconnect();
      return entries.filter((e) => e.startTime >= t0 && e.startTime < t1).reduce((s, e) => s + e.duration, 0);
    },
  };
}

/** The bodies, then the first 10 % of them sent again (redelivered duplicates, in later batches). */
function withDuplicates(bodies: readonly string[]): string[] {
  return [...bodies, ...bodies.slice(0, Math.round(bodies.length * DUP_SHARE))];
}

/** n events of a round, with their duplicates. */
function inputsOf(n: number, round: number): string[] {
  return withDuplicates(Array.from({ length: n }, (_, i) => JSON.stringify(event(i, round))));
}

/** Sends the inputs through a handler in SQS batches of BATCH, batch b as run `runOf(b)`. */
async function sendAll(
  handler: (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<unknown>,
  inputs: readonly string[],
  runOf: (b: number) => number,
  reference?: HostReference,
): Promise<void> {
  for (let i = 0, b = 0; i < inputs.length; i += BATCH, b++) {
    const batch = inputs.slice(i, i + BATCH);
    reference?.run(batch);
    await handler(sqsEvent(batch, runOf(b)), lambdaContext('ingest'));
  }
}

/** One measured round: process CPU (all threads) per input, split, and wall time. */
interface Round {
  readonly inputs: number;
  readonly seconds: number;
  readonly cpuUs: number;
  readonly userUs: number;
  readonly systemUs: number;
  /** Main-thread GC pauses per input. */
  readonly gcUs: number;
}

/** Measures `body`; the CPU of `reference` (run by the body) is not counted, its GC pauses are (few). */
async function measureRound(
  inputs: number,
  body: () => Promise<void>,
  reference?: HostReference,
): Promise<Round> {
  const gc = gcPauses();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await body();
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const gcMs = await gc.between(t0, t1);
  const user = cpu.user - (reference?.user ?? 0);
  const system = cpu.system - (reference?.system ?? 0);
  return {
    inputs,
    seconds: (t1 - t0) / 1000,
    cpuUs: (user + system) / inputs,
    userUs: user / inputs,
    systemUs: system / inputs,
    gcUs: (gcMs * 1000) / inputs,
  };
}

function fmtUs(us: number): string {
  return us.toFixed(1);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The round of least CPU, and the median and most CPU per input of all rounds. */
function summary(rounds: readonly Round[]): { least: Round; median: number; most: number } {
  const least = rounds.reduce((a, b) => (b.cpuUs < a.cpuUs ? b : a));
  const cpus = rounds.map((r) => r.cpuUs);
  return { least, median: median(cpus), most: Math.max(...cpus) };
}

/**
 * The host reference: a fixed piece of work that uses no tally code (each input parsed, written back and
 * hashed with sha256), done on each batch's inputs just before the handler gets them, so that both sample the
 * host in the same state; its CPU is taken out of the round's. The handler's CPU over it moves with the code,
 * where the handler's µs also move with the host: hosts here have differed by about 1.4× on the same code,
 * and one host by 20–40 % within minutes.
 */
class HostReference {
  user = 0;
  system = 0;
  inputs = 0;

  run(bodies: readonly string[]): void {
    const cpu0 = process.cpuUsage();
    let sink = 0;
    for (const body of bodies) sink += hash('sha256', JSON.stringify(JSON.parse(body)), 'base64url').length;
    const cpu = process.cpuUsage(cpu0);
    if (sink !== bodies.length * 43) throw new Error('host reference: unexpected digest length');
    this.user += cpu.user;
    this.system += cpu.system;
    this.inputs += bodies.length;
  }

  get cpuUs(): number {
    return (this.user + this.system) / this.inputs;
  }
}

export async function run(): Promise<BenchRow[]> {
  const n = Math.max(BATCH, Math.round(FULL * benchScale()));
  const { endpoint, child } = await startDynaliteChild();
  try {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const ddb = new DynamoDBClient({ endpoint });
    const tables = {
      handler: 'bench-usage-handler',
      floor: 'bench-usage-floor',
      putFloor: 'bench-usage-put-floor',
      insertFloor: 'bench-usage-insert-floor',
      insertWarm: 'bench-usage-insert-warm',
      ownBodyFloor: 'bench-usage-own-body-floor',
      billing: 'bench-billing',
    };
    await createTable(ddb, usageTable, tables.handler);
    await createTable(ddb, usageTable, tables.floor);
    await createTable(ddb, usageTable, tables.putFloor);
    await createTable(ddb, billingTable, tables.billing);
    const doc = createDocumentClient({ endpoint });
    // The handler module builds its default dependencies from these at import.
    process.env[usageTable.envVar] = tables.handler;
    process.env[billingTable.envVar] = tables.billing;

    // Inputs: n distinct events, plus 10 % of them sent again in later batches.
    const bodies = Array.from({ length: n }, (_, i) => JSON.stringify(event(i)));
    const dups = Math.round(n * DUP_SHARE);
    const inputs = withDuplicates(bodies);
    const eventBytes = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0) / n;

    // Floor: BatchWriteItem (25 items a request, 64 in flight) of the same items.
    const items = bodies.map((b, i) => {
      const e = UsageEventSchema.parse(JSON.parse(b));
      return toItem(
        { customerId: e.subject, event: e, hash: payloadHash(e), receivedAt: NOW, origin: `f.${i}` },
        0,
        400,
      );
    });
    const floorCpu0 = process.cpuUsage();
    const floorStart = performance.now();
    const chunks: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let c = next++; c < chunks.length; c = next++) {
          let pending = chunks[c]!.map((Item) => ({ PutRequest: { Item } }));
          while (pending.length > 0) {
            const res = await doc.send(new BatchWriteCommand({ RequestItems: { [tables.floor]: pending } }));
            pending = (res.UnprocessedItems?.[tables.floor] ?? []) as typeof pending;
          }
        }
      }),
    );
    const floorRate = n / ((performance.now() - floorStart) / 1000);
    const floorCpu = process.cpuUsage(floorCpu0);
    const floorCpuUs = (floorCpu.user + floorCpu.system) / n;

    // The handler, with the real usage and quarantine stores; the catalog is served from memory (it is
    // cached per container in Lambda, so it costs nothing per event in steady state).
    // As the function builds it: INSERT batches (InsertBatchCommand) through the usage store's write client,
    // which signs and sends them below the SDK's per-request pipeline (UsageWriteClient).
    const writeClient = UsageStore.createWriteClient({ endpoint });
    const usage = new UsageStore({ doc, writeClient, tableName: tables.handler });
    const metrics = new Metrics({ namespace: 'Tally', serviceName: 'bench' });
    (metrics as unknown as { console: { log(s: string): void } }).console = { log: () => undefined };
    let stored = 0;
    let duplicate = 0;
    const { makeHandler } = await import('../functions/ingest/handler.js');
    const handler = makeHandler({
      ports: {
        catalog,
        acceptance,
        usage,
        quarantine: new QuarantineStore({ doc, tableName: tables.billing }),
      },
      clock: new TestClock(NOW),
      policy: ingestPolicy(),
      metrics,
      logger: new Logger({ logLevel: 'SILENT' }),
      onResult: (r: BatchResult) => {
        stored += r.accounting.stored;
        duplicate += r.accounting.duplicate;
      },
    });
    // Warm-up, as a Lambda container is warm after its first batches: V8 optimises the SDK's per-request
    // path only after thousands of calls (the first 2,000 puts cost about twice the steady state), and the
    // heap grows to its steady size. Other events than the measured ones, with the same share of
    // duplicates; not counted below.
    const warm = Array.from({ length: HANDLER_WARMUP }, (_, i) => JSON.stringify(event(n + i)));
    const warmInputs = withDuplicates(warm);
    await sendAll(handler, warmInputs, (b) => -1 - b);
    stored = 0;
    duplicate = 0;
    Object.assign(usage.stats, { requests: 0, writeUnits: 0, readUnits: 0, failedConditionalPuts: 0 });

    // The measured rounds: each sends its own events (with the same share of duplicates) through the warm
    // handler; the accounting is checked per round.
    const profile = await startProfile(
      process.env.BENCH_INGEST_PROFILE,
      process.env.BENCH_INGEST_HEAP_PROFILE,
    );
    const handlerRounds: Round[] = [];
    const references: HostReference[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const roundInputs = r === 0 ? inputs : inputsOf(n, r);
      const reference = new HostReference();
      references.push(reference);
      stored = 0;
      duplicate = 0;
      handlerRounds.push(
        await measureRound(
          roundInputs.length,
          () => sendAll(handler, roundInputs, (b) => r * 1000 + b, reference),
          reference,
        ),
      );
      if (stored !== n || duplicate !== dups) {
        throw new Error(
          `bench accounting, round ${r}: stored ${stored} (expected ${n}), duplicates ${duplicate} (expected ${dups})`,
        );
      }
    }
    await profile?.();
    const handlerCpu = summary(handlerRounds);
    const referenceUs = Math.min(...references.map((x) => x.cpuUs));
    const ratios = handlerRounds.map((h, r) => h.cpuUs / references[r]!.cpuUs);
    const best = handlerCpu.least;
    const cpuUs = best.cpuUs;
    const measuredInputs = inputs.length * ROUNDS;
    const rate = median(handlerRounds.map((x) => x.inputs / x.seconds));

    // The per-request floor of the handler's write path: the same items, one conditional PutItem each, through
    // the same client, without any ingest logic (measured after the handler, so it does not warm it up).
    const putCpu0 = process.cpuUsage();
    let nextPut = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        for (let i = nextPut++; i < items.length; i = nextPut++) {
          await writeClient.send(
            new PutItemCommand({
              TableName: tables.putFloor,
              Item: toAttributeValues(items[i]!),
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnConsumedCapacity: 'TOTAL',
            }),
          );
        }
      }),
    );
    const putCpu = process.cpuUsage(putCpu0);
    const putFloorCpuUs = (putCpu.user + putCpu.system) / items.length;
    // The write path without any ingest logic: the same items as PartiQL INSERTs, 25 to a request, 8 requests
    // in flight, same client; as the handler sends them (InsertBatchCommand, the body written by the store),
    // and serialized by the SDK (BatchExecuteStatementCommand with AttributeValue parameters: what the handler
    // sent before). The SDK's path is warmed up first on another table, as the handler warmed its own.
    const insertFloor = async (
      table: string,
      batches: readonly (typeof items)[],
      send: (table: string, batch: typeof items) => Promise<BatchExecuteStatementCommandOutput>,
    ): Promise<number> => {
      await createTable(ddb, usageTable, table);
      const cpu0 = process.cpuUsage();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let c = next++; c < batches.length; c = next++) {
            const res = await send(table, batches[c]!);
            if (res.Responses?.some((r) => r.Error)) throw new Error(`${table}: a statement failed`);
          }
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      return (cpu.user + cpu.system) / batches.reduce((n, b) => n + b.length, 0);
    };
    const sdkSerde = (table: string, batch: typeof items) =>
      writeClient.send(
        new BatchExecuteStatementCommand({
          Statements: batch.map((item) => insertStatement(table, item)),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    await insertFloor(tables.insertWarm, chunks.slice(0, WARMUP / 25), sdkSerde);
    const insertFloorCpuUs = await insertFloor(tables.insertFloor, chunks, sdkSerde);
    const ownBodyFloorCpuUs = await insertFloor(tables.ownBodyFloor, chunks, (table, batch) =>
      writeClient.send(new InsertBatchCommand(table, batch)),
    );
    // The same handler and inputs with a writer that answers from memory (a map of the keys written, refusing
    // a key written before with its item, as DynamoDB's ALL_OLD does): everything the handler does but the
    // network, its own request bodies included.
    const memoryUsage = new UsageStore({
      doc,
      writeClient: memoryWriter() as unknown as EventWriteClient,
      tableName: tables.handler,
    });
    const noNetHandler = makeHandler({
      ports: { catalog, acceptance, usage: memoryUsage, quarantine: stubQuarantine },
      clock: new TestClock(NOW),
      policy: ingestPolicy(),
      metrics,
      logger: new Logger({ logLevel: 'SILENT' }),
    });
    await sendAll(noNetHandler, warmInputs, (b) => -1 - b);
    const noNetRounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const roundInputs = r === 0 ? inputs : inputsOf(n, r);
      // With the host reference between batches too, as the handler's rounds: the same work around it.
      const reference = new HostReference();
      noNetRounds.push(
        await measureRound(
          roundInputs.length,
          () => sendAll(noNetHandler, roundInputs, (b) => r * 1000 + b, reference),
          reference,
        ),
      );
    }
    const noNetCpu = summary(noNetRounds);
    const noNetUs = noNetCpu.least.cpuUs;
    const storedTotal = n * ROUNDS;
    const wcuPerInput = usage.stats.writeUnits / measuredInputs;
    const wcuPerStored = usage.stats.writeUnits / storedTotal;
    // The handler's own decisions (decode, validate, resolve, hash, classify) without any I/O: the same
    // 1,000 messages, the least of the rounds.
    const stub = {
      catalog,
      acceptance,
      usage: { putEvents: async (x: readonly unknown[]) => x.map(() => ({ status: 'stored' as const })) },
      quarantine: stubQuarantine,
    };
    const msgs = bodies.slice(0, BATCH).map((body, i) => ({ messageId: `p${i}`, body }));
    const policy = ingestPolicy();
    await ingestBatch(msgs, stub, { now: new Date(NOW), policy });
    const batchesPerRound = Math.max(3, Math.round(20 * benchScale()));
    const pureRounds: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      pureRounds.push(
        await measureRound(batchesPerRound * msgs.length, async () => {
          for (let b = 0; b < batchesPerRound; b++)
            await ingestBatch(msgs, stub, { now: new Date(NOW), policy });
        }),
      );
    }
    const pureUs = summary(pureRounds).least.cpuUs;
    ddb.destroy();
    doc.destroy();
    writeClient.destroy();
    return [
      { area: 'ingest', name: `event size (JSON, mean)`, value: eventBytes, unit: 'bytes' },
      {
        area: 'ingest',
        name: `events/s through the handler (${inputs.length} inputs a round, ${DUP_SHARE * 100} % duplicates, warm; median of ${ROUNDS} rounds)`,
        value: rate,
        unit: 'events/s',
        baseline: floorRate,
        ratio: floorRate / rate,
      },
      { area: 'ingest', name: 'floor: BatchWriteItem of the same items', value: floorRate, unit: 'events/s' },
      {
        area: 'ingest',
        name: 'write units per input event (duplicates included)',
        value: wcuPerInput,
        unit: 'WCU',
        goal: GOAL_WCU,
        pass: wcuPerInput <= GOAL_WCU,
      },
      { area: 'ingest', name: 'write units per stored event', value: wcuPerStored, unit: 'WCU' },
      {
        area: 'ingest',
        name: 'read units per input event',
        value: usage.stats.readUnits / measuredInputs,
        unit: 'RCU',
      },
      {
        area: 'ingest',
        name: 'DynamoDB requests per stored event',
        value: usage.stats.requests / storedTotal,
        unit: 'requests',
      },
      {
        area: 'ingest',
        name: 'floor CPU per event (BatchWriteItem, 25 a request)',
        value: floorCpuUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: 'floor CPU per event (conditional PutItem, one a request, same client)',
        value: putFloorCpuUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: 'floor CPU per event (PartiQL INSERT, 25 a BatchExecuteStatement, same client, SDK serde)',
        value: insertFloorCpuUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: 'floor CPU per event (the same INSERTs as the handler sends them: InsertBatchCommand, UsageWriteClient): the write path',
        value: ownBodyFloorCpuUs,
        unit: 'µs',
      },
      { area: 'ingest', name: 'ingest decisions CPU per event (no I/O)', value: pureUs, unit: 'µs' },
      {
        area: 'ingest',
        name: `handler CPU per event without the network (same handler, items and request bodies; writer in memory; least of ${ROUNDS} rounds)`,
        value: noNetUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: `  rounds without the network: median / most`,
        value: noNetCpu.median,
        unit: `µs / ${fmtUs(noNetCpu.most)} µs`,
      },
      {
        area: 'ingest',
        name: `handler CPU per input event (process CPU after ${HANDLER_WARMUP} warm-up events, least of ${ROUNDS} rounds; dynalite runs in a child)`,
        value: cpuUs,
        unit: 'µs',
        goal: GOAL_CPU_US,
        pass: cpuUs <= GOAL_CPU_US,
      },
      {
        area: 'ingest',
        name: `  rounds: median / most (${handlerRounds.map((x) => fmtUs(x.cpuUs)).join(', ')})`,
        value: handlerCpu.median,
        unit: `µs / ${fmtUs(handlerCpu.most)} µs`,
      },
      { area: 'ingest', name: '  of which user CPU (least round)', value: best.userUs, unit: 'µs' },
      {
        area: 'ingest',
        name: '  of which system CPU (sockets, memory)',
        value: best.systemUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: '  of which main-thread GC pauses (PerformanceObserver gc; helper threads not included)',
        value: best.gcUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: '  the network part: handler − handler without the network (requests, answers, data kept across I/O)',
        value: cpuUs - noNetUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: `host reference: JSON.parse, JSON.stringify and sha256 of each input, no tally code (least of ${ROUNDS}, before each handler batch, not counted in its CPU: ${references.map((x) => fmtUs(x.cpuUs)).join(', ')})`,
        value: referenceUs,
        unit: 'µs',
      },
      {
        area: 'ingest',
        name: `  handler CPU per input over the host reference (median of the rounds' ratios: ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
        value: median(ratios),
        unit: '×',
      },
    ];
  } finally {
    child.kill();
  }
}
