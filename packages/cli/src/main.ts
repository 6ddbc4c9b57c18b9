import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_ENV_FILE } from '@tally/local-stack';
import { Command, CommanderError } from 'commander';
import * as bill from './commands/bill.js';
import * as clock from './commands/clock.js';
import * as invoices from './commands/invoices.js';
import * as pay from './commands/pay.js';
import * as payments from './commands/payments.js';
import * as quarantine from './commands/quarantine.js';
import * as quote from './commands/quote.js';
import * as report from './commands/report.js';
import * as schema from './commands/schema.js';
import * as send from './commands/send.js';
import * as usage from './commands/usage.js';
import { EXIT, InputError } from './errors.js';
import { type CommandContext, type Io, processIo } from './io.js';
import { applyTarget, type StackTarget } from './stack.js';

/** Every subcommand module exports `register(program, ctx)`; add new ones here. */
const COMMANDS: readonly { register: (program: Command, ctx: CommandContext) => void }[] = [
  quote,
  schema,
  send,
  usage,
  bill,
  quarantine,
  invoices,
  pay,
  payments,
  clock,
  report,
];

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('tally')
    .description(
      'tally: usage metering and billing. Commands work on the stack named by the environment, else on the ' +
        'local stack started in this folder (npm start or npm run stack leave its variables in .tally/env), ' +
        'or on a deployed one with --stack.',
    )
    .option('--profile <name>', 'AWS named profile (credentials and region), like the AWS CLI option')
    .option('--region <region>', 'AWS region, e.g. eu-west-1')
    .option(
      '--stack <prefix>',
      'a deployed tally: table names and queue URLs from the outputs of <prefix>Stateful and <prefix>Stateless',
    )
    .exitOverride()
    .configureOutput({ writeOut: ctx.io.out, writeErr: ctx.io.err })
    .showHelpAfterError('(run with --help for usage)')
    .hook('preAction', async () => {
      await applyTarget(
        program.opts<StackTarget>(),
        ctx.env ?? process.env,
        ctx.cloudFormation,
        ctx.localEnvFile,
      );
    });
  for (const c of COMMANDS) c.register(program, ctx);
  return program;
}

/**
 * Runs the tally CLI with `argv` (without node and script) and returns the exit code: 0 ok, 1 runtime
 * failure, 2 bad input or usage (a missing stack included).
 */
export async function main(
  argv: readonly string[],
  io: Io = processIo,
  options: Omit<CommandContext, 'io'> = {},
): Promise<number> {
  const program = buildProgram({ ...options, io });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are successes; anything else commander reports is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof InputError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.badInput;
    }
    if (error instanceof Error && error.name === 'MissingConfigurationError') {
      io.err(
        `error: ${error.message}\n` +
          'No stack is named: start the local stack in this folder (npm start, or npm run stack), export ' +
          'the variables it prints, or name a deployed tally with --stack <prefix> (and --region, --profile).\n',
      );
      return EXIT.badInput;
    }
    io.err(`error: ${describeFailure(error)}\n`);
    return EXIT.failure;
  }
}

/**
 * A runtime failure in a line: its message (the stack trace only with TALLY_DEBUG set), and for an endpoint
 * that refuses connections, which one and what to check.
 */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const message = process.env.TALLY_DEBUG ? (error.stack ?? error.message) : error.message;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') {
    return (
      `${message}: the stack's endpoint does not answer. Is the local stack still up (npm start or npm run ` +
      'stack)? Variables exported from a stack that has stopped point nowhere: unset them or export the new ones.'
    );
  }
  return message;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * The CLI as a program (`npm run tally`, bin/tally.js): main on the process's streams, reading the local
 * stack's variables from LOCAL_ENV_FILE under the working folder when nothing else names a stack.
 */
export function runAsProgram(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  return main(argv, processIo, { localEnvFile: resolve(LOCAL_ENV_FILE) });
}

if (isEntryPoint()) process.exitCode = await runAsProgram();
