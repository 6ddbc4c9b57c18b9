/**
 * A DynamoDB document client whose middleware is resolved once per command class.
 *
 * Why: every `send` of the SDK builds the client's and the command's middleware stack (about 20 middleware:
 * endpoint, auth, retry, signing, serde, marshalling) into a handler, then throws it away: ~100-150 µs of CPU
 * of the ~500 µs a document-client request costs on our machines. Plain clients have `cacheMiddleware: true`
 * for that; lib-dynamodb refuses it, and rightly: a document command's resolved handler calls the *first*
 * command's low-level command (`async () => handler(this.clientCommand)`), so a cached one would resend the
 * first command's input.
 *
 * How: the handler a document command resolves is a thin closure over the low-level command's handler, and
 * that handler takes the command to run as its argument (as every SDK handler does: the middleware read
 * `args.input`). So the first command of each class is resolved as lib-dynamodb resolves it (the same stack:
 * the client's middleware, lib-dynamodb's marshalling middleware with our marshall options, the low-level
 * command's own), the inner handler is kept, and each later command of the class runs it on its own
 * low-level command. Marshalling stays lib-dynamodb's and util-dynamodb's code, not a copy.
 *
 * What is shared between requests is what `cacheMiddleware: true` shares on a plain client (one handler
 * context per command class). Sends with options or a callback, and commands this scheme does not recognise,
 * take the SDK's own per-request path. Reading `middlewareStack` (to add or remove middleware, e.g. an
 * injected throttle) drops the cached handlers, so a change made after the first send still takes effect.
 *
 * Get, Put, Update, Delete and Query go further, below the SDK's pipeline, once its first request has shown
 * the endpoint (direct-document.ts); reading `middlewareStack` turns that path off for good, so injected
 * middleware sees every request after it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  DynamoDBDocumentClientCommand,
  type TranslateConfig,
} from '@aws-sdk/lib-dynamodb';
import { DirectDocumentRequests } from './direct-document.js';

type SendArgs = Parameters<DynamoDBDocumentClient['send']>;
/** A command as the SDK's `Client.send` sees it. */
type AnyCommand = SendArgs[0];
type Stack = DynamoDBDocumentClient['middlewareStack'];
type Config = DynamoDBDocumentClient['config'];
type Handler = (command: AnyCommand) => Promise<{ output: unknown }>;
type Resolve = (
  stack: Stack,
  config: Config,
  options: undefined,
) => (args: unknown) => Promise<{ output: unknown }>;

/** The parts of a lib-dynamodb command this relies on (`clientCommand` is protected in its typings). */
interface DocumentCommandInternals {
  clientCommand: { resolveMiddleware: Resolve } & object;
  resolveMiddleware: Resolve;
}

/**
 * The handler for `command`'s class, or undefined when lib-dynamodb's command does not resolve through its
 * low-level command as expected (then the caller takes the uncached path).
 */
function resolveDocumentHandler(command: AnyCommand, stack: Stack, config: Config): Handler | undefined {
  const doc = command as unknown as DocumentCommandInternals;
  const inner = doc.clientCommand;
  if (inner === undefined || typeof inner.resolveMiddleware !== 'function') return undefined;
  const own = inner.resolveMiddleware;
  let captured: ((args: unknown) => Promise<{ output: unknown }>) | undefined;
  // An own property on this one instance: the class and every other command are left alone.
  inner.resolveMiddleware = (s, c, o) => {
    captured = own.call(inner, s, c, o);
    return captured;
  };
  try {
    doc.resolveMiddleware(stack, config, undefined);
  } finally {
    delete (inner as { resolveMiddleware?: Resolve }).resolveMiddleware;
  }
  const handler = captured;
  if (handler === undefined) return undefined;
  return (c) => handler((c as unknown as DocumentCommandInternals).clientCommand);
}

/**
 * `DynamoDBDocumentClient` with handlers resolved once per command class (see the file comment). Build it
 * like the SDK's: `new CachedDocumentClient(lowLevelClient, translateConfig)`; the low-level client must not
 * set `cacheMiddleware` (lib-dynamodb refuses it).
 */
export class CachedDocumentClient extends DynamoDBDocumentClient {
  readonly #handlers = new Map<unknown, Handler | null>();
  /** The client's stack, read without dropping the cache as the public getter does. */
  readonly #stack: Stack;
  /** The direct path; undefined once `middlewareStack` was read (middleware may have been added). */
  #direct: DirectDocumentRequests | undefined;

  constructor(client: DynamoDBClient, translateConfig?: TranslateConfig) {
    super(client, translateConfig);
    const stack = this.middlewareStack;
    this.#stack = stack;
    this.#direct = new DirectDocumentRequests(this.config, stack, translateConfig);
    const handlers = this.#handlers;
    Object.defineProperty(this, 'middlewareStack', {
      get: () => {
        handlers.clear();
        this.#direct = undefined;
        return stack;
      },
      configurable: true,
      enumerable: true,
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: the SDK's overloaded `send`; this forwards each overload.
  override send(...args: any[]): any {
    const [command, optionsOrCb, cb] = args as [AnyCommand, unknown, unknown];
    if (optionsOrCb !== undefined || cb !== undefined) {
      return (super.send as (...a: unknown[]) => unknown)(command, optionsOrCb, cb);
    }
    const direct = this.#direct?.send(command as unknown as { constructor: unknown; input: object });
    if (direct !== undefined) return direct;
    const ctor = command.constructor;
    let handler = this.#handlers.get(ctor);
    if (handler === undefined) {
      const stack = this.#stack;
      handler =
        command instanceof DynamoDBDocumentClientCommand
          ? (resolveDocumentHandler(command, stack, this.config) ?? null)
          : // A low-level command (e.g. CreateTable, or the usage store's INSERT batches): its handler takes
            // the command as argument, as with `cacheMiddleware: true`.
            (command.resolveMiddleware(stack, this.config, undefined) as unknown as Handler);
      this.#handlers.set(ctor, handler);
    }
    // Not cacheable: resolved for this request alone, as the SDK does (without `super.send`, whose read of
    // `middlewareStack` would drop the other classes' handlers).
    const run =
      handler ?? (command.resolveMiddleware(this.#stack, this.config, undefined) as unknown as Handler);
    return run(command).then((r) => r.output);
  }

  override destroy(): void {
    this.#handlers.clear();
    super.destroy();
  }
}
