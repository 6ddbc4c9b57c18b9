import { spawn } from 'node:child_process';
import { accessSync, existsSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LocalStackStartError } from './errors.js';

const require = createRequire(import.meta.url);

/** A running emulator: its endpoint on 127.0.0.1 and how to stop it. */
export interface Emulator {
  readonly service: string;
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

function listen(service: string, server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new LocalStackStartError(
          service,
          err.code === 'EADDRINUSE' ? `port ${port} on ${HOST} is already in use` : err.message,
          { cause: err },
        ),
      );
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // Keep-alive sockets from SDK clients would hold close() open; end them.
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** dynalite plus PartiQL BatchExecuteStatement for INSERT statements (ingestion's batched conditional writes). */
const DYNALITE_PARTIQL = './dynalite-partiql.cjs';

/** Where dynalite runs: in a process of its own (default: the handlers get this process's core) or inline. */
export type DynamoProcess = 'child' | 'inline';

/**
 * Starts dynalite. In memory by default; with `path`, in a LevelDB folder that survives restarts.
 * Tables become ACTIVE at once (createTableMs 0) so resource creation does not wait.
 *
 * By default dynalite runs in a child process: it is the busiest emulator (every write of the pipeline goes
 * through it), and in its own process it uses the machine's second core instead of sharing the handlers'.
 * The child ends with its parent (it exits when the IPC channel closes).
 */
export async function startDynamo(
  options: { port?: number; path?: string; process?: DynamoProcess } = {},
): Promise<Emulator> {
  if (options.path) {
    try {
      mkdirSync(options.path, { recursive: true });
      accessSync(options.path, fsConstants.W_OK);
    } catch (err) {
      throw new LocalStackStartError('dynamodb', `data folder ${options.path} is not writable`, {
        cause: err,
      });
    }
  }
  const settings = {
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  };
  if ((options.process ?? 'child') === 'child') return startDynamoChild(settings, options.port ?? 0);
  const createDynalite = require(DYNALITE_PARTIQL) as (path: string, opts: Record<string, unknown>) => Server;
  const server = createDynalite(require.resolve('dynalite'), settings);
  const port = await listen('dynamodb', server, options.port ?? 0);
  return {
    service: 'dynamodb',
    port,
    endpoint: `http://${HOST}:${port}`,
    stop: () => closeServer(server),
  };
}

/** The child's program: start dynalite, report the port (or the error) over IPC, stop on request or orphaning. */
const DYNALITE_CHILD = `
const [shimPath, modulePath, settings, host, port] = JSON.parse(process.env.TALLY_DYNALITE_CHILD);
const server = require(shimPath)(modulePath, settings);
const stop = () => { server.closeAllConnections?.(); server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref(); };
process.on('disconnect', stop);
process.on('message', (m) => { if (m === 'stop') stop(); });
server.once('error', (err) => { process.send({ error: err.code === 'EADDRINUSE' ? 'port ' + port + ' on ' + host + ' is already in use' : err.message }); process.exit(1); });
server.listen(port, host, () => process.send({ port: server.address().port }));
`;

async function startDynamoChild(settings: Record<string, unknown>, port: number): Promise<Emulator> {
  const child = spawn(process.execPath, ['-e', DYNALITE_CHILD], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      TALLY_DYNALITE_CHILD: JSON.stringify([
        require.resolve(DYNALITE_PARTIQL),
        require.resolve('dynalite'),
        settings,
        HOST,
        port,
      ]),
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const bound = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }) =>
      m.port === undefined
        ? reject(new LocalStackStartError('dynamodb', m.error ?? 'failed'))
        : resolve(m.port),
    );
    child.once('error', (err) => reject(new LocalStackStartError('dynamodb', err.message, { cause: err })));
    child.once('exit', (code) =>
      reject(
        new LocalStackStartError('dynamodb', `dynalite's process exited with code ${code} while starting`),
      ),
    );
  });
  // The IPC channel keeps this process alive until stop(), as the inline server would.
  return {
    service: 'dynamodb',
    port: bound,
    endpoint: `http://${HOST}:${bound}`,
    stop: async () => {
      if (child.exitCode === null && child.connected) child.send('stop');
      await exited;
    },
  };
}

/** Starts fauxqs bound to 127.0.0.1 (its CLI and startFauxqs bind all addresses), with resolvable queue URLs. */
export async function startSqs(options: { port?: number } = {}): Promise<Emulator> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false, stores: (await resolvableSqsStores()) as never });
  let port: number;
  try {
    await app.listen({ host: HOST, port: options.port ?? 0 });
    port = (app.server.address() as AddressInfo).port;
  } catch (err) {
    throw new LocalStackStartError('sqs', (err as Error).message, { cause: err });
  }
  return {
    service: 'sqs',
    port,
    endpoint: `http://${HOST}:${port}`,
    stop: async () => {
      app.server.closeAllConnections?.();
      await app.close();
    },
  };
}

/**
 * fauxqs builds queue URLs as `http://sqs.<region>.localhost:<port>/...` unless its store's `host` is empty,
 * in which case it uses the request's Host header (`127.0.0.1:<port>`). The SQS client sends each request to
 * its queue URL, and `*.localhost` does not resolve here, so the local stack empties `host`. fauxqs exports
 * no store class, hence the import by file path beside its entry point.
 */
async function resolvableSqsStores(): Promise<{ sqsStore: unknown }> {
  // fauxqs's exports map hides both its files and its package.json from resolution: find its folder.
  const root = (require.resolve.paths('fauxqs') ?? [])
    .map((dir) => join(dir, 'fauxqs'))
    .find((dir) => existsSync(join(dir, 'dist', 'sqs', 'sqsStore.js')));
  if (!root) throw new LocalStackStartError('sqs', 'fauxqs is not installed (run npm ci)');
  const { SqsStore } = (await import(pathToFileURL(join(root, 'dist', 'sqs', 'sqsStore.js')).href)) as {
    SqsStore: new () => { host: string };
  };
  const sqsStore = new SqsStore();
  sqsStore.host = '';
  return { sqsStore };
}

/** Starts aws-ses-v2-local on 127.0.0.1; `GET /store` lists what was sent, `/` shows it to a person. */
export async function startSes(options: { port?: number } = {}): Promise<Emulator> {
  const mod = require('aws-ses-v2-local') as {
    default: (c: { host: string; port: number }) => Promise<Server>;
  };
  // The package listens itself; probe the port first so a clash gives a clear error instead of a crash.
  const port = options.port ?? (await freePort());
  let server: Server;
  // The package keeps every mail of the process in one store: a new emulator starts with none, as in AWS a
  // new account's outbox would (a stack started again after another in the same process, tests).
  sesStore().emails = [];
  try {
    server = await mod.default({ host: HOST, port });
  } catch (err) {
    throw new LocalStackStartError('ses', (err as Error).message, { cause: err });
  }
  return {
    service: 'ses',
    port,
    endpoint: `http://${HOST}:${port}`,
    stop: () => closeServer(server),
  };
}

/** A mail as the SES emulator keeps it (aws-ses-v2-local's store: JSON-safe, attachments in base64). */
export type SesMail = Readonly<Record<string, unknown>>;

/**
 * The mails the SES emulator holds. aws-ses-v2-local keeps them in memory, in one store per process, and
 * startSes empties it, so a stack that is stopped and started again shows none: `list` copies them out to
 * be saved, `restore` puts saved ones back in front of any sent since.
 */
export const sesMailbox = {
  list(): SesMail[] {
    return [...sesStore().emails];
  },
  restore(mails: readonly SesMail[]): void {
    const store = sesStore();
    store.emails = [...mails, ...store.emails];
  },
};

function sesStore(): { emails: SesMail[] } {
  // Not in the package's API: its store module, found beside its entry point (the package has no exports map).
  const root = require.resolve('aws-ses-v2-local');
  const mod = require(join(root, '..', 'store.js')) as { getStoreReadonly(): { emails: SesMail[] } };
  return mod.getStoreReadonly();
}

/** A port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  const port = await listen('probe', server, 0);
  await closeServer(server);
  return port;
}
